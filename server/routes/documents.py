"""The document page: reading, coding, memos, undo, interviewer and participant settings, revealing."""

import itertools
from typing import Annotated, Iterable, Literal, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from coding import store
from coding.store import versions
from coding.suggest.review import PANEL, retrain_if_due
from coding.team import accounts, visibility
from coding.text.spans import NUDGES
from coding.workspace import finding, recordings
from coding.workspace.chunks import Span, locate
from coding.workspace.rendering import affected_turns, document_chunk, document_page, passage_panel
from server import encoding
from server.deps import (ID_MAX, CoderDocumentDep, CodingDep, DocumentAccess, DocumentDep,
                         LeadDocumentDep, ProjectDep, SessionDep, form_id, shown_layers, visible_layers, wanted_layers)
from server.routes.progress import status_context

router = APIRouter(tags=["pages"], include_in_schema=False)


def turns_response(request: Request, session, target: DocumentAccess, start: int, end: int, *, panel=None,
                   message: str = "Saved", suggestions=None, counted: Iterable[int] = ()) -> HTMLResponse:
    """The turns a change touched, as out-of-band swaps, plus the undo button, the palette counts of the codes
    `counted` (ids) and, if given, the coding panel and the suggestions panel."""
    document, access = target.document, target.access
    user = access.user
    shown = shown_layers(request, session, target)
    wanted = set(counted)
    scope = visibility.scope_for(session, project=access.project, user=user, role=access.role)
    codes = store.code_records(session, project_id=document.project_id)  # read once, for every part below
    context = {
        "counted": [c for c in codes if c.id in wanted],
        "counts": visibility.code_counts(session, project_id=document.project_id, scope=scope,
                                         document_id=document.id, shown=shown) if wanted else {},
        "document": document,
        "turns": affected_turns(session, document=document, start=start, end=end, user=user, with_suggestions=True,
                                layers=shown, codes=codes),
        "coding_count": store.document_coding_count(session, document_id=document.id, layers=shown),
        "suggestions": suggestions,
        "suggestions_listed": PANEL,
        "undo_hint": store.undo_hint(session, project_id=document.project_id, user=user, document_id=document.id,
                                     codes=codes),
        "project_id": document.project_id,
        "panel": panel,
        "message": message,
    }
    return request.app.state.templates.TemplateResponse(request, "partials/document/changed.html", context)


Position = Annotated[Optional[int], Query(ge=0, le=ID_MAX)]


def chunk_span(session: SessionDep, target: DocumentDep, first: Annotated[Position, Query(alias="from")] = None,
               last: Annotated[Position, Query(alias="to")] = None, at: Position = None, ms: Position = None) -> Span:
    """The chunk of turns asked for: `from` a turn on, up `to` one, around offset `at` or recording time `ms`."""
    return locate(session, document=target.document, first=first, last=last, at=at, ms=ms)


SpanDep = Annotated[Span, Depends(chunk_span)]


def layers_query(request: Request) -> str:
    """The reader's chosen layers as a query string to carry into links ("layers=coder:3&"), or ""."""
    wanted = wanted_layers(request)
    return urlencode([("layers", value) for value in wanted]) + "&" if wanted else ""


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def show_document(request: Request, session: SessionDep, target: DocumentDep, span: SpanDep,
                  background: BackgroundTasks):
    access = target.access
    scope = visibility.scope_for(session, project=access.project, user=access.user, role=access.role)
    page = document_page(session, document=target.document, user=access.user, layers=visible_layers(session, target),
                         codes_here=access.can("coder"), wanted=wanted_layers(request), span=span, scope=scope)
    if page.suggestions_reading:
        encoding.after(background, request.app, document=target.document, user=access.user, local=access.local)
    return request.app.state.templates.TemplateResponse(
        request, "pages/document.html",
        {"page": page, "chunk": page.chunk, "layers_query": layers_query(request),
         "project": access.project, "document": target.document, "access": access,
         "assignees": accounts.assignees(session, document_id=target.document.id),
         "linked": store.translations(session, document=target.document),
         "revisit": versions.revisits(session, project_id=access.project.id, document_id=target.document.id,
                                      user=access.user) if access.can("coder") else None,
         "others": [d for d in store.document_summaries(session, project_id=access.project.id)
                    if d.id != target.document.id] if access.can("lead") else [],
         "recording": recordings.find(session, document_id=target.document.id),
         "status": status_context(request, session, target, scope=scope, undo_hint=page.undo_hint)})


@router.get("/documents/{document_id}/turns", response_class=HTMLResponse)
def show_turns(request: Request, session: SessionDep, target: DocumentDep, span: SpanDep):
    chunk = document_chunk(session, document=target.document, user=target.access.user, span=span,
                           layers=shown_layers(request, session, target), codes_here=target.access.can("coder"))
    return request.app.state.templates.TemplateResponse(request, "partials/document/turns.html", {
        "document": target.document, "chunk": chunk, "layers_query": layers_query(request)})


@router.get("/documents/{document_id}/find")
def find_in_document(session: SessionDep, target: DocumentDep, q: Annotated[str, Query(min_length=1, max_length=200)]):
    found = finding.find_in_turns(session, document=target.document, query=q)
    return {"query": found.query, "hits": found.hits, "total": found.total, "summary": found.summary}


@router.get("/documents/{document_id}/outline", response_class=HTMLResponse)
def show_outline(request: Request, session: SessionDep, target: DocumentDep,
                 first: Annotated[int, Query(alias="from", ge=0, le=ID_MAX)] = 0):
    items, after = finding.outline(session, document=target.document, first=first,
                                   layers=shown_layers(request, session, target))
    return request.app.state.templates.TemplateResponse(request, "partials/document/outline.html", {
        "document": target.document, "items": items, "after": after, "layers_query": layers_query(request),
        "total": store.turn_count(session, document_id=target.document.id), "size": finding.OUTLINE_PAGE})


@router.post("/documents/{document_id}/codings", response_class=HTMLResponse)
def code_passage(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks,
                 start: Annotated[int, Form()], end: Annotated[int, Form()], code: Annotated[str, Form()],
                 memo: Annotated[str, Form()] = ""):
    document = target.document
    chosen = store.get_code(session, project_id=document.project_id, key=code)
    start, end = store.span_asked(session, document, None, start, end)
    store.add_coding(session, document=document, code=chosen, user=target.access.user, start=start, end=end, memo=memo)
    background.add_task(retrain_if_due, request.app.state.engine, document.project_id, target.access.user.id)
    return turns_response(request, session, target, start, end, message=f"Coded as {chosen.name}",
                          counted=[chosen.id])


@router.get("/documents/{document_id}/codings-at", response_class=HTMLResponse)
def coding_panel(request: Request, session: SessionDep, target: DocumentDep, start: int, end: int):
    panel = passage_panel(session, document=target.document, user=target.access.user, start=start, end=end,
                          layers=shown_layers(request, session, target))
    return request.app.state.templates.TemplateResponse(
        request, "partials/document/coding_panel.html", {"document": target.document, **panel})


def _document_target(target) -> DocumentAccess:
    return DocumentAccess(target.document, target.access)


@router.post("/codings/{coding_id}/remove", response_class=HTMLResponse)
def remove_coding(request: Request, session: SessionDep, target: CodingDep):
    coding = target.coding
    store.remove_coding(session, coding=coding, user=target.access.user)
    return _changed_in_place(request, session, target, coding.start, coding.end, "Code removed", [coding.code_id])


@router.post("/codings/{coding_id}/span", response_class=HTMLResponse)
def resize_coding(request: Request, session: SessionDep, target: CodingDep,
                  start: Annotated[Optional[int], Form(ge=0, le=ID_MAX)] = None,
                  end: Annotated[Optional[int], Form(ge=0, le=ID_MAX)] = None,
                  move: Annotated[Optional[Literal[NUDGES]], Form()] = None):
    coding, document = target.coding, target.document
    was = (coding.start, coding.end)
    start, end = store.span_asked(session, document, was, start, end, move)
    store.resize_coding(session, coding=coding, user=target.access.user, start=start, end=end)
    return _changed_in_place(request, session, target, min(was[0], start), max(was[1], end),
                             f"The span of {store.quote(document.text, start, end)} is saved", [coding.code_id])


@router.post("/codings/{coding_id}/code", response_class=HTMLResponse)
def recode_coding(request: Request, session: SessionDep, target: CodingDep, code: Annotated[str, Form(max_length=200)]):
    coding, document = target.coding, target.document
    was = coding.code_id
    chosen = store.get_code(session, project_id=document.project_id, key=code)
    store.recode_coding(session, coding=coding, user=target.access.user, code=chosen)
    return _changed_in_place(request, session, target, coding.start, coding.end, f"Changed to {chosen.name}",
                             [was, chosen.id])


def _changed_in_place(request: Request, session, target, start: int, end: int, message: str, counted) -> HTMLResponse:
    """The answer to a change of one coding that stays on the page: its turns, counts and its passage's panel."""
    where, coding = _document_target(target), target.coding
    panel = passage_panel(session, document=target.document, user=target.access.user, start=coding.start,
                          end=coding.end, layers=shown_layers(request, session, where))
    return turns_response(request, session, where, start, end, message=message, counted=counted, panel=panel)


@router.post("/codings/{coding_id}/memo", response_class=HTMLResponse)
def save_memo(request: Request, session: SessionDep, target: CodingDep, memo: Annotated[str, Form()] = ""):
    coding, document, user = target.coding, target.document, target.access.user
    store.set_memo(session, coding=coding, user=user, memo=memo)
    turns = affected_turns(session, document=document, start=coding.start, end=coding.end, user=user,
                           with_suggestions=True, layers=shown_layers(request, session, _document_target(target)))
    return request.app.state.templates.TemplateResponse(request, "partials/document/memo_saved.html", {
        "document": document, "project_id": document.project_id, "turns": turns,
        "undo_hint": store.undo_hint(session, project_id=document.project_id, user=user, document_id=document.id)})


@router.post("/projects/{project_id}/undo")
def undo(request: Request, session: SessionDep, access: ProjectDep, document_id: Annotated[int, Query(ge=0, le=ID_MAX)] = 0):
    event = accounts.undo(session, project_id=access.project.id, user=access.user, role=access.role,
                          document_id=document_id or None)
    if event is None:
        return HTMLResponse("Nothing to undo on this transcript" if document_id else "Nothing to undo")
    span = store.touched(event)
    if document_id and span:
        document = store.get_document(session, document_id=document_id)
        keys = {event.payload.get("code"), event.payload.get("before")} if event.payload.get("kind") == "coding.recoded" \
            else {event.payload.get("code")}
        counted = [c.id for c in store.project_codes(session, project_id=document.project_id) if c.key in keys]
        return turns_response(request, session, DocumentAccess(document, access), *span,
                              message=store.undone_message(session, event=event), counted=counted)
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


@router.post("/documents/{document_id}/revisited")
def mark_revisited(session: SessionDep, target: CoderDocumentDep):
    """The coder has revisited their codings of this transcript under the newest codebook version."""
    versions.mark_revisited(session, project_id=target.document.project_id, document_id=target.document.id,
                            user=target.access.user)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/language")
def set_language(session: SessionDep, target: LeadDocumentDep, language: Annotated[str, Form(max_length=40)] = "",
                 other: Annotated[str, Form(max_length=40)] = "", mediation: Annotated[str, Form(max_length=20)] = ""):
    """The transcript's language (from the list, or another tag typed in) and how it reached it."""
    store.set_language(session, document=target.document, user=target.access.user,
                       language=other.strip() or language, mediation=mediation)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/original")
def set_original(session: SessionDep, target: LeadDocumentDep, original: Annotated[str, Form(max_length=20)] = ""):
    """Link the transcript as a translation of another of the project (empty: not a translation)."""
    store.set_original(session, document=target.document, user=target.access.user,
                       original_id=form_id(original, "transcript"))
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.get("/documents/{document_id}/side-by-side", response_class=HTMLResponse)
def side_by_side(request: Request, session: SessionDep, target: DocumentDep,
                 other: Annotated[int, Query(alias="with", ge=1, le=ID_MAX)]):
    """A transcript and its original or translation in two columns, turn beside turn, each opening to be coded."""
    linked = {d.id: d for d in store.translations(session, document=target.document)}
    if other not in linked:
        raise store.NotFound("that transcript is not an original or translation of this one")
    pair = [target.document, store.get_document(session, document_id=other)]
    if pair[0].original_id is not None:
        pair.reverse()  # the original on the left
    scope = visibility.scope_for(session, project=target.access.project, user=target.access.user,
                                 role=target.access.role)
    if scope.documents is not None and not all(d.id in scope.documents for d in pair):
        raise store.NotFound("that transcript is not an original or translation of this one")
    turns = [store.document_turns(session, document_id=d.id) for d in pair]
    rows = list(itertools.zip_longest(*[[d.text[t.start:t.end] if t else "" for t in ts] for d, ts in zip(pair, turns)],
                                      fillvalue=""))
    speakers = list(itertools.zip_longest(*[[t.speaker or "" for t in ts] for ts in turns], fillvalue=""))
    return request.app.state.templates.TemplateResponse(request, "pages/side_by_side.html", {
        "project": target.access.project, "access": target.access, "pair": pair, "rows": list(zip(rows, speakers)),
        "aligned": len(turns[0]) == len(turns[1])})


@router.post("/documents/{document_id}/participant")
def set_participant(session: SessionDep, target: LeadDocumentDep, participant: Annotated[str, Form()] = ""):
    store.set_document_participant(session, document=target.document, user=target.access.user, label=participant)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/documents/{document_id}/reveal")
def reveal(session: SessionDep, target: LeadDocumentDep, revealed: Annotated[bool, Form()] = False):
    accounts.set_revealed(session, document=target.document, by=target.access.user, revealed=revealed)
    return Response(status_code=204, headers={"HX-Refresh": "true"})
