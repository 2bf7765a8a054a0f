"""The document page: reading, coding, memos, undo, interviewer and participant settings."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from coding import store
from coding.documents import affected_turns, codings_at, document_page
from coding.spans import trim
from coding.suggestions import retrain_if_due
from server.deps import CodingDep, DocumentDep, ProjectDep, SessionDep, UserDep

router = APIRouter(tags=["pages"], include_in_schema=False)


def turns_response(request: Request, session, document, start: int, end: int, *, user, panel=None,
                   message: str = "Saved", suggestions=None) -> HTMLResponse:
    """The turns a change touched, as out-of-band swaps, plus the undo button and, if given, the coding
    panel and the suggestions panel."""
    context = {
        "document": document,
        "turns": affected_turns(session, document=document, start=start, end=end, user=user, with_suggestions=True),
        "suggestions": suggestions,
        "undo_hint": (lambda e: store.describe(e) if e else None)(
            store.last_undoable(session, project_id=document.project_id, user=user)),
        "project_id": document.project_id,
        "panel": panel,
        "message": message,
    }
    return request.app.state.templates.TemplateResponse(request, "partials/document/changed.html", context)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def show_document(request: Request, session: SessionDep, user: UserDep, document: DocumentDep):
    page = document_page(session, document=document, user=user)
    project = store.get_project(session, project_id=document.project_id)
    return request.app.state.templates.TemplateResponse(
        request, "pages/document.html", {"page": page, "project": project, "document": document})


@router.post("/documents/{document_id}/codings", response_class=HTMLResponse)
def code_passage(request: Request, session: SessionDep, user: UserDep, document: DocumentDep,
                 background: BackgroundTasks, start: Annotated[int, Form()], end: Annotated[int, Form()],
                 code: Annotated[str, Form()], memo: Annotated[str, Form()] = ""):
    chosen = store.get_code(session, project_id=document.project_id, key=code)
    start, end = trim(document.text, start, end)
    store.add_coding(session, document=document, code=chosen, user=user, start=start, end=end, memo=memo)
    background.add_task(retrain_if_due, request.app.state.engine, document.project_id)
    return turns_response(request, session, document, start, end, user=user, message=f"Coded as {chosen.name}")


@router.get("/documents/{document_id}/codings-at", response_class=HTMLResponse)
def coding_panel(request: Request, session: SessionDep, document: DocumentDep, start: int, end: int):
    found = codings_at(session, document=document, start=start, end=end)
    return request.app.state.templates.TemplateResponse(
        request, "partials/document/coding_panel.html",
        {"found": found, "document": document, "start": start, "end": end})


@router.post("/codings/{coding_id}/remove", response_class=HTMLResponse)
def remove_coding(request: Request, session: SessionDep, user: UserDep, coding: CodingDep):
    store.remove_coding(session, coding=coding, user=user)
    document = store.get_document(session, document_id=coding.document_id)
    return turns_response(request, session, document, coding.start, coding.end, user=user,
                           panel={"found": codings_at(session, document=document, start=coding.start,
                                                      end=coding.end),
                                  "start": coding.start, "end": coding.end},
                           message="Code removed")


@router.post("/codings/{coding_id}/memo", response_class=HTMLResponse)
def save_memo(request: Request, session: SessionDep, user: UserDep, coding: CodingDep,
              memo: Annotated[str, Form()] = ""):
    store.set_memo(session, coding=coding, user=user, memo=memo)
    return HTMLResponse('<span class="saved" role="status">Memo saved</span>')


@router.post("/projects/{project_id}/undo")
def undo(request: Request, session: SessionDep, user: UserDep, project: ProjectDep, document_id: int = 0):
    event = store.undo_last(session, project_id=project.id, user=user)
    if event is None:
        return HTMLResponse("Nothing to undo")
    if document_id and event.document_id == document_id and "start" in event.payload:
        document = store.get_document(session, document_id=document_id)
        return turns_response(request, session, document, event.payload["start"], event.payload["end"], user=user,
                               message=f"Undone: {event.payload['undid']}")
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/interviewers")
def set_interviewers(session: SessionDep, user: UserDep, document: DocumentDep,
                     speakers: Annotated[list[str], Form()] = []):
    store.set_interviewers(session, document=document, user=user, speakers=[s for s in speakers if s])
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/participant")
def set_participant(session: SessionDep, user: UserDep, document: DocumentDep,
                    participant: Annotated[str, Form()] = ""):
    store.set_document_participant(session, document=document, user=user, label=participant)
    return Response(status_code=204, headers={"HX-Refresh": "true"})
