"""Agreement across a project's transcripts, for the lead's agreement page.

Every transcript that two or more coders marked done takes part, and only those coders' layers on it (a coder
who has not said they are done is listed in `left_out`, never counted as disagreeing). The unit is the lead's choice: speaker turn,
sentence, or character. A coder who did not code a transcript counts as missing there (Krippendorff's
alpha allows that; kappa compares each pair on the transcripts both coded). Codes are the top-level codes,
each including its sub-codes. Span measures (overlap F1, boundary distance, unitizing alpha) show where
coders agree on the code but not on where the passage starts and ends.
"""

from dataclasses import dataclass, field
from itertools import combinations
from typing import Callable, Optional, Union

from sqlmodel import Session

from coding import store
from coding.store import versions
from coding.codebook import codetree
from coding.models import Code, Coding, Document
from coding.team import measures, reconcile, unitizing

UNITS = ("turn", "sentence", "character")
BOOTSTRAP = 300


@dataclass
class CodeFigures:
    """Agreement on one code (or pooled, code None)."""

    code: Optional[Code]
    items: int
    percent: Optional[float]
    kappa: dict[tuple[str, str], Optional[float]]
    alpha: Optional[float]
    alpha_ci: Optional[tuple[float, float]] = None
    overlap_f1: Optional[float] = None
    boundary: Optional[float] = None
    unitizing_alpha: Optional[float] = None
    used: bool = True  # False when no coder applied the code anywhere compared: agreement does not apply

    @property
    def mean_kappa(self) -> Optional[float]:
        """Kappa averaged over the coder pairs that could be compared."""
        values = [v for v in self.kappa.values() if v is not None]
        return sum(values) / len(values) if values else None


@dataclass
class PairFigures:
    """Two coders compared over every code and the transcripts both coded."""

    a: str
    b: str
    items: int
    percent: Optional[float]
    kappa: Optional[float]
    kappa_ci: Optional[tuple[float, float]]


@dataclass(frozen=True)
class DocumentName:
    """A transcript as kept figures name it: its id and name."""

    id: int
    name: str


@dataclass
class DocumentFigures:
    """How much the coders of one transcript disagree."""

    document: Union[Document, DocumentName]
    coders: list[str]
    disagreements: int
    items: int


@dataclass
class Reliability:
    """Everything the agreement page shows."""

    unit: str
    coders: list[str]
    codes: list[CodeFigures] = field(default_factory=list)
    pooled: Optional[CodeFigures] = None
    pairs: list[PairFigures] = field(default_factory=list)
    documents: list[DocumentFigures] = field(default_factory=list)
    left_out: list[tuple[Union[Document, DocumentName], list[reconcile.LeftOut]]] = field(default_factory=list)


def _safe(function, *args, **kwargs):
    try:
        value = function(*args, **kwargs)
    except (ValueError, ZeroDivisionError):
        return None
    return None if isinstance(value, float) and value != value else value


def _labels(layers, units, code, coders, offset_units):
    """One row per coder: 0/1 per unit, None where the coder did not code that transcript."""
    rows = {coder: [] for coder in coders}
    for document_layers, document_units in zip(layers, offset_units):
        for coder in coders:
            if coder in document_layers:
                rows[coder] += unitizing.unit_labels(document_layers[coder], document_units, code)
            else:
                rows[coder] += [None] * len(document_units)
    return [rows[c] for c in coders]


def _figures(code: Optional[Code], rows: list[list], coders: list[str]) -> CodeFigures:
    if not any(label for row in rows for label in row):
        # nobody applied it: agreeing on its absence everywhere says nothing about the code
        return CodeFigures(code=code, items=len(rows[0]) if rows else 0, percent=None,
                           kappa={pair: None for pair in combinations(coders, 2)}, alpha=None, used=False)
    pairs = list(combinations(range(len(coders)), 2))
    percents = [p for p in (_safe(measures.percent_agreement, rows[i], rows[j]) for i, j in pairs) if p is not None]
    return CodeFigures(
        code=code, items=len(rows[0]) if rows else 0,
        percent=sum(percents) / len(percents) if percents else None,
        kappa={(coders[i], coders[j]): _safe(measures.cohen_kappa, rows[i], rows[j]) for i, j in pairs},
        alpha=_safe(measures.krippendorff_alpha, rows),
        alpha_ci=_safe(measures.krippendorff_alpha_ci, rows, n=BOOTSTRAP),
    )


def _recoded(coding, code_id: int):
    """A copy of a coding with another code (the one it had as of a version), the stored row left alone."""
    return Coding(id=coding.id, document_id=coding.document_id, layer_id=coding.layer_id, code_id=code_id,
                  start=coding.start, end=coding.end, memo=coding.memo, origin=coding.origin,
                  created_by=coding.created_by, created_at=coding.created_at)


def _as_tuples(codings, keys, shift: int) -> list[tuple[int, int, str]]:
    return [(c.start + shift, c.end + shift, keys[c.code_id]) for c in codings]


def check_unit(unit: str) -> None:
    """Refuse a unit of comparison that is not one of UNITS."""
    if unit not in UNITS:
        raise store.Invalid(f"the unit must be one of {', '.join(UNITS)}, not '{unit}'")


def project_reliability(session: Session, *, project_id: int, unit: str = "turn", document_id: Optional[int] = None,
                        progress: Optional[Callable[[float, str], None]] = None,
                        as_of: Optional[int] = None) -> Reliability:
    """Agreement per top-level code, pooled, per coder pair, and the transcripts that disagree most (over one
    transcript of the project when `document_id` is given); `progress` is told how far it has got. `as_of` a
    codebook version: the codings it had, each with the code it had then."""
    progress = progress or (lambda fraction, message: None)
    check_unit(unit)
    then = versions.code_as_of(session, project_id=project_id, number=as_of) if as_of is not None else None
    codes = store.project_codes(session, project_id=project_id)
    top = codetree.tops(codes)
    keys = {c.id: top[c.key] for c in codes}  # a sub-code counts for its top-level code, wherever it was moved
    live = versions.live_codes(session, project_id=project_id, codes=codes, as_of=as_of)  # live then, as of a version
    tops = [c for c in live if c.parent_key is None]
    layers, units, lengths, documents, left_out = [], [], [], [], []
    shift = 0
    documents_read = store.list_documents(session, project_id=project_id)
    for number, document in enumerate(documents_read, start=1):
        if document_id is not None and document.id != document_id:
            continue
        progress(0.6 * number / len(documents_read), f"reading transcript {number} of {len(documents_read)}")
        coded = reconcile.coder_layers(session, document=document)
        if then is not None:  # as of an earlier version: the codings it had, with their codes then
            coded = {coder: [_recoded(c, then[c.id]) for c in codings if c.id in then]
                     for coder, codings in coded.items()}
        waiting = reconcile.left_out(session, document=document)
        if waiting:
            left_out.append((document, waiting))
        if len(coded) < 2:
            continue
        layers.append({coder: _as_tuples(codings, keys, shift) for coder, codings in coded.items()})
        spans = [(0, len(document.text))] if unit == "character" else reconcile.units_of(
            session, document=document, unit=unit)
        units.append([(s + shift, e + shift) for s, e in spans])
        lengths.append(len(document.text))
        items = reconcile.items(session, document=document, unit="sentence" if unit == "sentence" else "turn",
                                include_decided=True, layers=coded)
        documents.append(DocumentFigures(document, list(coded), sum(not i.agreed for i in items), len(items)))
        shift += len(document.text) + 1
    coders = sorted({coder for document_layers in layers for coder in document_layers})
    result = Reliability(unit=unit, coders=coders, left_out=left_out,
                         documents=sorted(documents, key=lambda d: (-d.disagreements, d.document.id)))
    if len(coders) < 2:
        return result
    progress(0.6, f"measuring agreement between {len(coders)} coders")
    if unit == "character":
        result.codes, result.pooled = _characters(layers, tops, coders, shift)
        result.pairs = []
    else:
        tables = {code.key: _labels(layers, units, code.key, coders, units) for code in tops}
        result.codes = [_figures(code, tables[code.key], coders) for code in tops]
        pooled = [[label for code in tops for label in tables[code.key][i]] for i in range(len(coders))]
        result.pooled = _figures(None, pooled, coders)
        result.pairs = [_pair(coders[i], coders[j], pooled[i], pooled[j]) for i, j in combinations(range(len(coders)), 2)]
    progress(0.8, "comparing where the coders' passages start and end")
    _add_span_measures(result.codes, layers, coders, shift)
    return result


def _pair(a: str, b: str, row_a: list, row_b: list) -> PairFigures:
    both = sum(1 for x, y in zip(row_a, row_b) if x is not None and y is not None)
    return PairFigures(a, b, both, _safe(measures.percent_agreement, row_a, row_b),
                       _safe(measures.cohen_kappa, row_a, row_b),
                       _safe(measures.cohen_kappa_ci, row_a, row_b, n=BOOTSTRAP))


def _merge_pair(layers, a: str, b: str) -> tuple[list, list]:
    shared = [document_layers for document_layers in layers if a in document_layers and b in document_layers]
    return ([c for d in shared for c in d[a]], [c for d in shared for c in d[b]])


def _characters(layers, tops: list[Code], coders: list[str], length: int):
    """Character-level percent agreement and kappa per pair, pooled per code over transcripts both coded."""
    figures = []
    for code in tops:
        kappas, percents, alphas = {}, [], []
        for a, b in combinations(coders, 2):
            a_codings, b_codings = _merge_pair(layers, a, b)
            found = _safe(measures.character_agreement, a_codings, b_codings, code.key, max(length, 1))
            kappas[(a, b)] = found["kappa"] if found else None
            if found:
                percents.append(found["percent"])
                alphas.append(found["alpha"])
        used = any(c[2] == code.key or c[2].startswith(code.key + "/") for d in layers for cs in d.values() for c in cs)
        if not used:
            figures.append(CodeFigures(code, length, None, {pair: None for pair in kappas}, None, used=False))
            continue
        figures.append(CodeFigures(code, length, sum(percents) / len(percents) if percents else None, kappas,
                                   sum(alphas) / len(alphas) if alphas else None))
    return figures, None


def _add_span_measures(figures: list[CodeFigures], layers, coders: list[str], length: int) -> None:
    for row in figures:
        f1s, distances, alphas = [], [], []
        for a, b in combinations(coders, 2):
            a_codings, b_codings = _merge_pair(layers, a, b)
            spans = unitizing.span_f1(a_codings, b_codings, row.code.key)
            if spans["a_spans"] or spans["b_spans"]:
                f1s.append(spans["overlap"]["f1"])
                if spans["boundary_distance"] is not None:
                    distances.append(spans["boundary_distance"])
                value = _safe(unitizing.unitizing_alpha, a_codings, b_codings, row.code.key, max(length, 1))
                if value is not None:
                    alphas.append(value)
        row.overlap_f1 = sum(f1s) / len(f1s) if f1s else None
        row.boundary = sum(distances) / len(distances) if distances else None
        row.unitizing_alpha = sum(alphas) / len(alphas) if alphas else None
