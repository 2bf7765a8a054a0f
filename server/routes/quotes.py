"""Coded quotes: the filterable list, Word and CSV exports, the codebook in Word, the activity log."""

import io
from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from coding import accounts, export, reports, store
from coding.models import Project
from server.deps import LeadDep, ProjectDep, SessionDep

router = APIRouter(tags=["pages"], include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def quote_filter(code: Optional[str] = None, document: Optional[str] = None,
                 attribute: Optional[str] = None, value: Optional[str] = None,
                 layer: Optional[str] = None) -> reports.QuoteFilter:
    """The filter named in the query string (empty fields do not filter); an attribute is
    written `attribute=approach&value=online`."""
    document_id = int(document) if document and document.strip().isdigit() else None
    return reports.QuoteFilter(code=code or None, document_id=document_id,
                               attribute=attribute or None, value=value if attribute else None, layer=layer or None)


def visible_filter(access: ProjectDep, wanted: Annotated[reports.QuoteFilter, Depends(quote_filter)]):
    """The filter, narrowed to the coder's own layer while the project is blind."""
    if access.role == "coder" and access.project.blind:
        wanted.layer = access.user.name
    return wanted


FilterDep = Annotated[reports.QuoteFilter, Depends(visible_filter)]


def _download(data: bytes, filename: str, media_type: str) -> StreamingResponse:
    return StreamingResponse(io.BytesIO(data), media_type=media_type,
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _stem(project: Project) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in project.name).strip("-").lower() or "project"


@router.get("/projects/{project_id}/quotes", response_class=HTMLResponse)
def quotes_page(request: Request, session: SessionDep, access: ProjectDep, wanted: FilterDep):
    project = access.project
    context = {
        "project": project, "wanted": wanted,
        "quotes": reports.find_quotes(session, project_id=project.id, wanted=wanted),
        "layers": reports.layer_choices(session, project_id=project.id),
        "codes": store.project_codes(session, project_id=project.id),
        "documents": store.list_documents(session, project_id=project.id),
        "attribute_values": reports.attribute_values(session, project_id=project.id),
        "query": request.url.query,
    }
    template = "partials/quotes/list.html" if request.headers.get("hx-request") else "pages/quotes.html"
    return request.app.state.templates.TemplateResponse(request, template, context)


@router.get("/projects/{project_id}/export/quotes.docx")
def quotes_docx(session: SessionDep, access: ProjectDep, wanted: FilterDep):
    project = access.project
    return _download(export.quotes_docx(session, project=project, wanted=wanted), f"{_stem(project)}-quotes.docx", DOCX)


@router.get("/projects/{project_id}/export/quotes.csv")
def quotes_csv(session: SessionDep, access: ProjectDep, wanted: FilterDep):
    project = access.project
    return _download(export.quotes_csv(session, project=project, wanted=wanted),
                     f"{_stem(project)}-quotes.csv", "text/csv; charset=utf-8")


@router.get("/projects/{project_id}/export/codebook.docx")
def codebook_docx(session: SessionDep, access: ProjectDep):
    project = access.project
    return _download(export.codebook_docx(session, project=project), f"{_stem(project)}-codebook.docx", DOCX)


@router.get("/projects/{project_id}/activity", response_class=HTMLResponse)
def activity(request: Request, session: SessionDep, access: LeadDep, kind: Annotated[Optional[str], Query()] = None,
             user: Annotated[Optional[str], Query()] = None, document: Annotated[Optional[str], Query()] = None):
    project = access.project
    users = {u.id: u for u in store.list_users(session)}
    by_name = {u.name: u.id for u in users.values()}
    document_id = int(document) if document and document.isdigit() else None
    events = store.list_events(session, project_id=project.id, kind=kind or None, user_id=by_name.get(user or ""),
                               document_id=document_id)
    return request.app.state.templates.TemplateResponse(request, "pages/activity.html", {
        "project": project, "events": events, "users": users, "describe": store.describe, "kind": kind or "",
        "user": user or "", "document": document_id, "documents": store.list_documents(session, project_id=project.id),
        "members": [u for u, _ in accounts.members(session, project_id=project.id)]})
