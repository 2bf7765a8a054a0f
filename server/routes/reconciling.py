"""The lead's agreement page, the side-by-side comparison of coders, and the reconciliation queue."""

from typing import Annotated, Optional

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from coding import store
from coding.jobs import work
from coding.team import agreement_cache, agreement_report, reconcile
from coding.team.measures import NOT_APPLICABLE, figure, interval, plain_sentence
from coding.workspace.rendering import turn_views
from server.deps import DocumentAccess, ForDocument, LeadDep, SessionDep, id_in

router = APIRouter(tags=["pages"], include_in_schema=False)
LeadDocumentDep = Annotated[DocumentAccess, Depends(ForDocument("lead"))]


@router.get("/projects/{project_id}/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, session: SessionDep, access: LeadDep, unit: str = "turn",
                   as_of: Optional[str] = None):
    earlier = id_in(as_of)
    kept = agreement_cache.kept(session, project_id=access.project.id, unit=unit) if earlier is None else None
    report, job = kept.report if kept else None, None
    if earlier is not None:  # as of an earlier codebook version: worked out each time, never kept
        report = agreement_report.project_reliability(session, project_id=access.project.id, unit=unit,
                                                      as_of=earlier)
    elif kept is None or not kept.current:
        if agreement_cache.coder_codings(session, project_id=access.project.id) < agreement_cache.INLINE_CODINGS:
            report, kept = agreement_cache.work_out(session, project_id=access.project.id, unit=unit), None
        else:  # worked out by a job; until it is done the page shows the older figures, or the progress
            job = work.agreement(request.app.state.jobs, session, project_id=access.project.id, user=access.user,
                                 unit=unit, local=access.local)
            if job.status == "done":  # it ran as it was started (a server on an in-memory database)
                kept, job = agreement_cache.kept(session, project_id=access.project.id, unit=unit), None
                report = kept.report if kept else None
    return request.app.state.templates.TemplateResponse(request, "pages/agreement.html", {
        "project": access.project, "access": access, "report": report, "kept": kept, "job": job, "unit": unit,
        "as_of": earlier,
        "sentence": plain_sentence,
        "fig": figure, "interval": interval, "not_applicable": NOT_APPLICABLE,
        "units": agreement_report.UNITS, "words": store.Wording(session, project_id=access.project.id)})


@router.get("/documents/{document_id}/compare", response_class=HTMLResponse)
def compare(request: Request, session: SessionDep, target: LeadDocumentDep, unit: str = "turn"):
    document = target.document
    layers = reconcile.coder_layers(session, document=document)
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    turns = store.document_turns(session, document_id=document.id)
    columns = {coder: turn_views(document, turns, codings, codes) for coder, codings in layers.items()}
    disputed: dict[int, list[str]] = {}
    for item in reconcile.disagreements(session, document=document, unit=unit):
        for turn in turns:
            if turn.start <= item.start < turn.end or (item.start <= turn.start < item.end):
                disputed.setdefault(turn.id, []).append(item.code.name)
    return request.app.state.templates.TemplateResponse(request, "pages/compare.html", {
        "project": target.access.project, "access": target.access, "document": document, "turns": turns,
        "columns": columns, "disputed": disputed, "unit": unit,
        "left_out": reconcile.left_out(session, document=document),
        "words": store.Wording(session, project_id=document.project_id)})


ITEMS_PER_PAGE = 25  # a long transcript has hundreds of disagreements; each item carries its own form


def _queue(request: Request, session, target: DocumentAccess, unit: str, message: Optional[str] = None,
           template: str = "pages/reconcile.html", status: int = 200, page: int = 1) -> HTMLResponse:
    document = target.document
    found = reconcile.queue(session, document=document, unit=unit)
    pages = max(1, -(-len(found.waiting) // ITEMS_PER_PAGE))
    page = min(page, pages)
    first = (page - 1) * ITEMS_PER_PAGE
    return request.app.state.templates.TemplateResponse(request, template, {
        "project": target.access.project, "access": target.access, "document": document, "unit": unit,
        "coders": found.coders, "left_out": found.left_out, "waiting": found.waiting, "agreed": found.agreed,
        "shown": found.waiting[first:first + ITEMS_PER_PAGE], "first": first, "page": page, "pages": pages,
        "message": message, "decisions": found.decisions, "consensus": found.consensus,
        "codes": {c.id: c for c in store.project_codes(session, project_id=document.project_id)},
        "users": {u.id: u for u in store.list_users(session)},
        "words": store.Wording(session, project_id=document.project_id)}, status_code=status)


@router.get("/documents/{document_id}/reconcile", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, target: LeadDocumentDep, unit: str = "turn",
          page: Annotated[int, Query(ge=1, le=1_000_000)] = 1):
    return _queue(request, session, target, unit, page=page)


@router.post("/documents/{document_id}/reconcile", response_class=HTMLResponse)
def decide(request: Request, session: SessionDep, target: LeadDocumentDep, unit: Annotated[str, Form()],
           start: Annotated[int, Form()], end: Annotated[int, Form()], code: Annotated[str, Form()],
           decision: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
           span_start: Annotated[Optional[int], Form()] = None, span_end: Annotated[Optional[int], Form()] = None,
           page: Annotated[int, Form(ge=1, le=1_000_000)] = 1):
    span = (span_start, span_end) if span_start is not None and span_end is not None else None
    decision, _, keep = decision.partition(":")  # "keep:sam" keeps sam's coding
    record = reconcile.decide(session, document=target.document, lead=target.access.user, unit=unit, start=start,
                              end=end, code_key=code, decision=decision, keep=keep or None, span=span, reason=reason)
    return _queue(request, session, target, unit, reconcile.decided_message(session, record=record),
                  "partials/reconcile/queue.html", page=page)


@router.post("/documents/{document_id}/reconcile/agreed", response_class=HTMLResponse)
def accept_agreed(request: Request, session: SessionDep, target: LeadDocumentDep, unit: Annotated[str, Form()]):
    count = reconcile.accept_agreements(session, document=target.document, lead=target.access.user, unit=unit)
    return _queue(request, session, target, unit, f"{count} agreed coding(s) written to the consensus layer",
                  "partials/reconcile/queue.html")
