"""The project's pseudonyms: names and places replaced in every export, with suggestions to review."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from coding import store
from coding.analysis import queries
from coding.team import consent
from server.deps import Id, LeadDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(request: Request, session, access, template: str = "pages/pseudonyms.html", **extra) -> HTMLResponse:
    project = access.project
    return request.app.state.templates.TemplateResponse(request, template, {
        "project": project, "access": access, "rows": queries.pseudonyms(session, project_id=project.id),
        "candidates": queries.pseudonym_candidates(session, project_id=project.id),
        "marked": _marked(session, project.id), **extra})


def _marked(session, project_id: int) -> list[tuple]:
    """The passages marked sensitive, as (document, category, the passage), for review beside the pseudonyms."""
    quoting = consent.Quoting(session, project_id=project_id)
    found = []
    for document_id, marks in quoting.marked.items():
        text = store.document_texts(session, document_ids=[document_id])[document_id]
        found += [(quoting.documents[document_id], consent.SENSITIVE[m.category], text[m.start:m.end]) for m in marks]
    return found


@router.get("/projects/{project_id}/pseudonyms", response_class=HTMLResponse)
def pseudonym_page(request: Request, session: SessionDep, access: LeadDep):
    return _page(request, session, access)


@router.post("/projects/{project_id}/pseudonyms", response_class=HTMLResponse)
def add_pseudonym(request: Request, session: SessionDep, access: LeadDep, original: Annotated[str, Form()],
                  replacement: Annotated[str, Form()], kind: Annotated[str, Form()] = "name"):
    queries.set_pseudonym(session, project_id=access.project.id, user=access.user, original=original,
                          replacement=replacement, kind=kind)
    return _page(request, session, access, "partials/pseudonyms/body.html")


@router.post("/projects/{project_id}/pseudonyms/{pseudonym_id}/delete", response_class=HTMLResponse)
def remove_pseudonym(request: Request, session: SessionDep, access: LeadDep, pseudonym_id: Id):
    queries.remove_pseudonym(session, project_id=access.project.id, user=access.user, pseudonym_id=pseudonym_id)
    return _page(request, session, access, "partials/pseudonyms/body.html")
