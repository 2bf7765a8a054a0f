"""The bodies and answers of the analysis API (server/routes/api_analysis.py), as /openapi.json documents them."""

from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, StrictInt

from server.deps import ID_MAX

LAYER = r"^(all|consensus|coder:[0-9]{1,10})$"
Figure = Optional[float]


class QuoteOut(BaseModel):
    id: int = Field(description="the coding's id")
    document_id: int
    document: str
    participant: Optional[str]
    citation: str = Field(examples=["(PV44, online)"])
    attributes: dict[str, Any]
    code: str = Field(description="the code's key")
    code_name: str
    code_path: list[str]
    coder: str
    text: str
    start: int
    end: int
    memo: str
    origin: str


class QueryIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    codes: list[str] = Field(default=[], max_length=200)
    match: Literal["any", "all"] = "any"
    together: Literal["overlap", "turn"] = "overlap"
    document_ids: list[StrictInt] = Field(default=[], max_length=1000)
    attributes: dict[str, str] = {}
    text: str = Field(default="", max_length=500)
    layer: Optional[str] = Field(default=None, pattern=LAYER)


class QueryOut(BaseModel):
    id: int
    project_id: int
    name: str
    params: dict
    created_by: int
    created_at: datetime
    results_url: str


class AxisOut(BaseModel):
    key: str
    label: str


class CellOut(BaseModel):
    row: str
    column: str
    count: int
    participants: Optional[int] = Field(None, description="distinct participants (code × attribute only)")
    quotes: list[int] = Field(description="ids of the codings the cell counted")
    quotes_url: str


class MatrixOut(BaseModel):
    kind: Literal["values-decisions", "decision", "codes", "attribute"]
    measure: str
    mode: str
    attribute: Optional[str]
    rows: list[AxisOut]
    columns: list[AxisOut]
    cells: list[CellOut]


class FrequencyOut(BaseModel):
    key: str
    name: str
    colour: str
    passages: int
    participants: int
    documents: int


class ValueOut(FrequencyOut):
    tier: str
    quotes: list[int]


class PyramidOut(BaseModel):
    foundation: list[ValueOut]
    dependent: list[ValueOut]
    thin_foundation: list[str] = Field(description="foundation values with no evidence")


class PairKappa(BaseModel):
    a: str
    b: str
    kappa: Figure


class CodeAgreement(BaseModel):
    code: Optional[str] = Field(description="the top-level code's key; null for all codes pooled")
    name: Optional[str]
    used: bool = Field(description="false: no coder applied the code, agreement does not apply")
    items: int
    alpha: Figure
    alpha_ci: Optional[tuple[float, float]]
    mean_kappa: Figure
    kappa: list[PairKappa]
    percent: Figure
    overlap_f1: Figure
    boundary: Figure
    unitizing_alpha: Figure


class PairAgreement(BaseModel):
    a: str
    b: str
    items: int
    percent: Figure
    kappa: Figure
    kappa_ci: Optional[tuple[float, float]]


class DocumentDisagreement(BaseModel):
    document_id: int
    document: str
    coders: list[str]
    disagreements: int
    items: int


class LeftOutOut(BaseModel):
    user: str
    status: str
    reason: str


class WaitingOut(BaseModel):
    document_id: int
    document: str
    coders: list[LeftOutOut]


class AgreementOut(BaseModel):
    unit: str
    coders: list[str] = Field(description="the coders compared (they marked their transcripts done)")
    pooled: Optional[CodeAgreement]
    codes: list[CodeAgreement]
    pairs: list[PairAgreement]
    documents: list[DocumentDisagreement]
    left_out: list[WaitingOut]


class CodingOut(BaseModel):
    id: int
    start: int
    end: int
    text: str
    memo: str


class ItemOut(BaseModel):
    item: str = Field(description="what a decision names: unit:start:end:code key",
                      examples=["turn:40:128:safety"])
    unit: str
    start: int
    end: int
    code: str
    code_name: str
    text: str
    applied: dict[str, list[CodingOut]] = Field(description="each coder who applied the code here, with codings")
    missing: list[str] = Field(description="the compared coders who did not")


class DecisionOut(BaseModel):
    id: int
    code: str
    start: int
    end: int
    decision: str
    reason: str
    decided_by: str
    at: datetime
    consensus: list[int]
    message: str


class QueueOut(BaseModel):
    unit: str
    coders: list[str]
    left_out: list[LeftOutOut]
    waiting: list[ItemOut]
    agreed: list[ItemOut]
    decisions: list[DecisionOut]
    consensus: list[CodingOut]


class DecisionIn(BaseModel):
    item: str = Field(min_length=1, max_length=300, pattern=r"^(turn|sentence):[0-9]{1,10}:[0-9]{1,10}:.+$",
                      description="the item of the queue, as the queue names it")
    decision: Literal["keep", "both", "neither", "adjust"] = Field(
        description="keep one coder's coding (accept), both (merge them), neither (reject), adjust (set the span)")
    keep: Optional[str] = Field(None, max_length=200, description="with keep: whose coding (user name)")
    span_start: Optional[StrictInt] = Field(None, ge=0, le=ID_MAX, description="with adjust: the agreed span")
    span_end: Optional[StrictInt] = Field(None, ge=0, le=ID_MAX)
    reason: str = Field(default="", max_length=500)


class AgreedIn(BaseModel):
    unit: Literal["turn", "sentence"] = "turn"


class AgreedOut(BaseModel):
    written: int
    message: str


class PseudonymIn(BaseModel):
    original: str = Field(min_length=1, max_length=200, examples=["Sarah"])
    replacement: str = Field(min_length=1, max_length=200, examples=["Participant A"])
    kind: str = Field(default="name", min_length=1, max_length=40, examples=["name", "place"])


class PseudonymOut(BaseModel):
    id: int
    original: str
    replacement: str
    kind: str


class CandidateOut(BaseModel):
    text: str
    kind: str
    count: int
    examples: list[str]


class PseudonymsOut(BaseModel):
    pseudonyms: list[PseudonymOut] = Field(description="applied in every export, longest original first")
    candidates: list[CandidateOut] = Field(description="likely personal data without a pseudonym yet, to review")

