"""The JSON API of analysis and reporting: saved queries and their quotes, matrices, the pyramid, agreement,
reconciliation, pseudonyms and every export, each calling the same `coding/` functions as its page."""

import math
from dataclasses import dataclass
from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from coding import store
from coding.analysis import charts, counts, page_data, queries, retrieval
from coding.exchange import downloads, refi_export
from coding.exchange.memos_docx import memos_docx
from coding.models import SavedQuery
from coding.team import agreement_cache, agreement_report, reconcile
from coding.team.visibility import Scope
from server.deps import (ID_MAX, Access, ForProject, Id, LeadDep, LeadDocumentDep, ProjectDep, ScopeDep, SessionDep,
                         UserDep, reader_scope)
from server.routes.api_analysis_models import (AgreedIn, AgreedOut, AgreementOut, AxisOut, CandidateOut, CellOut,
                                               CodeAgreement, CodingOut, DecisionIn, DecisionOut,
                                               DocumentDisagreement, Figure, FrequencyOut, ItemOut, LAYER,
                                               LeftOutOut, MatrixOut, PairAgreement, PairKappa, PseudonymIn,
                                               PseudonymOut, PseudonymsOut, PyramidOut, QueryIn, QueryOut, QueueOut,
                                               QuoteOut, ValueOut, WaitingOut)
from server.routes.api_jobs import accepted
from server.routes.quotes import DOCX, XLSX, build_report, filter_from, visible_filter

router = APIRouter(prefix="/api", tags=["analysis"])
NOT_FOUND = {404: {"description": "no such project, document or query for the caller (a non-member included)"}}
SIGN_IN = {401: {"description": "no valid token or session"}}
LEAD_ONLY = {403: {"description": "this needs the lead role in the project"}}
INVALID = {422: {"description": "a parameter is not valid (the detail says which)"}}
READ = {**SIGN_IN, **NOT_FOUND, **INVALID}


# --- filters ----------------------------------------------------------------------------------------

def api_filter(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep,
               layer: Annotated[Optional[str], Query(description="all, consensus or coder:<user id>; "
                                                     "default: consensus if there is one, else all")] = None,
               code: Annotated[list[str], Query(description="code keys (with their sub-codes); repeatable")] = [],
               match: Annotated[Literal["any", "all"], Query()] = "any",
               together: Annotated[Literal["overlap", "turn"], Query()] = "overlap",
               document: Annotated[list[int], Query(description="document ids; repeatable")] = [],
               attr: Annotated[list[str], Query(description="attribute filters such as approach:online")] = [],
               text: Annotated[str, Query(max_length=500)] = "",
               query: Annotated[Optional[int], Query(ge=1, le=ID_MAX, description="start from a saved query")] = None,
               as_of: Annotated[Optional[int], Query(ge=1, le=10_000, description="a codebook version: the codings "
                                                     "it had, each with its code then")] = None,
               ) -> retrieval.QuoteFilter:
    """The quote filter of the query string, read exactly as the pages read theirs (a blind coder: own layer)."""
    return visible_filter(scope, filter_from(request.query_params, session, access, scope))


FilterDep = Annotated[retrieval.QuoteFilter, Depends(api_filter)]


# --- saved queries and quotes -----------------------------------------------------------------------

def _query_out(query: SavedQuery) -> QueryOut:
    return QueryOut(id=query.id, project_id=query.project_id, name=query.name, params=query.params,
                    created_by=query.created_by, created_at=query.created_at,
                    results_url=f"/api/queries/{query.id}/results")


def _quote_out(quote: retrieval.Quote) -> QuoteOut:
    return QuoteOut(id=quote.coding_id, document_id=quote.document_id, document=quote.document,
                    participant=quote.participant, citation=quote.tag(), attributes=quote.attributes,
                    code=quote.code_key, code_name=quote.code_name, code_path=quote.code_path, coder=quote.coder,
                    text=quote.text, start=quote.start, end=quote.end, memo=quote.memo, origin=quote.origin)


@dataclass
class QueryAccess:
    """A saved query the caller may read, their standing in its project and what they may see there."""

    query: SavedQuery
    access: Access
    scope: Scope


def query_access(query_id: Id, request: Request, session: SessionDep, user: UserDep) -> QueryAccess:
    """The saved query in the path, if the caller may read it (another blind coder's query answers 404)."""
    found = session.get(SavedQuery, query_id)
    if found is None:
        raise store.NotFound(f"no saved query {query_id}")
    try:
        access = ForProject()(found.project_id, request, session, user)
    except store.NotFound:
        raise store.NotFound(f"no saved query {query_id}") from None
    scope = reader_scope(session, access)
    query = queries.get_query(session, project_id=found.project_id, query_id=query_id, scope=scope)
    return QueryAccess(query, access, scope)


QueryDep = Annotated[QueryAccess, Depends(query_access)]


@router.get("/projects/{project_id}/quotes", responses=READ)
def list_quotes(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep) -> list[QuoteOut]:
    """The coded passages the filters select, as the Quotes page lists them (a blind coder: their own)."""
    return [_quote_out(q) for q in retrieval.find_quotes(session, project_id=access.project.id, wanted=wanted,
                                                         scope=scope)]


@router.get("/projects/{project_id}/queries", responses=READ)
def list_saved(session: SessionDep, access: ProjectDep, scope: ScopeDep) -> list[QueryOut]:
    """The project's saved queries the caller may see (a blind coder: their own and the leads')."""
    return [_query_out(q) for q in queries.list_queries(session, project_id=access.project.id, scope=scope)]


@router.post("/projects/{project_id}/queries", status_code=201,
             responses={**READ, 409: {"description": "another member saved a query of that name"}})
def save_saved(body: QueryIn, session: SessionDep, access: ProjectDep) -> QueryOut:
    """Save a named query of coded passages (saving under your own name again replaces it)."""
    wanted = retrieval.QuoteFilter.from_params(body.model_dump(exclude={"name"}))
    return _query_out(queries.save_query(session, project_id=access.project.id, user=access.user, name=body.name,
                                         wanted=wanted, lead=access.can("lead")))


@router.get("/queries/{query_id}", responses=READ)
def show_saved(target: QueryDep) -> QueryOut:
    """One saved query."""
    return _query_out(target.query)


@router.delete("/queries/{query_id}", status_code=204,
               responses={**READ, 403: {"description": "only who saved it, or a lead, may forget a query"}})
def delete_saved(session: SessionDep, target: QueryDep) -> Response:
    """Forget a saved query (its definition stays in the log)."""
    queries.delete_query(session, project_id=target.query.project_id, user=target.access.user,
                         query_id=target.query.id, scope=target.scope, lead=target.access.can("lead"))
    return Response(status_code=204)


@router.get("/queries/{query_id}/results", responses=READ)
def saved_results(session: SessionDep, target: QueryDep) -> list[QuoteOut]:
    """The quotes a saved query selects now, as far as the caller may see them."""
    wanted = retrieval.narrowed(retrieval.QuoteFilter.from_params(target.query.params), target.scope)
    return [_quote_out(q) for q in retrieval.find_quotes(session, project_id=target.query.project_id, wanted=wanted,
                                                         scope=target.scope)]


# --- matrices, pyramid, frequencies -----------------------------------------------------------------

def matrix_kind(rows: str, columns: str) -> tuple[str, str]:
    """The Analysis page's matrix kind and attribute for the API's rows and columns."""
    if rows == "values" and columns == "decisions":
        return "values-decisions", "approach"
    if rows == "codes" and columns == "codes":
        return "codes", "approach"
    if rows == "codes" and columns.startswith("attribute:") and columns[len("attribute:"):].strip():
        return "attribute", columns[len("attribute:"):]
    if rows == "values" and columns.startswith("decision:") and columns[len("decision:"):].strip():
        return "decision", columns[len("decision:"):]
    raise store.Invalid("a matrix is rows=values&columns=decisions, rows=values&columns=decision:<name> (a decision "
                        "as the participants' projects made it), rows=codes&columns=codes, or "
                        f"rows=codes&columns=attribute:<name>; not rows={rows}&columns={columns}")


Rows = Annotated[Literal["values", "codes"], Query(description="values (with decisions) or codes")]
Columns = Annotated[str, Query(max_length=200, description="decisions, decision:<name>, codes, or attribute:<name>")]
Mode = Annotated[Literal["overlap", "turn"], Query(description="co-occur in the same text or the same turn")]


@router.get("/projects/{project_id}/matrix", responses=READ)
def matrix(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep, rows: Rows = "values",
           columns: Columns = "decisions", mode: Mode = "overlap") -> MatrixOut:
    """A matrix of the Analysis page: each cell's count and the ids of the quotes it counted."""
    kind, attribute = matrix_kind(rows, columns)
    data = page_data.inputs(session, project_id=access.project.id, wanted=wanted, scope=scope)
    if kind == "decision" and attribute not in data.choices:
        raise store.Invalid(f"'{attribute}' is not a decision this project's framework gives peer support projects; "
                            f"the decisions are {', '.join(data.choices) or 'none'}")
    table = page_data.matrix(data, kind=kind, mode=mode, attribute=attribute)
    link = page_data.cell_link(access.project.id, kind, mode, attribute, wanted.layer, prefix="/api")
    return MatrixOut(
        kind=kind, measure=table.measure, mode=mode, attribute=attribute if kind in ("attribute", "decision") else None,
        rows=[AxisOut(key=k, label=label) for k, label in zip(table.rows, table.row_labels)],
        columns=[AxisOut(key=k, label=label) for k, label in zip(table.columns, table.column_labels)],
        cells=[CellOut(row=r, column=c, count=cell.count, participants=cell.participants,
                       quotes=list(cell.coding_ids), quotes_url=link(r, c))
               for r in table.rows for c in table.columns for cell in [table.cell(r, c)]])


def _value(value: counts.PyramidValue) -> ValueOut:
    return ValueOut(key=value.key, name=value.name, colour=value.colour, tier=value.tier, passages=value.passages,
                    participants=value.participants, documents=value.documents, quotes=list(value.coding_ids))


@router.get("/projects/{project_id}/pyramid", responses=READ)
def pyramid(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep,
            of: Annotated[Optional[int], Query(ge=1, le=ID_MAX, description="one document's pyramid")] = None,
            ) -> PyramidOut:
    """The values pyramid of the Analysis page: each core value's evidence, foundation tier first."""
    data = page_data.inputs(session, project_id=access.project.id, wanted=wanted, scope=scope)
    shape = counts.pyramid(data.passages, data.codes, document_id=of)
    return PyramidOut(foundation=[_value(v) for v in shape.foundation],
                      dependent=[_value(v) for v in shape.dependent], thin_foundation=list(shape.thin_foundation))


@router.get("/projects/{project_id}/frequencies", responses=READ)
def frequencies(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep) -> list[FrequencyOut]:
    """How often each top-level code was applied, with participants and documents, as the page's chart."""
    data = page_data.inputs(session, project_id=access.project.id, wanted=wanted, scope=scope)
    return [FrequencyOut(**f._asdict()) for f in counts.frequencies(data.passages, data.codes)]


FigureName = Annotated[Literal["matrix", "pyramid", "frequencies"], Path(description="which of the Analysis page's figures")]
IMAGE = {200: {"description": "the figure, with Content-Disposition: attachment",
               "content": {"image/svg+xml": {}, "image/png": {}}}}


@router.get("/projects/{project_id}/figures/{figure}", response_class=Response, responses={**IMAGE, **READ})
def figure_file(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep, figure: FigureName,
                format: Annotated[Literal["svg", "png"], Query(description="SVG, or PNG at twice its size")] = "svg",
                rows: Rows = "values", columns: Columns = "decisions", mode: Mode = "overlap",
                of: Annotated[Optional[int], Query(ge=1, le=ID_MAX, description="one document's pyramid")] = None,
                ) -> Response:
    """A figure of the Analysis page as the page downloads it (the same picture, filtered the same way):
    the matrix heatmap (`rows`, `columns`, `mode` as for /matrix), the values pyramid or the frequency chart."""
    kind, attribute = matrix_kind(rows, columns)
    data = page_data.inputs(session, project_id=access.project.id, wanted=wanted, scope=scope)
    shape = page_data.figure(data, name=figure, project_id=access.project.id, kind=kind, mode=mode,
                             attribute=attribute, layer=wanted.layer, document_id=of)
    name = f"{downloads.file_stem(access.project.name)}-{figure}.{format}"
    if format == "svg":
        return _file(charts.svg(shape, ident=figure).encode("utf-8"), name, "image/svg+xml")
    return _file(charts.png(shape, scale=2.0), name, "image/png")


# --- agreement --------------------------------------------------------------------------------------

Unit = Annotated[Literal["turn", "sentence", "character"], Query(description="the unit of comparison")]


def _figure(value) -> Figure:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else float(value)


def _interval(bounds) -> Optional[tuple[float, float]]:
    low, high = (_figure(b) for b in bounds) if bounds else (None, None)
    return (low, high) if low is not None and high is not None else None


def _code_figures(row: agreement_report.CodeFigures) -> CodeAgreement:
    return CodeAgreement(code=row.code.key if row.code else None, name=row.code.name if row.code else None,
                         used=row.used, items=row.items, alpha=_figure(row.alpha), alpha_ci=_interval(row.alpha_ci),
                         mean_kappa=_figure(row.mean_kappa),
                         kappa=[PairKappa(a=a, b=b, kappa=_figure(k)) for (a, b), k in row.kappa.items()],
                         percent=_figure(row.percent), overlap_f1=_figure(row.overlap_f1),
                         boundary=_figure(row.boundary), unitizing_alpha=_figure(row.unitizing_alpha))


def _left_out(people: list[reconcile.LeftOut]) -> list[LeftOutOut]:
    return [LeftOutOut(user=o.user.name, status=o.status, reason=o.reason) for o in people]


def _agreement(report: agreement_report.Reliability) -> AgreementOut:
    return AgreementOut(
        unit=report.unit, coders=report.coders, pooled=_code_figures(report.pooled) if report.pooled else None,
        codes=[_code_figures(row) for row in report.codes],
        pairs=[PairAgreement(a=p.a, b=p.b, items=p.items, percent=_figure(p.percent), kappa=_figure(p.kappa),
                             kappa_ci=_interval(p.kappa_ci)) for p in report.pairs],
        documents=[DocumentDisagreement(document_id=d.document.id, document=d.document.name, coders=d.coders,
                                        disagreements=d.disagreements, items=d.items) for d in report.documents],
        left_out=[WaitingOut(document_id=d.id, document=d.name, coders=_left_out(people))
                  for d, people in report.left_out])


LEAD_READ = {**READ, **LEAD_ONLY}


@router.get("/projects/{project_id}/agreement", responses=LEAD_READ)
def project_agreement(session: SessionDep, access: LeadDep, unit: Unit = "turn",
                      as_of: Annotated[Optional[int], Query(ge=1, le=10_000, description="a codebook version: the "
                                                            "codings it had, with their codes then")] = None
                      ) -> AgreementOut:
    """The agreement page's figures: per top-level code, pooled, per coder pair, and per transcript. Figures kept
    since the project last changed come at once; otherwise they are worked out (and kept) before the answer.
    As of an earlier codebook version they are worked out each time."""
    if as_of is not None:
        return _agreement(agreement_report.project_reliability(session, project_id=access.project.id, unit=unit,
                                                               as_of=as_of))
    kept = agreement_cache.kept(session, project_id=access.project.id, unit=unit)
    return _agreement(kept.report if kept and kept.current else
                      agreement_cache.work_out(session, project_id=access.project.id, unit=unit))


@router.get("/documents/{document_id}/agreement", responses=LEAD_READ)
def document_agreement(session: SessionDep, target: LeadDocumentDep, unit: Unit = "turn") -> AgreementOut:
    """The same figures over one transcript: the coders who marked it done, compared on it alone."""
    document = target.document
    return _agreement(agreement_report.project_reliability(session, project_id=document.project_id, unit=unit,
                                                           document_id=document.id))


# --- reconciliation ---------------------------------------------------------------------------------

ReconcileUnit = Annotated[Literal["turn", "sentence"], Query(description="the unit of comparison")]


def _coding(coding, text: str) -> CodingOut:
    return CodingOut(id=coding.id, start=coding.start, end=coding.end, text=text[coding.start:coding.end],
                     memo=coding.memo)


def _item(item: reconcile.Item, unit: str, text: str) -> ItemOut:
    return ItemOut(item=f"{unit}:{item.start}:{item.end}:{item.code.key}", unit=unit, start=item.start,
                   end=item.end, code=item.code.key, code_name=item.code.name, text=text[item.start:item.end],
                   applied={coder: [_coding(c, text) for c in codings] for coder, codings in item.applied.items()},
                   missing=item.missing)


def _decision(session, record, codes: dict, users: dict) -> DecisionOut:
    return DecisionOut(id=record.id, code=codes[record.code_id], start=record.unit_start, end=record.unit_end,
                       decision=record.decision, reason=record.reason, decided_by=users[record.decided_by],
                       at=record.at, consensus=record.consensus_codings,
                       message=reconcile.decided_message(session, record=record))


def _names(session, project_id: int) -> tuple[dict, dict]:
    codes = {c.id: c.key for c in store.project_codes(session, project_id=project_id)}
    return codes, {u.id: u.name for u in store.list_users(session)}


@router.get("/documents/{document_id}/reconciliation", responses=LEAD_READ)
def reconciliation(session: SessionDep, target: LeadDocumentDep, unit: ReconcileUnit = "turn") -> QueueOut:
    """The reconciliation queue: the disagreements waiting, the items all coders agree on, the decisions made."""
    document = target.document
    found = reconcile.queue(session, document=document, unit=unit)
    codes, users = _names(session, document.project_id)
    return QueueOut(unit=unit, coders=found.coders, left_out=_left_out(found.left_out),
                    waiting=[_item(i, unit, document.text) for i in found.waiting],
                    agreed=[_item(i, unit, document.text) for i in found.agreed],
                    decisions=[_decision(session, r, codes, users) for r in found.decisions],
                    consensus=[_coding(c, document.text) for c in found.consensus])


@router.post("/documents/{document_id}/reconciliation/decisions", status_code=201,
             responses={**LEAD_READ, 409: {"description": "that item has already been decided"}})
def decide(body: DecisionIn, session: SessionDep, target: LeadDocumentDep) -> DecisionOut:
    """Decide one item of the queue, with the reason: writes the consensus codings and the event, as the page."""
    unit, start, end, code = body.item.split(":", 3)
    span = (body.span_start, body.span_end) if body.span_start is not None and body.span_end is not None else None
    record = reconcile.decide(session, document=target.document, lead=target.access.user, unit=unit,
                              start=int(start), end=int(end), code_key=code, decision=body.decision,
                              keep=body.keep, span=span, reason=body.reason)
    codes, users = _names(session, target.document.project_id)
    return _decision(session, record, codes, users)


@router.post("/documents/{document_id}/reconciliation/agreed", responses=LEAD_READ)
def accept_agreed(body: AgreedIn, session: SessionDep, target: LeadDocumentDep) -> AgreedOut:
    """Write every item all compared coders agree on into the consensus layer."""
    count = reconcile.accept_agreements(session, document=target.document, lead=target.access.user, unit=body.unit)
    return AgreedOut(written=count, message=f"{count} agreed coding(s) written to the consensus layer")


# --- pseudonyms -------------------------------------------------------------------------------------

def _pseudonyms(session, project_id: int) -> PseudonymsOut:
    return PseudonymsOut(
        pseudonyms=[PseudonymOut(id=p.id, original=p.original, replacement=p.replacement, kind=p.kind)
                    for p in queries.pseudonyms(session, project_id=project_id)],
        candidates=[CandidateOut(text=c.text, kind=c.kind, count=c.count, examples=c.examples)
                    for c in queries.pseudonym_candidates(session, project_id=project_id)])


@router.get("/projects/{project_id}/pseudonyms", responses=LEAD_READ)
def list_pseudonyms(session: SessionDep, access: LeadDep) -> PseudonymsOut:
    """The project's pseudonyms and the suggestions to review, as the Pseudonyms page shows them."""
    return _pseudonyms(session, access.project.id)


@router.put("/projects/{project_id}/pseudonyms", responses=LEAD_READ)
def set_pseudonym(body: PseudonymIn, session: SessionDep, access: LeadDep) -> PseudonymsOut:
    """Add a pseudonym, or change what an original becomes (logged with before and after)."""
    queries.set_pseudonym(session, project_id=access.project.id, user=access.user, original=body.original,
                          replacement=body.replacement, kind=body.kind)
    return _pseudonyms(session, access.project.id)


@router.delete("/projects/{project_id}/pseudonyms/{pseudonym_id}", status_code=204, responses=LEAD_READ)
def remove_pseudonym(session: SessionDep, access: LeadDep, pseudonym_id: Id) -> Response:
    """Stop replacing one original (the log keeps the pair)."""
    queries.remove_pseudonym(session, project_id=access.project.id, user=access.user, pseudonym_id=pseudonym_id)
    return Response(status_code=204)


# --- exports ----------------------------------------------------------------------------------------

Format = Literal["word-quotes", "excel", "csv", "report-word", "matrix-word", "matrix-excel", "codebook-word",
                 "codebook-qdc", "memos-word", "sample-word", "respondents-word", "chapter-word", "presence-word",
                 "presence-excel"]
DOWNLOAD = {200: {"description": "the file, with Content-Disposition: attachment",
                  "content": {DOCX: {}, XLSX: {}, "text/csv": {}, "application/xml": {}, "application/zip": {}}}}


def _file(data: bytes, filename: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


FLAGGED = "include quotes touching passages marked sensitive (left out otherwise)"


class ExportCheck(BaseModel):
    """What an export of the selected quotes leaves out, and why."""

    left_out: list[dict] = Field(description="who or what, why, and how many quotes: not agreed to be quoted, "
                                             "or to inform only")
    flagged: dict[str, int] = Field(description="quotes touching a passage marked sensitive, by category")
    unrecorded: list[dict] = Field(description="who is quoted with no consent to be quoted on record, and how often")
    lines: list[str] = Field(description="the same in sentences, as the page shows them")


@router.get("/projects/{project_id}/exports/check", responses=READ)
def export_check(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep) -> ExportCheck:
    """Before an export: which quotes it leaves out and why (the filters as for the exports)."""
    check = downloads.export_check(session, project=access.project, wanted=wanted, scope=scope)
    return ExportCheck(left_out=[{"who": who, "why": why, "quotes": n} for who, why, n in check.refused],
                       flagged=dict(check.flagged), lines=check.lines() + check.notes(),
                       unrecorded=[{"who": who, "quotes": n} for who, n in check.unrecorded])


@router.get("/projects/{project_id}/exports/refi-qdpx", response_class=Response,
            responses={**DOWNLOAD, **LEAD_READ})
def export_qdpx(session: SessionDep, access: LeadDep,
                positions: Annotated[Literal["codepoints", "utf16"], Query(
                    description="codepoints (the standard's) or utf16 (counted as NVivo counts)")] = "codepoints",
                include_flagged: Annotated[bool, Query(description=FLAGGED)] = False) -> Response:
    """The whole project as REFI-QDA (.qdpx), every layer, pseudonyms applied (lead only, as on the page).
    Transcripts of people who did not agree to be quoted, or that inform only, are left out; passages marked
    sensitive are held back (replaced by a note) unless include_flagged."""
    return _file(refi_export.project_qdpx(session, project=access.project, positions=positions,
                                          include_flagged=include_flagged),
                 f"{downloads.file_stem(access.project.name)}.qdpx", "application/zip")


@router.post("/projects/{project_id}/exports/report-word", response_class=Response,
             responses={**DOWNLOAD, **READ, 413: {"description": "the template unpacks past the limits"}})
async def export_report(request: Request, session: SessionDep, access: ProjectDep, scope: ScopeDep,
                        template: Annotated[Optional[UploadFile], File(description="a Word file whose styles the "
                                                                       "report takes")] = None,
                        tag: Annotated[list[str], Form(description="attributes in the citation")] = [],
                        show_coder: Annotated[bool, Form()] = False, show_document: Annotated[bool, Form()] = False,
                        layer: Annotated[Optional[str], Form(pattern=LAYER)] = None,
                        code: Annotated[list[str], Form()] = [],
                        query: Annotated[Optional[int], Form(ge=1, le=ID_MAX)] = None) -> Response:
    """The Word quote report in a style template of your own, with the filters and options of the page's form."""
    form = await request.form()
    built = await run_in_threadpool(build_report, request, form, session, access, scope)
    if isinstance(built, bytes):
        return _file(built, f"{downloads.file_stem(access.project.name)}-report.docx", DOCX)
    return JSONResponse(accepted(built).model_dump(), status_code=202)


@router.get("/projects/{project_id}/exports/{format}", response_class=Response, responses={**DOWNLOAD, **READ})
def export_file(session: SessionDep, access: ProjectDep, scope: ScopeDep, wanted: FilterDep, format: Format,
                rows: Rows = "values", columns: Columns = "decisions", mode: Mode = "overlap",
                tag: Annotated[list[str], Query(max_length=50, description="sample-word: the attributes; report-word: "
                                                "those in the citation (default approach)")] = [],
                show_coder: bool = False, show_document: bool = False,
                include_flagged: Annotated[bool, Query(description=FLAGGED)] = False) -> Response:
    """Any export of the pages, filtered as they are (layer, code, attr, document, query …): the same bytes.
    Quotes are exported as consent allows: see `GET /api/projects/{id}/exports/check`."""
    project, stem = access.project, downloads.file_stem(access.project.name)
    if format == "word-quotes":
        options = downloads.ReportOptions(include_flagged=include_flagged)
        return _file(downloads.quotes_docx(session, project=project, wanted=wanted, scope=scope, options=options),
                     f"{stem}-quotes.docx", DOCX)
    if format == "excel":
        return _file(downloads.quotes_xlsx(session, project=project, wanted=wanted, scope=scope,
                                           include_flagged=include_flagged), f"{stem}-quotes.xlsx", XLSX)
    if format == "csv":
        return _file(downloads.quotes_csv(session, project=project, wanted=wanted, scope=scope,
                                          include_flagged=include_flagged),
                     f"{stem}-quotes.csv", "text/csv; charset=utf-8")
    if format == "report-word":
        options = downloads.ReportOptions(tag_attributes=[a for a in tag if a] or ["approach"], show_coder=show_coder,
                                          show_document=show_document, include_flagged=include_flagged)
        return _file(downloads.quotes_docx(session, project=project, wanted=wanted, scope=scope, options=options),
                     f"{stem}-report.docx", DOCX)
    if format in ("matrix-word", "matrix-excel"):
        kind, attribute = matrix_kind(rows, columns)
        fmt = "docx" if format == "matrix-word" else "xlsx"
        return _file(downloads.matrix_file(session, project=project, wanted=wanted, scope=scope, kind=kind, mode=mode,
                                           attribute=attribute, fmt=fmt), f"{stem}-matrix.{fmt}",
                     DOCX if fmt == "docx" else XLSX)
    if format in ("presence-word", "presence-excel"):
        fmt = "docx" if format == "presence-word" else "xlsx"
        return _file(downloads.presence_file(session, project=project, wanted=wanted, scope=scope, fmt=fmt),
                     f"{stem}-evidence-by-source.{fmt}", DOCX if fmt == "docx" else XLSX)
    if format == "chapter-word":
        return _file(downloads.chapter_docx(session, project=project, scope=scope, include_flagged=include_flagged),
                     f"{stem}-chapter.docx", DOCX)
    if format == "codebook-word":
        return _file(downloads.codebook_docx(session, project=project, scope=scope), f"{stem}-codebook.docx", DOCX)
    if format == "respondents-word":
        return _file(downloads.respondents_docx(session, project=project, wanted=wanted, scope=scope),
                     f"{stem}-respondents.docx", DOCX)
    if format == "sample-word":
        return _file(downloads.sample_docx(session, project=project, scope=scope, attributes=[a for a in tag if a]),
                     f"{stem}-sample.docx", DOCX)
    if format == "codebook-qdc":
        return _file(refi_export.codebook_qdc(session, project=project), f"{stem}-codebook.qdc", "application/xml")
    return _file(memos_docx(session, project=project, scope=scope, user=access.user), f"{stem}-memos.docx", DOCX)
