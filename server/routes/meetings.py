"""Analysis meeting records: the lead writes and closes them; members add their input while they are open."""

from typing import Optional

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from coding import store
from coding.store import versions
from coding.store.checks import MEMO_LIMIT
from coding.team import accounts, meetings
from server.deps import Id, LeadDep, ProjectDep, SessionDep, form_id

router = APIRouter(tags=["pages"], include_in_schema=False)
REFUSED = {store.Invalid: 422, store.NotFound: 404, store.NotYours: 403}


def _page(request: Request, session, access, *, status: int = 200, error: str = "", message: str = "",
          editing: Optional[int] = None) -> HTMLResponse:
    project = access.project
    found = meetings.meetings(session, project_id=project.id)
    codes = {c.key: c.name for c in store.project_codes(session, project_id=project.id)}
    changes = {}
    for version in versions.stored(session, project_id=project.id):
        for change in versions.changes(session, version_id=version.id):
            changes[change.id] = (version.number, versions.describe_change(change, codes))
    return request.app.state.templates.TemplateResponse(request, "pages/meetings.html", {
        "project": project, "access": access, "meetings": [(m, meetings.inputs(session, meeting_id=m.id)) for m in found],
        "members": accounts.members(session, project_id=project.id), "changes": changes,
        "documents": {d.id: d.name for d in store.document_summaries(session, project_id=project.id)},
        "error": error, "message": message, "editing": editing, "writes": accounts.at_least(access.role, "coder"),
        "limit": MEMO_LIMIT}, status_code=status)


@router.get("/projects/{project_id}/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, session: SessionDep, access: ProjectDep, edit: Optional[int] = None,
                  saved: str = ""):
    return _page(request, session, access, editing=edit, message=saved[:200])


def _ids(values, what: str) -> list[int]:
    """The ids a multiple select sends (empty values left out)."""
    return [found for found in (form_id(value, what) for value in values) if found is not None]


@router.post("/projects/{project_id}/meetings", response_class=HTMLResponse)
async def record_meeting(request: Request, session: SessionDep, access: LeadDep):
    """Write a meeting's record (or change an open one, `meeting` naming it)."""
    form = await request.form()
    try:
        meeting = meetings.record(
            session, project_id=access.project.id, user=access.user, title=str(form.get("title") or ""),
            held_on=str(form.get("held_on") or ""), present=[str(p) for p in form.getlist("present")],
            documents=_ids(form.getlist("document"), "transcript"), decisions=str(form.get("decisions") or ""),
            changes=_ids(form.getlist("change"), "codebook change"), meeting_id=form_id(form.get("meeting"), "meeting"))
    except (store.Invalid, store.NotFound) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/meetings?saved=Saved#meeting-{meeting.id}", status_code=303)


@router.post("/projects/{project_id}/meetings/{meeting_id}/input", response_class=HTMLResponse)
async def add_input(request: Request, session: SessionDep, access: ProjectDep, meeting_id: Id):
    """A member's input to an open meeting, for those who could not speak up in the room."""
    form = await request.form()
    try:
        meetings.add_input(session, project_id=access.project.id, user=access.user, role=access.role,
                           meeting_id=meeting_id, text=str(form.get("text") or ""))
    except (store.Invalid, store.NotFound, store.NotYours) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/meetings?saved=Added#meeting-{meeting_id}", status_code=303)


@router.post("/projects/{project_id}/meetings/{meeting_id}/close", response_class=HTMLResponse)
def close_meeting(request: Request, session: SessionDep, access: LeadDep, meeting_id: Id):
    meetings.close(session, project_id=access.project.id, user=access.user, meeting_id=meeting_id)
    return RedirectResponse(f"/projects/{access.project.id}/meetings?saved=Closed#meeting-{meeting_id}",
                            status_code=303)
