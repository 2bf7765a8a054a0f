"""The JSON API of what the document page offers besides coding: the coder's keyword suggestions (list, accept,
reject, and the lead's overview and retraining), find in the transcript and its turn outline (included in the
/api router of api_team)."""

from typing import Annotated, Optional

from fastapi import APIRouter, BackgroundTasks, Query, Request
from pydantic import BaseModel, Field

from coding import store
from coding.suggest import review
from coding.suggest.scoring import THRESHOLD
from coding.workspace import finding
from server import encoding
from server.deps import ID_MAX, CoderDocumentDep, DocumentDep, LeadDep, SessionDep, visible_layers
from server.routes.api import CodingOut, coding_out
from server.routes.api_coding import CHANGE, READ, answers

router = APIRouter()  # its routes take the tag and prefix of api_team's router
LISTED_MAX = 500


class SuggestionOut(BaseModel):
    start: int = Field(description="code-point offset where the suggested passage starts")
    end: int
    code_id: str = Field(description="the key of the suggested code", examples=["safety"])
    code_name: str
    score: float = Field(description="the calibrated probability that the code is right, 0 to 1")
    confidence: str = Field(description="the score as the page shows it: likely, possible or unsure")
    matched: list[str] = Field(description="the words that led to it; empty when the passage as a whole did")
    text: str


class SuggestionIn(BaseModel):
    start: int = Field(ge=0, le=ID_MAX)
    end: int = Field(ge=1, le=ID_MAX)
    code_id: str = Field(min_length=1, max_length=200, description="the key of the suggested code")
    score: float = Field(default=0.0, allow_inf_nan=False, description="the score it was shown with")


class Rejected(BaseModel):
    start: int
    end: int
    code_id: str
    rejected: bool = True


class CodeAcceptanceOut(BaseModel):
    code_id: str
    code_name: str
    accepted: int
    rejected: int
    rate: Optional[float] = Field(description="share accepted of those answered; null before any answer")


class BandAcceptanceOut(BaseModel):
    confidence: str = Field(examples=["likely"])
    low: float = Field(description="the band's lowest score")
    high: float = Field(description="the score above the band (1 for the top band, which includes it)")
    accepted: int
    rejected: int
    rate: Optional[float] = Field(description="share accepted of those answered; null before any answer")
    mean_score: Optional[float] = Field(description="mean score of those answered; null before any answer")


class ThresholdIn(BaseModel):
    threshold: float = Field(ge=THRESHOLD, le=0.95, allow_inf_nan=False,
                             description="the calibrated score from which a code is suggested")


class SuggestionsOverview(BaseModel):
    threshold: float = Field(description="the calibrated score from which the project's coders see a suggestion")
    codes: list[CodeAcceptanceOut] = Field(description="per top-level code, how its suggestions fared")
    confidence: list[BandAcceptanceOut] = Field(
        description="per confidence word, how the suggestions shown with it fared (the team's check of calibration)")
    model_trained_at: Optional[str] = Field(description="when the model learned last (ISO 8601), or null")
    signals: int = Field(description="codings and decisions the model may learn from")


class FoundOut(BaseModel):
    query: str
    hits: list[tuple[int, int]] = Field(description="[start, end) code-point offsets of the first hits")
    total: int = Field(description="how many were found (past the count limit: the limit plus one)")
    summary: str = Field(examples=["12 found"])


class OutlineItemOut(BaseModel):
    seq: int = Field(description="the turn's number, from 0")
    start: int
    speaker: str
    opening: str = Field(description="the turn's first words")
    cue_start_ms: Optional[int]
    coded: bool = Field(description="whether a coding you may see lies on the turn")


class OutlineOut(BaseModel):
    turns: list[OutlineItemOut]
    next: Optional[int] = Field(description="`from` for the next page of turns; null after the last")
    total: int


@router.get("/documents/{document_id}/suggestions", responses=answers(403, 404))
def list_suggestions(request: Request, session: SessionDep, target: CoderDocumentDep, background: BackgroundTasks,
                     limit: Annotated[int, Query(ge=1, le=LISTED_MAX)] = 50) -> list[SuggestionOut]:
    """The caller's suggestions on the transcript that they have not answered or already coded, in text order
    (a coder's own: each coder sees suggestions from their own model in a blind project). With the optional
    sentence encoder, the first call has it read the transcript in the background; later calls use it."""
    document = target.document
    encoding.after(background, request.app, document=document, user=target.access.user, local=target.access.local)
    shown = review.document_suggestions(session, document=document, user=target.access.user, limit=limit)
    return [SuggestionOut(start=s.start, end=s.end, code_id=s.code.key, code_name=s.code.name, score=s.score,
                          confidence=s.confidence, matched=list(s.matched), text=document.text[s.start:s.end])
            for s in shown]


@router.post("/documents/{document_id}/suggestions/accept", status_code=201, responses=CHANGE)
def accept_suggestion(body: SuggestionIn, request: Request, session: SessionDep, target: CoderDocumentDep,
                      background: BackgroundTasks) -> CodingOut:
    """Accept a suggestion: it becomes a coding in the caller's layer (origin "suggestion") and is learned from."""
    document, user = target.document, target.access.user
    coding = review.accept(session, document=document, user=user, code_key=body.code_id, start=body.start,
                           end=body.end, score=body.score)
    background.add_task(review.retrain_if_due, request.app.state.engine, document.project_id, user.id)
    return coding_out(coding, body.code_id, user.shown_name, document.text)


@router.post("/documents/{document_id}/suggestions/reject", responses=CHANGE)
def reject_suggestion(body: SuggestionIn, request: Request, session: SessionDep, target: CoderDocumentDep,
                      background: BackgroundTasks) -> Rejected:
    """Reject a suggestion: it is never suggested to the caller again, and the model learns from it."""
    document, user = target.document, target.access.user
    review.reject(session, document=document, user=user, code_key=body.code_id, start=body.start, end=body.end,
                  score=body.score)
    background.add_task(review.retrain_if_due, request.app.state.engine, document.project_id, user.id)
    return Rejected(start=body.start, end=body.end, code_id=body.code_id)


@router.get("/projects/{project_id}/suggestions", responses=answers(403, 404))
def suggestions_overview(session: SessionDep, access: LeadDep) -> SuggestionsOverview:
    """For the lead: how often each top-level code's suggestions were accepted and rejected, and the model."""
    project = access.project
    owner = review.owner_of_model(project, access.user)
    model = review.latest_model(session, project_id=project.id, user_id=owner)
    return SuggestionsOverview(
        threshold=project.suggest_threshold,
        codes=[CodeAcceptanceOut(code_id=row.code.key, code_name=row.code.name, accepted=row.accepted,
                                 rejected=row.rejected, rate=row.rate)
               for row in review.acceptance(session, project_id=project.id)],
        confidence=[BandAcceptanceOut(confidence=b.word, low=b.low, high=b.high, accepted=b.accepted,
                                      rejected=b.rejected, rate=b.rate, mean_score=b.mean_score)
                    for b in review.acceptance_by_confidence(session, project_id=project.id)],
        model_trained_at=model.trained_at.isoformat() if model else None,
        signals=review.signal_count(session, project_id=project.id, user_id=owner))


@router.post("/projects/{project_id}/suggestions/retrain", responses=answers(403, 404))
def retrain_suggestions(session: SessionDep, access: LeadDep) -> SuggestionsOverview:
    """For the lead: let the model learn from the codings and decisions so far, now; answers the overview."""
    review.retrain(session, project_id=access.project.id, user_id=review.owner_of_model(access.project, access.user))
    return suggestions_overview(session, access)


@router.put("/projects/{project_id}/suggestions/threshold", responses=answers(403, 404))
def set_suggestion_threshold(body: ThresholdIn, session: SessionDep, access: LeadDep) -> SuggestionsOverview:
    """For the lead: the calibrated score from which the project's coders are shown a suggestion (logged)."""
    review.set_threshold(session, project=access.project, user=access.user, threshold=body.threshold)
    return suggestions_overview(session, access)


@router.get("/documents/{document_id}/find", responses=READ)
def find_in_document(session: SessionDep, target: DocumentDep,
                     q: Annotated[str, Query(min_length=1, max_length=200, description="the words to find")]) -> FoundOut:
    """Where the words occur in the transcript's turns (never in a speaker's label), case and accents aside."""
    found = finding.find_in_turns(session, document=target.document, query=q)
    return FoundOut(query=found.query, hits=found.hits, total=found.total, summary=found.summary)


@router.get("/documents/{document_id}/outline", responses=READ)
def document_outline(session: SessionDep, target: DocumentDep,
                     first: Annotated[int, Query(alias="from", ge=0, le=ID_MAX)] = 0) -> OutlineOut:
    """A page of the transcript's turns from turn `from`: speaker, first words, cue time, whether coded (in the
    layers the caller may see)."""
    items, after = finding.outline(session, document=target.document, first=first,
                                   layers=visible_layers(session, target))
    total = store.turn_count(session, document_id=target.document.id)
    return OutlineOut(turns=[OutlineItemOut(seq=i.seq, start=i.start, speaker=i.speaker, opening=i.opening,
                                            cue_start_ms=i.cue_start_ms, coded=i.coded) for i in items],
                      next=after if after < total else None, total=total)
