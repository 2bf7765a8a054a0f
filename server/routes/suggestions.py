"""Suggestions on the document page (show, accept, reject), the coder's toggle, and the lead's overview."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, Response

from coding import store
from coding.suggest import review
from coding.suggest.scoring import CONFIDENCE, THRESHOLD
from coding.workspace.rendering import suggestion_turns, suggestions_on
from server import encoding
from server.deps import CoderDocumentDep, DocumentAccess, LeadDep, SessionDep, UserDep, visible_layers
from server.routes.documents import turns_response

router = APIRouter(tags=["pages"], include_in_schema=False)
Start = Annotated[int, Form()]
End = Annotated[int, Form()]
CodeKey = Annotated[str, Form()]
Score = Annotated[float, Form(allow_inf_nan=False)]
# the lead's choices of how sure a suggestion must be before coders see it
_FLOOR = {word: low for low, word in CONFIDENCE}
THRESHOLDS = ((THRESHOLD, "All with evidence"), (_FLOOR["possible"], "Possible and likely"),
              (_FLOOR["likely"], "Likely only"))


@router.get("/documents/{document_id}/suggestions", response_class=HTMLResponse)
def show(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks):
    document, user = target.document, target.access.user
    on = suggestions_on(user)
    reading = on and review.encoder_reading(session, document=document)
    if reading:
        encoding.after(background, request.app, document=document, user=user, local=target.access.local)
    turns, shown = (suggestion_turns(session, document=document, user=user, layers=visible_layers(session, target))
                    if on else ([], []))
    return request.app.state.templates.TemplateResponse(
        request, "partials/document/suggestions_loaded.html",
        {"document": document, "on": on, "shown": shown, "turns": turns, "more": len(shown) > review.PANEL,
         "reading": reading})


def _answered(request: Request, session, target: DocumentAccess, start: int, end: int, message: str) -> HTMLResponse:
    remaining = review.document_suggestions(session, document=target.document, user=target.access.user,
                                            limit=review.PANEL + 1)
    return turns_response(request, session, target, start, end, message=message, suggestions=remaining)


@router.post("/documents/{document_id}/suggestions/accept", response_class=HTMLResponse)
def accept(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks,
           start: Start, end: End, code: CodeKey, score: Score = 0.0):
    coding = review.accept(session, document=target.document, user=target.access.user, code_key=code,
                           start=start, end=end, score=score)
    background.add_task(review.retrain_if_due, request.app.state.engine, target.document.project_id,
                        target.access.user.id)
    return _answered(request, session, target, coding.start, coding.end, "Accepted: coded as suggested")


@router.post("/documents/{document_id}/suggestions/reject", response_class=HTMLResponse)
def reject(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks,
           start: Start, end: End, code: CodeKey, score: Score = 0.0):
    review.reject(session, document=target.document, user=target.access.user, code_key=code, start=start,
                  end=end, score=score)
    background.add_task(review.retrain_if_due, request.app.state.engine, target.document.project_id,
                        target.access.user.id)
    return _answered(request, session, target, start, end, "Rejected: it will not be suggested to you again")


@router.post("/preferences/suggestions")
def toggle(session: SessionDep, user: UserDep, on: Annotated[bool, Form()]):
    store.set_preference(session, user=user, key="suggestions", value=on)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.get("/projects/{project_id}/suggestions", response_class=HTMLResponse)
def overview(request: Request, session: SessionDep, access: LeadDep):
    project = access.project
    owner = review.owner_of_model(project, access.user)
    return request.app.state.templates.TemplateResponse(request, "pages/suggestions.html", {
        "project": project, "access": access, "rows": review.acceptance(session, project_id=project.id),
        "bands": review.acceptance_by_confidence(session, project_id=project.id), "levels": THRESHOLDS,
        "model": review.latest_model(session, project_id=project.id, user_id=owner),
        "signals": review.signal_count(session, project_id=project.id, user_id=owner)})


@router.post("/projects/{project_id}/suggestions/threshold")
def threshold(session: SessionDep, access: LeadDep, value: Annotated[float, Form(allow_inf_nan=False)]):
    review.set_threshold(session, project=access.project, user=access.user, threshold=value)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


@router.post("/projects/{project_id}/suggestions/retrain")
def retrain(session: SessionDep, access: LeadDep):
    review.retrain(session, project_id=access.project.id,
                   user_id=review.owner_of_model(access.project, access.user))
    return Response(status_code=204, headers={"HX-Refresh": "true"})
