"""Codebook versions: the lead's draft of changes with reasons, publication, the diffs and the recode pass."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from coding import store
from coding.codebook import codetree
from coding.store import versions
from server.deps import Id, LeadDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)
REFUSED = {store.Invalid: 422, store.NotFound: 404, store.Conflict: 409}


def _page(request: Request, session, access, *, status: int = 200, error: str = "", message: str = "",
          failed: str = "") -> HTMLResponse:
    project = access.project
    found = versions.versions(session, project=project, user=access.user)
    codes = store.project_codes(session, project_id=project.id)
    names = {c.key: c.name for c in codes}
    shown = [(v, [(c, versions.describe_change(c, names)) for c in versions.changes(session, version_id=v.id)])
             for v in reversed(found)]
    latest = next((v for v in reversed(found) if v.status == "published" and v.number > 1), None)
    return request.app.state.templates.TemplateResponse(request, "pages/versions.html", {
        "project": project, "access": access, "shown": shown, "codes": [c for c in codes if not c.retired],
        "depths": codetree.depths(codes), "error": error, "message": message, "failed": failed,
        "recode": versions.recode_pass(session, project_id=project.id, number=latest.number) if latest else None,
        "recode_version": latest.number if latest else None,
        "people": {u.id: u.shown_name for u in store.users_by_id(session, {c.user_id for _, cs in shown
                                                                           for c, _ in cs})}},
        status_code=status)


@router.get("/projects/{project_id}/versions", response_class=HTMLResponse)
def versions_page(request: Request, session: SessionDep, access: LeadDep, saved: str = ""):
    return _page(request, session, access, message=saved[:200])


@router.post("/projects/{project_id}/versions/changes", response_class=HTMLResponse)
async def stage_change(request: Request, session: SessionDep, access: LeadDep):
    """Stage one change in the draft: the form names its kind, the codes it touches and its reason."""
    form = await request.form()
    kind = str(form.get("kind", ""))[:40]
    asked = {"code": form.get("code"), "name": form.get("name"), "definition": form.get("definition"),
             "parent": form.get("parent"), "into": form.get("into"),
             "codes": [str(c) for c in form.getlist("codes")],
             "names": [line for line in str(form.get("names") or "").splitlines()]}
    try:
        versions.stage(session, project=access.project, user=access.user, kind=kind,
                       reason=str(form.get("reason") or ""), **{k: (str(v) if isinstance(v, str) else v)
                                                                for k, v in asked.items()})
    except (store.Invalid, store.NotFound) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused), failed=kind)
    return RedirectResponse(f"/projects/{access.project.id}/versions?saved=Staged+in+the+draft#draft",
                            status_code=303)


@router.post("/projects/{project_id}/versions/changes/{change_id}/delete", response_class=HTMLResponse)
def unstage_change(request: Request, session: SessionDep, access: LeadDep, change_id: Id):
    versions.unstage(session, project=access.project, user=access.user, change_id=change_id)
    return RedirectResponse(f"/projects/{access.project.id}/versions?saved=Taken+out+of+the+draft#draft",
                            status_code=303)


@router.post("/projects/{project_id}/versions/publish", response_class=HTMLResponse)
def publish(request: Request, session: SessionDep, access: LeadDep):
    """Publish the draft: each change is made, and every coding keeps its code as of the version it replaces."""
    try:
        published = versions.publish(session, project=access.project, user=access.user)
    except (store.Invalid, store.NotFound, store.Conflict) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/versions?saved=Published+version+{published.number}",
                            status_code=303)
