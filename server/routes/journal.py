"""The reflexive journal: each researcher's entries (private until shared), and the lead's milestones."""

from typing import Annotated, Optional

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from coding import store
from coding.store.checks import MEMO_LIMIT
from coding.team import accounts, journal
from server.deps import Id, LeadDep, ProjectDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)
REFUSED = {store.Invalid: 422, store.NotFound: 404, store.NotYours: 403}


def _page(request: Request, session, access, *, status: int = 200, error: str = "", entered: str = "",
          editing: Optional[int] = None, message: str = "") -> HTMLResponse:
    project_id = access.project.id
    return request.app.state.templates.TemplateResponse(request, "pages/journal.html", {
        "project": access.project, "access": access, "milestones": journal.milestones(session, project_id=project_id),
        "names": journal.MILESTONES, "due": journal.due(session, project_id=project_id, user=access.user),
        "entries": journal.readable(session, project_id=project_id, user=access.user),
        "writes": accounts.at_least(access.role, "coder"), "error": error, "entered": entered[:MEMO_LIMIT],
        "editing": editing, "message": message, "limit": MEMO_LIMIT}, status_code=status)


@router.get("/projects/{project_id}/journal", response_class=HTMLResponse)
def journal_page(request: Request, session: SessionDep, access: ProjectDep, edit: Optional[int] = None,
                 saved: str = ""):
    return _page(request, session, access, editing=edit, message=saved[:200])


@router.post("/projects/{project_id}/journal", response_class=HTMLResponse)
def write_entry(request: Request, session: SessionDep, access: ProjectDep,
                text: Annotated[str, Form(max_length=MEMO_LIMIT + 1000)] = "",
                milestone: Annotated[str, Form(max_length=40)] = "",
                entry: Annotated[Optional[int], Form(ge=1)] = None):
    """A new entry (answering a milestone's prompt, if one is named), or a change to one of your own."""
    try:
        written = journal.write(session, project=access.project, user=access.user, role=access.role, text=text,
                                milestone=milestone, entry_id=entry)
    except (store.Invalid, store.NotFound, store.NotYours) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused), entered=text,
                     editing=entry)
    said = "Saved+(shared+with+the+team)" if written.shared else "Saved+(private:+only+you+can+read+it)"
    return RedirectResponse(f"/projects/{access.project.id}/journal?saved={said}#entry-{written.id}", status_code=303)


@router.post("/projects/{project_id}/journal/{entry_id}/share", response_class=HTMLResponse)
def share_entry(request: Request, session: SessionDep, access: ProjectDep, entry_id: Id,
                shared: Annotated[bool, Form()] = False):
    journal.share(session, project_id=access.project.id, user=access.user, entry_id=entry_id, shared=shared)
    said = "Shared+with+the+team" if shared else "Private+again"
    return RedirectResponse(f"/projects/{access.project.id}/journal?saved={said}#entry-{entry_id}", status_code=303)


@router.post("/projects/{project_id}/milestones/{key}", response_class=HTMLResponse)
def set_milestone(request: Request, session: SessionDep, access: LeadDep, key: str,
                  prompt: Annotated[Optional[str], Form(max_length=MEMO_LIMIT + 1000)] = None,
                  reached: Annotated[Optional[bool], Form()] = None):
    """Set a milestone's prompt, or mark it reached: every researcher is then asked to reflect."""
    try:
        journal.set_milestone(session, project_id=access.project.id, user=access.user, key=key, prompt=prompt,
                              reached=reached)
    except store.Invalid as refused:
        session.rollback()
        return _page(request, session, access, status=422, error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/journal?saved=Milestone+saved#milestones", status_code=303)
