"""Deleting a transcript or a project: a confirmation page that asks for its name, then the erasure; and the
administrator's list of every erasure, including those of projects that no longer exist."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from coding import erasure, store
from server import auth
from server.deps import LeadDep, LeadDocumentDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _confirm_page(request: Request, *, what: str, name: str, action: str, back: str, extent, error: str = ""):
    return request.app.state.templates.TemplateResponse(
        request, "pages/erase.html", {"what": what, "name": name, "action": action, "back": back, "extent": extent,
                                      "error": error}, status_code=422 if error else 200)


def _document_page(request: Request, session, target, error: str = ""):
    document = target.document
    return _confirm_page(request, what="transcript", name=document.name, action=f"/documents/{document.id}/delete",
                         back=f"/documents/{document.id}", error=error,
                         extent=erasure.document_extent(session, document=document))


def _project_page(request: Request, session, access, error: str = ""):
    project = access.project
    return _confirm_page(request, what="project", name=project.name, action=f"/projects/{project.id}/delete",
                         back=f"/projects/{project.id}", error=error,
                         extent=erasure.project_extent(session, project=project))


@router.get("/documents/{document_id}/delete", response_class=HTMLResponse)
def confirm_document(request: Request, session: SessionDep, target: LeadDocumentDep):
    return _document_page(request, session, target)


@router.post("/documents/{document_id}/delete")
def delete_document(request: Request, session: SessionDep, target: LeadDocumentDep,
                    confirm: Annotated[str, Form()] = ""):
    project_id = target.document.project_id
    try:
        erasure.erase_document(session, document=target.document, user=target.access.user, confirm=confirm,
                               media=request.app.state.settings.media, job_results=request.app.state.jobs.folder)
    except store.Invalid as refused:
        return _document_page(request, session, target, error=str(refused))
    erasure.scrub(request.app.state.engine)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


@router.get("/projects/{project_id}/delete", response_class=HTMLResponse)
def confirm_project(request: Request, session: SessionDep, access: LeadDep):
    return _project_page(request, session, access)


@router.post("/projects/{project_id}/delete")
def delete_project(request: Request, session: SessionDep, access: LeadDep, confirm: Annotated[str, Form()] = ""):
    try:
        erasure.erase_project(session, project=access.project, user=access.user, confirm=confirm,
                              media=request.app.state.settings.media, job_results=request.app.state.jobs.folder)
    except store.Invalid as refused:
        return _project_page(request, session, access, error=str(refused))
    erasure.scrub(request.app.state.engine)
    return RedirectResponse("/", status_code=303)


@router.get("/admin/erasures", response_class=HTMLResponse)
def erasures_page(request: Request, session: SessionDep, user: UserDep):
    if not (user.is_admin or request.app.state.settings.single_user):
        raise auth.Forbidden("only an administrator can read the erasures of every project")
    return request.app.state.templates.TemplateResponse(request, "pages/erasures.html", {
        "events": erasure.tombstones(session), "users": {u.id: u for u in store.list_users(session)},
        "describe": store.describe})
