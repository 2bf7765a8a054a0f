"""REFI-QDA exchange in the browser: download a project or codebook, import another tool's project."""

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from coding.exchange import downloads, refi_export, refi_import
from coding.jobs import work
from coding.limits import read_bounded
from server.deps import LeadDep, ProjectDep, SessionDep, UserDep
from server.routes.jobs import job_response
from server.routes.projects import REFUSED, projects_page

router = APIRouter(tags=["pages"], include_in_schema=False)


def _file(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/projects/{project_id}/export/codebook.qdc")
def codebook_qdc(session: SessionDep, access: ProjectDep):
    return _file(refi_export.codebook_qdc(session, project=access.project),
                 f"{downloads.file_stem(access.project.name)}-codebook.qdc", "application/xml")


@router.get("/projects/{project_id}/export/project.qdpx")
def project_qdpx(session: SessionDep, access: LeadDep,
                 positions: Annotated[Literal["codepoints", "utf16"], Query()] = "codepoints",
                 include_flagged: bool = False):
    stem = downloads.file_stem(access.project.name) + ("-nvivo" if positions == "utf16" else "")
    return _file(refi_export.project_qdpx(session, project=access.project, positions=positions,
                                          include_flagged=include_flagged), f"{stem}.qdpx", "application/zip")


@router.post("/projects/import", response_class=HTMLResponse)
def import_project(request: Request, session: SessionDep, user: UserDep, name: Annotated[str, Form()],
                   file: Annotated[UploadFile, File()], nvivo: Annotated[bool, Form()] = False):
    settings = request.app.state.settings
    filename, limits = file.filename or "upload.qdpx", settings.limits()
    try:
        data = read_bounded(file.file, filename, limits.upload_bytes)
        if work.big_upload([len(data)], settings.thresholds()):
            job = work.import_refi_file(request.app.state.jobs, session, name=name, filename=filename, data=data,
                                        user=user, limits=limits, nvivo=nvivo)
            return job_response(request, session, job, status=202)
        report = refi_import.import_refi(session, name=name, filename=filename, user=user, limits=limits, data=data,
                                         nvivo=nvivo)
    except tuple(REFUSED) as refused:
        return projects_page(request, session, user, refused=refused, form="import",
                             entered={"name": name, "nvivo": nvivo})
    return request.app.state.templates.TemplateResponse(request, "pages/imported.html", {"report": report})
