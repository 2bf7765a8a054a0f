"""The document page: reading, coding, memos, undo, interviewer and participant settings, revealing."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from coding import accounts, recordings, store
from coding.documents import affected_turns, codings_at, document_page
from coding.spans import trim
from coding.suggestions import retrain_if_due
from server.deps import (ID_MAX, CoderDocumentDep, CodingDep, DocumentAccess, DocumentDep,
                         LeadDocumentDep, ProjectDep, SessionDep, shown_layers, visible_layers, wanted_layers)
from server.routes.progress import status_context

router = APIRouter(tags=["pages"], include_in_schema=False)


def turns_response(request: Request, session, target: DocumentAccess, start: int, end: int, *, panel=None,
                   message: str = "Saved", suggestions=None) -> HTMLResponse:
    """The turns a change touched, as out-of-band swaps, plus the undo button and, if given, the coding
    panel and the suggestions panel."""
    document, user = target.document, target.access.user
    shown = shown_layers(request, session, target)
    context = {
        "document": document,
        "turns": affected_turns(session, document=document, start=start, end=end, user=user, with_suggestions=True,
                                layers=shown),
        "coding_count": store.document_coding_count(session, document_id=document.id, layers=shown),
        "suggestions": suggestions,
        "undo_hint": store.undo_hint(session, project_id=document.project_id, user=user, document_id=document.id),
        "project_id": document.project_id,
        "panel": panel,
        "message": message,
    }
    return request.app.state.templates.TemplateResponse(request, "partials/document/changed.html", context)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def show_document(request: Request, session: SessionDep, target: DocumentDep):
    access = target.access
    page = document_page(session, document=target.document, user=access.user, layers=visible_layers(session, target),
                         codes_here=access.can("coder"), wanted=wanted_layers(request))
    return request.app.state.templates.TemplateResponse(
        request, "pages/document.html",
        {"page": page, "project": access.project, "document": target.document, "access": access,
         "assignees": accounts.assignees(session, document_id=target.document.id),
         "recording": recordings.find(session, document_id=target.document.id),
         "status": status_context(request, session, target)})


@router.post("/documents/{document_id}/codings", response_class=HTMLResponse)
def code_passage(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks,
                 start: Annotated[int, Form()], end: Annotated[int, Form()], code: Annotated[str, Form()],
                 memo: Annotated[str, Form()] = ""):
    document = target.document
    chosen = store.get_code(session, project_id=document.project_id, key=code)
    start, end = trim(document.text, start, end)
    store.add_coding(session, document=document, code=chosen, user=target.access.user, start=start, end=end, memo=memo)
    background.add_task(retrain_if_due, request.app.state.engine, document.project_id, target.access.user.id)
    return turns_response(request, session, target, start, end, message=f"Coded as {chosen.name}")


@router.get("/documents/{document_id}/codings-at", response_class=HTMLResponse)
def coding_panel(request: Request, session: SessionDep, target: DocumentDep, start: int, end: int):
    found = codings_at(session, document=target.document, start=start, end=end,
                       layers=shown_layers(request, session, target))
    return request.app.state.templates.TemplateResponse(
        request, "partials/document/coding_panel.html",
        {"found": found, "document": target.document, "start": start, "end": end})


def _document_target(target) -> DocumentAccess:
    return DocumentAccess(target.document, target.access)


@router.post("/codings/{coding_id}/remove", response_class=HTMLResponse)
def remove_coding(request: Request, session: SessionDep, target: CodingDep):
    coding, document = target.coding, target.document
    store.remove_coding(session, coding=coding, user=target.access.user)
    where = _document_target(target)
    found = codings_at(session, document=document, start=coding.start, end=coding.end,
                       layers=shown_layers(request, session, where))
    return turns_response(request, session, where, coding.start, coding.end, message="Code removed",
                          panel={"found": found, "start": coding.start, "end": coding.end})


@router.post("/codings/{coding_id}/memo", response_class=HTMLResponse)
def save_memo(request: Request, session: SessionDep, target: CodingDep, memo: Annotated[str, Form()] = ""):
    store.set_memo(session, coding=target.coding, user=target.access.user, memo=memo)
    document = target.document
    return request.app.state.templates.TemplateResponse(request, "partials/document/memo_saved.html", {
        "document": document, "project_id": document.project_id,
        "undo_hint": store.undo_hint(session, project_id=document.project_id, user=target.access.user,
                                     document_id=document.id)})


@router.post("/projects/{project_id}/undo")
def undo(request: Request, session: SessionDep, access: ProjectDep, document_id: Annotated[int, Query(ge=0, le=ID_MAX)] = 0):
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role,
                          document_id=document_id or None)
    if event is None:
        return HTMLResponse("Nothing to undo on this transcript" if document_id else "Nothing to undo")
    if document_id and "start" in event.payload:
        document = store.get_document(session, document_id=document_id)
        return turns_response(request, session, DocumentAccess(document, access), event.payload["start"],
                              event.payload["end"], message=store.undone_message(session, event=event))
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/interviewers")
def set_interviewers(session: SessionDep, target: LeadDocumentDep, speakers: Annotated[list[str], Form()] = []):
    store.set_interviewers(session, document=target.document, user=target.access.user,
                           speakers=[s for s in speakers if s])
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/interpreted")
def set_interpreted(session: SessionDep, target: LeadDocumentDep, speakers: Annotated[list[str], Form()] = []):
    store.set_interpreted(session, document=target.document, user=target.access.user,
                          speakers=[s for s in speakers if s])
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/participant")
def set_participant(session: SessionDep, target: LeadDocumentDep, participant: Annotated[str, Form()] = ""):
    store.set_document_participant(session, document=target.document, user=target.access.user, label=participant)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/reveal")
def reveal(session: SessionDep, target: LeadDocumentDep, revealed: Annotated[bool, Form()] = False):
    accounts.set_revealed(session, document=target.document, by=target.access.user, revealed=revealed)
    return Response(status_code=204, headers={"HX-Refresh": "true"})
