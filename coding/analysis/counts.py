"""Counts over codings as plain data: code co-occurrence, codes by attribute, the values pyramid, frequencies.

Every function takes codings as `Coded` records and the codebook as `CodeInfo` records, in codebook order,
and touches no database. Offsets are half-open code-point spans, as everywhere in Peerframe.

Roll-up: with `roll_up=True` a coding counts for its own code and every ancestor, so a coding of
`safety/confidentiality` counts for `safety`. Ancestors come from `CodeInfo.parent_key` where the codebook
is known, otherwise from the key itself (`a/b/c` lies under `a/b` and `a`). With `roll_up=False` a coding
counts only for exactly its own code.

Co-occurrence of a row code R and a column code C, in each document:

- mode "overlap": the cell counts **overlap regions**: maximal stretches of text in which every code point
  is covered both by a coding a that counts for R and by a different coding b that counts for C. Two
  codings overlapping in one stretch make one region however many coders repeated them; a second,
  separate stretch is a second region; touching stretches merge.
- mode "turn": the cell counts **turns** in which some coding a that counts for R and a different coding b
  that counts for C both overlap the turn (each by at least one code point). A coding spanning several
  turns is present in each of them; codings outside every turn are not counted.

"A different coding" matters on the diagonal (R == C) and when R lies under C: a coding never co-occurs
with itself. Each cell carries the ids of every coding (both sides) that took part in what it counts,
so a page can open its quotes.
"""

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Sequence

from coding.text.spans import overlaps, runs

# The Side by Side tiers, used when a codebook row has no tier of its own (framework reference §1.1).
REPORT_TIERS = {
    "experience-in-common": "foundation", "safety": "foundation", "choice-and-control": "foundation",
    "two-way-interactions": "dependent", "human-connection": "dependent", "freedom-to-be-oneself": "dependent",
}
TIERS = ("foundation", "dependent")
NOT_RECORDED = ""


class Coded(NamedTuple):
    """One coding as analysis sees it: where it is, which code, and whose words (a tuple: a big project's
    analysis makes one for each of 100,000 codings)."""

    coding_id: int
    document_id: int
    start: int
    end: int
    code_key: str
    participant: Optional[str] = None
    attributes: Mapping[str, Any] = {}


@dataclass(frozen=True)
class CodeInfo:
    """One code of the codebook: key, name, place in the tree, kind, tier and colour."""

    key: str
    name: str
    parent_key: Optional[str] = None
    kind: str = "code"
    tier: Optional[str] = None
    colour: str = "#cccccc"


@dataclass(frozen=True)
class Cell:
    """One cell of a matrix: its count, the codings behind it and, where counted, distinct participants."""

    count: int = 0
    coding_ids: tuple[int, ...] = ()
    participants: Optional[int] = None


@dataclass(frozen=True)
class Matrix:
    """A table of cells keyed by (row key, column key), with labels for showing it."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell]
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    measure: str

    def cell(self, row: str, column: str) -> Cell:
        """The cell at (row, column); an empty cell for keys the matrix does not have."""
        return self.cells.get((row, column), Cell())

    def counts(self) -> list[list[int]]:
        """The counts as a list of rows, in row and column order."""
        return [[self.cell(r, c).count for c in self.columns] for r in self.rows]

    def maximum(self) -> int:
        """The largest count in the matrix, 0 when empty."""
        return max((cell.count for cell in self.cells.values()), default=0)


class Frequency(NamedTuple):
    """How often a code was applied: codings, distinct participants, distinct documents."""

    key: str
    name: str
    colour: str
    passages: int
    participants: int
    documents: int


@dataclass(frozen=True)
class PyramidValue:
    """One core value in the pyramid with the evidence for it."""

    key: str
    name: str
    colour: str
    tier: str
    passages: int
    participants: int
    documents: int
    coding_ids: tuple[int, ...] = ()

    @property
    def evidenced(self) -> bool:
        """True when at least one passage is coded with the value or one of its sub-codes."""
        return self.passages > 0


@dataclass(frozen=True)
class Pyramid:
    """The six core values: foundation tier (the base) and dependent tier (resting on it)."""

    foundation: tuple[PyramidValue, ...]
    dependent: tuple[PyramidValue, ...]

    @property
    def thin_foundation(self) -> tuple[str, ...]:
        """Keys of the foundation values with no evidence, in codebook order."""
        return tuple(v.key for v in self.foundation if not v.evidenced)

    @property
    def values(self) -> tuple[PyramidValue, ...]:
        """Every value, foundation first."""
        return self.foundation + self.dependent


# --- adapters from records with the same attribute names (models.Code) ---------------------------------

def code_infos(codes: Iterable[Any]) -> list[CodeInfo]:
    """`CodeInfo` records from anything with key, name, parent_key, kind, tier, colour (a Code row, say)."""
    return [CodeInfo(key=c.key, name=c.name, parent_key=c.parent_key, kind=c.kind or "code", tier=c.tier,
                     colour=c.colour or "#cccccc") for c in codes]


# --- roll-up ------------------------------------------------------------------------------------------

def lineage(key: str, parents: Optional[Mapping[str, Optional[str]]] = None) -> tuple[str, ...]:
    """The key followed by its ancestors up to the top-level code."""
    parents = parents or {}
    chain = [key]
    while len(chain) <= 64:
        current = chain[-1]
        parent = parents[current] if current in parents else (current.rsplit("/", 1)[0] if "/" in current
                                                                else None)
        if not parent or parent in chain:
            break
        chain.append(parent)
    return tuple(chain)


def _counts_for(codings: Iterable[Coded], wanted: Iterable[str], roll_up: bool,
                parents: Optional[Mapping[str, Optional[str]]] = None) -> dict[str, tuple[str, ...]]:
    """Each code key among the codings mapped to the wanted codes a coding of it counts for."""
    wanted = list(dict.fromkeys(wanted))
    result = {}
    for key in {c.code_key for c in codings}:
        mine = set(lineage(key, parents)) if roll_up else {key}
        result[key] = tuple(w for w in wanted if w in mine)
    return result


def _grouped(codings: Sequence[Coded], wanted: Iterable[str], roll_up: bool,
             parents: Optional[Mapping[str, Optional[str]]] = None) -> dict[str, list[Coded]]:
    """The codings that count for each wanted code."""
    wanted = list(wanted)
    groups: dict[str, list[Coded]] = {w: [] for w in wanted}
    belongs = _counts_for(codings, wanted, roll_up, parents)
    for coding in codings:
        for key in belongs[coding.code_key]:
            groups[key].append(coding)
    return groups


def _parents(codes: Sequence[CodeInfo]) -> dict[str, Optional[str]]:
    return {c.key: c.parent_key for c in codes}


def _top_level(codes: Sequence[CodeInfo]) -> list[CodeInfo]:
    return [c for c in codes if not c.parent_key]


# --- co-occurrence ------------------------------------------------------------------------------------

def _by_document(codings: Iterable[Coded]) -> dict[int, list[Coded]]:
    grouped: dict[int, list[Coded]] = {}
    for coding in codings:
        grouped.setdefault(coding.document_id, []).append(coding)
    return grouped


def _units(codings: list[Coded], mode: str, turns: Sequence[tuple[int, int]]
           ) -> Iterable[tuple[bool, list[Coded]]]:
    """(joins the previous unit, codings present) for each unit of text: runs for overlap, turns for turn."""
    if mode == "overlap":
        hi = max((c.end for c in codings), default=0)
        for index, run in enumerate(runs(0, hi, [(c.start, c.end, i) for i, c in enumerate(codings)])):
            yield index > 0, [codings[i] for i in run.coding_ids]
        return
    ordered = sorted(turns)   # speaker turns do not overlap, so their ends are in order too
    starts = [start for start, _ in ordered]
    members: list[list[Coded]] = [[] for _ in ordered]
    for coding in codings:
        index = bisect_left(starts, coding.end) - 1
        while index >= 0 and ordered[index][1] > coding.start:
            if overlaps(coding.start, coding.end, *ordered[index]):
                members[index].append(coding)
            index -= 1
    for present in members:
        yield False, present


def _members(present: list[Coded], belongs: Mapping[str, tuple[str, ...]]) -> dict[str, list[int]]:
    """The ids of the present codings that count for each code."""
    ids: dict[str, list[int]] = {}
    for coding in present:
        for key in belongs[coding.code_key]:
            ids.setdefault(key, []).append(coding.coding_id)
    return ids


def _pairs_up(row_side: list[int], column_side: list[int]) -> bool:
    """True when some coding on the row side and a different one on the column side are both present."""
    return bool(row_side) and bool(column_side) and not (len(row_side) == len(column_side) == 1
                                                          and row_side == column_side)


def cooccurrence(codings: Iterable[Coded], rows: Sequence[str], columns: Sequence[str], *,
                 mode: str = "overlap", turns: Optional[Mapping[int, Sequence[tuple[int, int]]]] = None,
                 roll_up: bool = True, labels: Optional[Mapping[str, str]] = None,
                 parents: Optional[Mapping[str, Optional[str]]] = None) -> Matrix:
    """Rows × columns of codes, each cell counting overlap regions or turns where both codes occur."""
    if mode not in ("overlap", "turn"):
        raise ValueError(f"mode must be 'overlap' or 'turn', not {mode!r}")
    if mode == "turn" and turns is None:
        raise ValueError("mode 'turn' needs the documents' turns")
    codings = list(codings)
    counts = {(r, c): 0 for r in rows for c in columns}
    involved: dict[tuple[str, str], set[int]] = {key: set() for key in counts}
    row_of = _counts_for(codings, rows, roll_up, parents)
    column_of = _counts_for(codings, columns, roll_up, parents)
    relevant = [c for c in codings if row_of[c.code_key] or column_of[c.code_key]]
    for document_id, in_document in sorted(_by_document(relevant).items()):
        was_counted: set[tuple[str, str]] = set()
        for joins, present in _units(in_document, mode, (turns or {}).get(document_id, ())):
            counted_here = set()
            row_ids, column_ids = _members(present, row_of), _members(present, column_of)
            for r, row_side in row_ids.items():
                for col, column_side in column_ids.items():
                    if _pairs_up(row_side, column_side):
                        counted_here.add((r, col))
                        involved[(r, col)].update(row_side + column_side)
                        if not (joins and (r, col) in was_counted):
                            counts[(r, col)] += 1
            was_counted = counted_here
    names = labels or {}
    return Matrix(
        rows=tuple(rows), columns=tuple(columns),
        cells={key: Cell(count, tuple(sorted(involved[key]))) for key, count in counts.items()},
        row_labels=tuple(names.get(r, r) for r in rows), column_labels=tuple(names.get(c, c) for c in columns),
        measure="overlapping passages" if mode == "overlap" else "shared turns",
    )


def values_by_decisions(codings: Iterable[Coded], codes: Sequence[CodeInfo], *, mode: str = "overlap",
                        turns: Optional[Mapping[int, Sequence[tuple[int, int]]]] = None,
                        roll_up: bool = True) -> Matrix:
    """Co-occurrence with the top-level values as rows and the top-level decisions as columns."""
    top = _top_level(codes)
    return cooccurrence(
        codings, [c.key for c in top if c.kind == "value"], [c.key for c in top if c.kind == "decision"],
        mode=mode, turns=turns, roll_up=roll_up, labels={c.key: c.name for c in codes}, parents=_parents(codes))


# --- codes by attribute, frequencies ------------------------------------------------------------------

def _tally(codings: Iterable[Coded]) -> tuple[int, int, int, tuple[int, ...]]:
    """(passages, distinct participants, distinct documents, coding ids) of some codings."""
    chosen = list(codings)
    return (len(chosen), len({c.participant for c in chosen if c.participant}),
            len({c.document_id for c in chosen}), tuple(sorted(c.coding_id for c in chosen)))


def _rows_for(codes: Sequence[CodeInfo], roll_up: bool) -> list[CodeInfo]:
    return _top_level(codes) if roll_up else list(codes)


def with_found(choices: Sequence[str], codings: Iterable[Coded], attribute: str) -> list[str]:
    """The `choices` of an attribute in their order, then any other value the codings have, sorted."""
    found = {str(c.attributes.get(attribute) or NOT_RECORDED) for c in codings} - {NOT_RECORDED}
    return list(choices) + sorted(found - set(choices))


def code_by_attribute(codings: Iterable[Coded], codes: Sequence[CodeInfo], attribute: str, *,
                      roll_up: bool = True, values: Optional[Sequence[str]] = None,
                      kinds: Optional[set[str]] = None) -> Matrix:
    """Codes (of `kinds` only, if given) × the values of one participant attribute; each cell has passages,
    participants and codings.

    Columns are `values` if given, else the values found, sorted; codings without the attribute fall in a
    last column keyed "" ("not recorded") when there are any.
    """
    codings = list(codings)
    parents = _parents(codes)
    value_of = {c.coding_id: str(c.attributes.get(attribute) or NOT_RECORDED) for c in codings}
    columns = list(values) if values is not None else sorted(set(value_of.values()) - {NOT_RECORDED})
    if NOT_RECORDED in value_of.values() and NOT_RECORDED not in columns:
        columns.append(NOT_RECORDED)
    rows = [r for r in _rows_for(codes, roll_up) if kinds is None or r.kind in kinds]
    groups = _grouped(codings, [r.key for r in rows], roll_up, parents)
    cells = {}
    for row in rows:
        mine = groups[row.key]
        for column in columns:
            passages, people, _, ids = _tally(c for c in mine if value_of[c.coding_id] == column)
            cells[(row.key, column)] = Cell(passages, ids, people)
    return Matrix(rows=tuple(r.key for r in rows), columns=tuple(columns), cells=cells,
                  row_labels=tuple(r.name for r in rows),
                  column_labels=tuple(c if c != NOT_RECORDED else "not recorded" for c in columns),
                  measure="passages")


@dataclass(frozen=True)
class Shares:
    """How much of each code's evidence comes from each subgroup of one attribute (approach, say): per top-level
    code its passages, and per subgroup the passages and participants behind them; `people` is the number of
    participants with coded passages in each subgroup, the base the shares are read against."""

    attribute: str
    columns: tuple[str, ...]
    labels: tuple[str, ...]
    people: tuple[int, ...]
    rows: tuple[tuple[CodeInfo, int, tuple[Cell, ...]], ...]

    @staticmethod
    def percent(part: int, whole: int) -> int:
        return round(100 * part / whole) if whole else 0


def shares(codings: Iterable[Coded], codes: Sequence[CodeInfo], attribute: str) -> Shares:
    """Each top-level code's passages split by the subgroups of `attribute` ("not recorded" last)."""
    codings = list(codings)
    table = code_by_attribute(codings, codes, attribute)
    value_of = {c.coding_id: str(c.attributes.get(attribute) or NOT_RECORDED) for c in codings}
    people = tuple(len({c.participant for c in codings if c.participant and value_of[c.coding_id] == column})
                   for column in table.columns)
    top = {c.key: c for c in _top_level(codes)}
    rows = tuple((top[key], sum(table.cell(key, col).count for col in table.columns),
                  tuple(table.cell(key, col) for col in table.columns)) for key in table.rows)
    return Shares(attribute, table.columns, table.column_labels, people, rows)


def presence(codings: Iterable[Coded], codes: Sequence[CodeInfo], source_of: Mapping[int, str],
             sources: Sequence[tuple[str, str]]) -> Matrix:
    """Top-level codes × data sources (`sources`: (key, label) pairs; `source_of` gives each document's): each
    cell counts the code's passages from that source, so a table can show whether the source evidences the
    code at all (the report's Table 5.6, ✓ or ✗)."""
    codings = list(codings)
    rows = _top_level(codes)
    groups = _grouped(codings, [r.key for r in rows], True, _parents(codes))
    cells = {}
    for row in rows:
        for key, _ in sources:
            chosen = [c for c in groups[row.key] if source_of.get(c.document_id) == key]
            cells[(row.key, key)] = Cell(len(chosen), tuple(sorted(c.coding_id for c in chosen)))
    return Matrix(rows=tuple(r.key for r in rows), columns=tuple(k for k, _ in sources), cells=cells,
                  row_labels=tuple(r.name for r in rows), column_labels=tuple(label for _, label in sources),
                  measure="passages")


def frequencies(codings: Iterable[Coded], codes: Sequence[CodeInfo], *, roll_up: bool = True
                ) -> list[Frequency]:
    """Each code's passages, participants and documents, in codebook order.

    With roll-up, the top-level codes, each counting its whole subtree; without, every code on its own.
    """
    codings = list(codings)
    rows = _rows_for(codes, roll_up)
    groups = _grouped(codings, [r.key for r in rows], roll_up, _parents(codes))
    result = []
    for code in rows:
        passages, people, documents, _ = _tally(groups[code.key])
        result.append(Frequency(code.key, code.name, code.colour, passages, people, documents))
    return result


# --- the values pyramid -------------------------------------------------------------------------------

def pyramid(codings: Iterable[Coded], codes: Sequence[CodeInfo], *, document_id: Optional[int] = None
            ) -> Pyramid:
    """The tiered top-level values with their evidence, for one document or (by default) all of them."""
    codings = [c for c in codings if document_id is None or c.document_id == document_id]
    groups = _grouped(codings, [c.key for c in _top_level(codes)], True, _parents(codes))
    tiers: dict[str, list[PyramidValue]] = {tier: [] for tier in TIERS}
    for code in _top_level(codes):
        tier = code.tier or REPORT_TIERS.get(code.key)
        if tier not in tiers or code.kind not in ("value", "code"):
            continue
        passages, people, documents, ids = _tally(groups[code.key])
        tiers[tier].append(PyramidValue(code.key, code.name, code.colour, tier, passages, people, documents,
                                        ids))
    return Pyramid(foundation=tuple(tiers["foundation"]), dependent=tuple(tiers["dependent"]))
