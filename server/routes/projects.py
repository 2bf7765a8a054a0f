"""Project list, project overview, transcript import and participant attributes."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from coding import imports, overview, store
from coding.frameworks import available_frameworks, get_framework
from server.deps import ProjectDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def project_list(request: Request, session: SessionDep, user: UserDep):
    projects = overview.project_summaries(session)
    return request.app.state.templates.TemplateResponse(
        request, "pages/projects.html", {"projects": projects, "frameworks": available_frameworks().values()})


@router.post("/projects")
def create_project(session: SessionDep, user: UserDep, name: Annotated[str, Form()],
                   framework: Annotated[str, Form()] = "side-by-side",
                   optional_groups: Annotated[bool, Form()] = False):
    chosen = get_framework(framework)
    project = store.create_project(session, name=name, framework=chosen, user=user,
                                   include_groups=None if optional_groups else [])
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, session: SessionDep, project: ProjectDep):
    return request.app.state.templates.TemplateResponse(
        request, "pages/project.html", overview.project_overview(session, project=project))


@router.post("/projects/{project_id}/import", response_class=HTMLResponse)
async def import_files(request: Request, session: SessionDep, user: UserDep, project: ProjectDep,
                       files: Annotated[list[UploadFile], File()], participant: Annotated[str, Form()] = ""):
    uploads = [(f.filename or "upload", await f.read()) for f in files]
    results = imports.import_many(session, project_id=project.id, user=user, files=uploads,
                                  participant=participant, max_bytes=request.app.state.settings.max_upload_bytes)
    return request.app.state.templates.TemplateResponse(
        request, "partials/project/import_results.html",
        {"results": results, **overview.project_overview(session, project=project)})


@router.post("/projects/{project_id}/attributes", response_class=HTMLResponse)
async def upload_attributes(request: Request, session: SessionDep, user: UserDep, project: ProjectDep,
                            file: Annotated[UploadFile, File()]):
    changed = imports.attributes_from_csv(session, project_id=project.id, user=user,
                                          name=file.filename or "attributes.csv", data=await file.read())
    return request.app.state.templates.TemplateResponse(
        request, "partials/project/participants.html",
        {"message": f"Attributes set for {len(changed)} participant(s).",
         **overview.project_overview(session, project=project)})


@router.post("/projects/{project_id}/participants", response_class=HTMLResponse)
def edit_participant(request: Request, session: SessionDep, user: UserDep, project: ProjectDep,
                     label: Annotated[str, Form()], key: Annotated[str, Form()], value: Annotated[str, Form()] = ""):
    store.set_attributes(session, project_id=project.id, user=user, rows=[(label, {key: value})])
    return request.app.state.templates.TemplateResponse(
        request, "partials/project/participants.html", overview.project_overview(session, project=project))
