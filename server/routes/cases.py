"""Hubs and peer support projects, the cases above participants: the lead's page and the API."""

from typing import Annotated, Optional

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from coding import store
from coding.store.cases import ATTRIBUTE_LIMIT, ATTRIBUTES_PER_SITE, KINDS, LABEL_LIMIT, VALUE_LIMIT
from server.deps import ID_MAX, Id, LeadDep, SessionDep, form_id

router = APIRouter(tags=["pages"], include_in_schema=False)
api = APIRouter(prefix="/api", tags=["api"])
REFUSED = {store.Conflict: 409, store.Invalid: 422, store.NotFound: 404}
EXTRA_ATTRIBUTES = 3  # empty name/value pairs on the form for the team's own attributes


def _page(request: Request, session, access, *, status: int = 200, error: str = "", editing=None,
          entered: Optional[dict] = None, message: str = "") -> HTMLResponse:
    project_id = access.project.id
    sites = store.cases(session, project_id=project_id)
    return request.app.state.templates.TemplateResponse(request, "pages/cases.html", {
        "project": access.project, "access": access, "cases": sites, "error": error, "message": message,
        "hubs": [c.site for c in sites if c.site.kind == "hub"],
        "decisions": store.case_attributes(session, project_id=project_id),
        "participants": store.list_participants(session, project_id=project_id),
        "site_labels": {c.site.id: c.site.label for c in sites}, "editing": editing, "entered": entered or {},
        "extra_attributes": EXTRA_ATTRIBUTES, "kinds": KINDS}, status_code=status)


@router.get("/projects/{project_id}/cases", response_class=HTMLResponse)
def cases_page(request: Request, session: SessionDep, access: LeadDep, edit: Optional[int] = None,
               saved: str = ""):
    editing = store.get_site(session, project_id=access.project.id, site_id=edit) if edit else None
    return _page(request, session, access, editing=editing, message=saved[:200])


def _form_attributes(form) -> dict[str, str]:
    """The attributes a hub or project form sends: a select per framework decision (`decision:<name>`) and
    name/value pairs (`attr_name`, `attr_value`) for the team's own."""
    found = {key[len("decision:"):]: str(value) for key, value in form.multi_items() if key.startswith("decision:")}
    names, values = form.getlist("attr_name"), form.getlist("attr_value")
    for name, value in zip(names, values):
        if str(name).strip():
            found[str(name)] = str(value)
    return found


@router.post("/projects/{project_id}/cases", response_class=HTMLResponse)
async def save_case(request: Request, session: SessionDep, access: LeadDep):
    """Add a hub or project, or change one (`site` names it): name, hub, decisions and other attributes."""
    form = await request.form()
    kind, label = str(form.get("kind", "")), str(form.get("label", ""))
    site_id = _id(form.get("site"))
    hub_id = _id(form.get("hub"))
    try:
        site = store.save_site(session, project_id=access.project.id, user=access.user, kind=kind, label=label,
                               hub_id=hub_id, attributes=_form_attributes(form), site_id=site_id)
    except (store.Conflict, store.Invalid, store.NotFound) as refused:
        session.rollback()
        editing = store.get_site(session, project_id=access.project.id, site_id=site_id) if site_id else None
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused), editing=editing,
                     entered={"kind": kind, "label": label[:LABEL_LIMIT], "hub": hub_id})
    return RedirectResponse(f"/projects/{access.project.id}/cases?saved=Saved+{site.label}#case-{site.id}",
                            status_code=303)


def _id(value) -> Optional[int]:
    return form_id(value, "hub or peer support project")


@router.post("/projects/{project_id}/cases/{site_id}/remove", response_class=HTMLResponse)
def remove_case(request: Request, session: SessionDep, access: LeadDep, site_id: Id):
    try:
        store.remove_site(session, project_id=access.project.id, user=access.user, site_id=site_id)
    except store.Conflict as refused:
        return _page(request, session, access, status=409, error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/cases?saved=Removed", status_code=303)


@router.post("/projects/{project_id}/cases/place", response_class=HTMLResponse)
async def place(request: Request, session: SessionDep, access: LeadDep):
    """Put the ticked participants in a hub or project (or in none)."""
    form = await request.form()
    labels = [str(label) for label in form.getlist("participant")]
    try:
        moved = store.place_participants(session, project_id=access.project.id, user=access.user, labels=labels,
                                         site_id=_id(form.get("site")))
    except (store.Invalid, store.NotFound) as refused:
        session.rollback()
        return _page(request, session, access, status=REFUSED[type(refused)], error=str(refused))
    return RedirectResponse(f"/projects/{access.project.id}/cases?saved=Moved+{len(moved)}+participant"
                            f"{'' if len(moved) == 1 else 's'}#place", status_code=303)


# --- the API -------------------------------------------------------------------------------------------

Attributes = Annotated[dict[Annotated[str, Field(max_length=ATTRIBUTE_LIMIT)], Annotated[str, Field(max_length=VALUE_LIMIT)]],
                       Field(max_length=ATTRIBUTES_PER_SITE)]


class CaseIn(BaseModel):
    kind: str = Field(description="hub or project", pattern="^(hub|project)$")
    name: str = Field(min_length=1, max_length=LABEL_LIMIT)
    hub: Optional[int] = Field(default=None, ge=1, le=ID_MAX, description="a project's hub")
    attributes: Attributes = Field(default_factory=dict, description="decisions and other attributes; '' clears")


class CaseOut(BaseModel):
    id: int
    kind: str
    name: str
    hub: Optional[int]
    attributes: dict[str, str]
    participants: list[str]


class PlaceIn(BaseModel):
    participants: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(min_length=1, max_length=5000)
    case: Optional[int] = Field(default=None, ge=1, le=ID_MAX, description="the hub or project; null takes them out")


class DecisionOut(BaseModel):
    name: str
    decision: Optional[str]
    options: list[str]
    description: str
    citation: str


class CasesOut(BaseModel):
    decisions: list[DecisionOut]
    cases: list[CaseOut]


def _case_out(case: store.Case) -> CaseOut:
    site = case.site
    return CaseOut(id=site.id, kind=site.kind, name=site.label, hub=site.hub_id, attributes=dict(site.attributes),
                   participants=list(case.participants))


@api.get("/projects/{project_id}/cases")
def list_cases(session: SessionDep, access: LeadDep) -> CasesOut:
    """The hubs and peer support projects, with the decisions the framework gives projects."""
    return CasesOut(decisions=[DecisionOut(**a.as_dict()) for a in store.case_attributes(session,
                                                                                        project_id=access.project.id)],
                    cases=[_case_out(c) for c in store.cases(session, project_id=access.project.id)])


def _one(session, project_id: int, site_id: int) -> CaseOut:
    return _case_out(next(c for c in store.cases(session, project_id=project_id) if c.site.id == site_id))


@api.post("/projects/{project_id}/cases", status_code=201)
def add_case(body: CaseIn, session: SessionDep, access: LeadDep) -> CaseOut:
    """Add a hub or a peer support project (a decision takes one of the framework's options)."""
    site = store.save_site(session, project_id=access.project.id, user=access.user, kind=body.kind, label=body.name,
                           hub_id=body.hub, attributes=body.attributes)
    return _one(session, access.project.id, site.id)


@api.put("/projects/{project_id}/cases/{site_id}")
def change_case(body: CaseIn, session: SessionDep, access: LeadDep, site_id: Id) -> CaseOut:
    """Change a hub's or project's name, hub or attributes (an empty value clears one)."""
    site = store.save_site(session, project_id=access.project.id, user=access.user, kind=body.kind, label=body.name,
                           hub_id=body.hub, attributes=body.attributes, site_id=site_id)
    return _one(session, access.project.id, site.id)


@api.delete("/projects/{project_id}/cases/{site_id}", status_code=204)
def delete_case(session: SessionDep, access: LeadDep, site_id: Id) -> Response:
    """Remove a hub or project nothing belongs to (kept in the log)."""
    store.remove_site(session, project_id=access.project.id, user=access.user, site_id=site_id)
    return Response(status_code=204)


@api.post("/projects/{project_id}/cases/place")
def place_participants(body: PlaceIn, session: SessionDep, access: LeadDep) -> list[str]:
    """Put participants in a hub or project, all or none; returns the tags that moved."""
    moved = store.place_participants(session, project_id=access.project.id, user=access.user,
                                     labels=body.participants, site_id=body.case)
    return [p.label for p in moved]
