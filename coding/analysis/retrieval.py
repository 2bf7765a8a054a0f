"""Coded quotes as plain data: filtering, ordering by codebook, participant tags."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.analysis import counts
from coding.codebook import codetree
from coding.models import Code
from coding.team import visibility
from coding.team.visibility import Scope

DEFAULT_TAG_ATTRIBUTES = ("approach",)


@dataclass
class Quote:
    """One coded passage with everything a report needs to show it."""

    coding_id: int
    document_id: int
    document: str
    code_key: str
    code_name: str
    code_path: list[str]
    colour: str
    text: str
    start: int
    end: int
    participant: Optional[str]
    attributes: dict[str, str] = field(default_factory=dict)
    coder: str = ""
    memo: str = ""
    origin: str = "manual"

    def tag(self, attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES) -> str:
        """The citation the report uses, such as `(PV44, online)`."""
        parts = [self.participant or self.document]
        parts += [self.attributes[a] for a in attributes if self.attributes.get(a)]
        return f"({', '.join(parts)})"


@dataclass
class QuoteFilter:
    """What a reader asked for; empty fields do not filter.

    Codes include their sub-codes. With `match="all"`, a passage of one chosen code is kept only where
    each other chosen code is applied, by a different coding in the layers read, to overlapping text
    (`together="overlap"`) or within a speaker turn the passage also touches (`together="turn"`): exactly
    the passages a co-occurrence matrix cell counted. Attributes must all match; `text` is looked for,
    ignoring case, in the passage and its memo.
    """

    codes: list[str] = field(default_factory=list)
    match: str = "any"
    together: str = "overlap"  # with match "all": "overlap" (same text) or "turn" (same speaker turn)
    document_ids: list[int] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    text: str = ""
    layer: Optional[str] = None  # "consensus", "all" or "coder:<user id>"; None: consensus if there is one
    code: Optional[str] = None  # a single code, as older links and the command line give it
    document_id: Optional[int] = None
    attribute: Optional[str] = None
    value: Optional[str] = None

    def __post_init__(self) -> None:
        if self.code and self.code not in self.codes:
            self.codes = [*self.codes, self.code]
        if self.document_id and self.document_id not in self.document_ids:
            self.document_ids = [*self.document_ids, self.document_id]
        if self.attribute:
            self.attributes = {**self.attributes, self.attribute: self.value or ""}
        if self.match not in ("any", "all"):
            raise store.Invalid(f"match must be 'any' or 'all', not '{self.match}'")
        if self.together not in ("overlap", "turn"):
            raise store.Invalid(f"together must be 'overlap' or 'turn', not '{self.together}'")
        self.code = self.codes[0] if len(self.codes) == 1 else None

    def wants_code(self, lineage: tuple[str, ...]) -> bool:
        """True when the code (given by its lineage, see `codetree.lineages`) or one of its ancestors was asked for."""
        return not self.codes or any(codetree.within(lineage, wanted) for wanted in self.codes)

    def to_params(self) -> dict:
        """Plain data for saving the query."""
        return {"codes": self.codes, "match": self.match, "together": self.together, "document_ids": self.document_ids,
                "attributes": self.attributes, "text": self.text, "layer": self.layer}

    @classmethod
    def from_params(cls, params: dict) -> "QuoteFilter":
        """A filter from saved plain data."""
        known = {"codes", "match", "together", "document_ids", "attributes", "text", "layer"}
        return cls(**{k: v for k, v in params.items() if k in known})


def code_paths(codes: Iterable[Code]) -> dict[str, list[str]]:
    """Each code's key mapped to the names from its top-level ancestor down to itself."""
    by_key = {code.key: code for code in codes}
    paths: dict[str, list[str]] = {}
    for key, code in by_key.items():
        names, current = [], code
        while current is not None:
            names.append(current.name)
            current = by_key.get(current.parent_key) if current.parent_key else None
        paths[key] = list(reversed(names))
    return paths


QUOTE_MARKS = {'"': '"', "“": "”", "”": "”", "„": "“", "'": "'", "‘": "’", "’": "’", "«": "»", "»": "«"}


def quoted(text: str) -> str:
    """The passage in curly quotation marks, unless it already starts and ends with quotation marks."""
    if len(text) >= 2 and text[0] in QUOTE_MARKS and text[-1] in QUOTE_MARKS.values():
        return text
    return f"“{text}”"


def clean_quote(text: str) -> str:
    """A passage on one line: runs of white space, line breaks included, become single spaces."""
    return " ".join(text.split())


class Found(Sequence[Quote]):
    """The quotes that matched, in order, each made into a `Quote` only when it is read: a page of 200 out of
    100,000 reads the text of the transcripts on that page only. Counts come from `coded()` without quotes."""

    def __init__(self, picks: list, make: Callable[[Any], Quote], coded: Callable[[Any], "counts.Coded"]):
        self._picks, self._make, self._coded = picks, make, coded

    def __len__(self) -> int:
        return len(self._picks)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._make(pick) for pick in self._picks[index]]
        return self._make(self._picks[index])

    def __iter__(self) -> Iterator[Quote]:
        return map(self._make, self._picks)

    def coded(self) -> list["counts.Coded"]:
        """The matches as analysis counts them: where each is, its code, and whose words (no text read)."""
        return [self._coded(pick) for pick in self._picks]


def find_quotes(session: Session, *, project_id: int, wanted: QuoteFilter, scope: Scope) -> Found:
    """The project's coded passages that match and that the reader may see, in codebook order, then
    document and position."""
    return _quotes(session, project_id=project_id, wanted=wanted, scope=scope)[0]


def first_quotes(session: Session, *, project_id: int, wanted: QuoteFilter,
                 scope: Scope) -> tuple[list[Quote], Counter]:
    """What `find_quotes` finds, summed up for a codebook: for each code, the first of its quotes (in the same
    order) and how many it has; without making the rest."""
    found, tally = _quotes(session, project_id=project_id, wanted=wanted, scope=scope, first_only=True)
    return list(found), tally


class _Texts(dict):
    """Transcript texts by document id, read from the database the first time one is asked for."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def __missing__(self, document_id: int) -> str:
        self.update(store.document_texts(self.session, document_ids=[document_id]))
        return self[document_id]


def _quotes(session: Session, *, project_id: int, wanted: QuoteFilter, scope: Scope,
            first_only: bool = False) -> tuple[Found, Counter]:
    """The quotes (with `first_only`, only each code's first) and the number per code key. The codings come
    ordered by document and position, so a code's first is the first that passes the filters, and putting
    each code's matches after the codes before it gives codebook order, then document and position."""
    codes = store.project_codes(session, project_id=project_id)
    code_by_id = {code.id: code for code in codes}
    paths = code_paths(codes)
    lineage = codetree.lineages(codes)
    documents = store.document_summaries(session, project_id=project_id)
    people = {p.id: p for p in store.list_participants(session, project_id=project_id)}
    owners = store.layer_owners(session, project_id=project_id)
    wanted_layers = layers_for(session, project_id=project_id, choice=wanted.layer)
    everything = scope.documents is None and scope.own is None and wanted_layers is None
    readable = [c for c in store.project_passages(session, project_id=project_id)
                if everything or (scope.sees(c) and (wanted_layers is None or c.layer_id in wanted_layers))]
    needle = wanted.text.strip().lower()
    texts = _Texts(session)
    if needle:  # every passage's text is looked at: read the transcripts in one query
        texts.update(store.document_texts(session, document_ids={c.document_id for c in readable}))
    turns: dict[int, list[tuple[int, int]]] = {}
    # what each quote takes from its code, document and coder, read off the records once, not per quote
    code_facts = {code.id: (code.key, code.name, paths[code.key], code.colour, wanted.wants_code(lineage[code.key]))
                  for code in codes}
    document_facts = {}
    for document in documents:
        person = people.get(document.participant_id) if document.participant_id else None
        document_facts[document.id] = (document.name, person.label if person else None,
                                       dict(person.attributes) if person else {})
    coder_names = {layer_id: owner.shown_name for layer_id, owner in owners.items()}

    def quote(pick) -> Quote:
        coding, (key, code_name, path, colour, _) = pick
        document_name, participant, attributes = document_facts[coding.document_id]
        return Quote(coding_id=coding.id, document_id=coding.document_id, document=document_name, code_key=key,
                     code_name=code_name, code_path=path, colour=colour,
                     text=clean_quote(texts[coding.document_id][coding.start:coding.end]), start=coding.start,
                     end=coding.end, participant=participant, attributes=dict(attributes),
                     coder=coder_names.get(coding.layer_id, "Consensus"), memo=coding.memo, origin=coding.origin)

    def coded(pick) -> counts.Coded:
        coding, facts = pick
        _, participant, attributes = document_facts[coding.document_id]
        return tuple.__new__(counts.Coded, (coding.id, coding.document_id, coding.start, coding.end, facts[0],
                                            participant, attributes))

    by_code: dict[str, list] = {code.key: [] for code in sorted(codes, key=lambda c: (c.position, c.id))}
    tally = Counter()
    filtering = bool(wanted.codes or wanted.document_ids or wanted.attributes or needle)
    by_document: dict[int, list] = {}
    if wanted.match == "all" and len(wanted.codes) > 1:
        for coding in readable:
            by_document.setdefault(coding.document_id, []).append(coding)
    for coding in readable:
        facts = code_facts[coding.code_id]
        key = facts[0]
        if filtering:
            if not facts[4]:
                continue
            if wanted.document_ids and coding.document_id not in wanted.document_ids:
                continue
            attributes = document_facts[coding.document_id][2]
            if any((attributes.get(name) or "") != value for name, value in wanted.attributes.items()):
                continue
            if needle and needle not in texts[coding.document_id][coding.start:coding.end].lower() \
                    and needle not in coding.memo.lower():
                continue
            if by_document and not _all_codes_here(coding, key, wanted.codes, by_document[coding.document_id],
                                                   code_by_id, lineage,
                                                   _units_of(session, coding.document_id, wanted.together, turns)):
                continue
        tally[key] += 1
        if first_only and tally[key] > 1:
            continue
        by_code[key].append((coding, facts))
    return Found([pick for picks in by_code.values() for pick in picks], quote, coded), tally


def _units_of(session: Session, document_id: int, together: str, cache: dict) -> Optional[list[tuple[int, int]]]:
    """The document's speaker turns when codes must share a turn; None when they must share text."""
    if together != "turn":
        return None
    if document_id not in cache:
        cache[document_id] = [(t.start, t.end) for t in store.document_turns(session, document_id=document_id)]
    return cache[document_id]


def _all_codes_here(coding, key: str, wanted: list[str], same_document, code_by_id, lineage,
                    turns: Optional[list[tuple[int, int]]] = None) -> bool:
    """True when the coding counts for one wanted code and every other wanted code is applied by a
    different coding to overlapping text, or (given `turns`) within a turn the coding also touches."""
    units = [(coding.start, coding.end)] if turns is None else [
        (start, end) for start, end in turns if start < coding.end and coding.start < end]
    for index, mine in enumerate(wanted):
        if not codetree.within(lineage[key], mine):
            continue
        for start, end in units:
            if all(any(c.id != coding.id and c.start < end and start < c.end
                       and codetree.within(lineage[code_by_id[c.code_id].key], other) for c in same_document)
                   for other in wanted[:index] + wanted[index + 1:]):
                return True
    return False


def layers_for(session: Session, *, project_id: int, choice: Optional[str]) -> Optional[set[int]]:
    """The layer ids a report reads: the consensus layer by default when it has codings, else all layers;
    or what the reader chose: "all", "consensus" or "coder:<user id>" (never a bare user name, so that
    a coder called `all` or `consensus` is still one coder)."""
    consensus = store.consensus_layer(session, project_id=project_id, create=False)
    if choice == "all":
        return None
    if choice == "consensus" or (not choice and consensus is not None and store.layer_has_codings(
            session, layer_id=consensus.id)):
        return {consensus.id} if consensus else set()
    if not choice:
        return None
    user_id = coder_of_choice(choice)
    owners = store.layer_owners(session, project_id=project_id)
    return {layer_id for layer_id, user in owners.items() if user.id == user_id}


def coder_choice(user_id: int) -> str:
    """The layer choice that reads one coder's layer."""
    return f"coder:{user_id}"


def coder_of_choice(choice: str) -> int:
    """The user id in a "coder:<user id>" layer choice."""
    kind, _, number = choice.partition(":")
    if kind != "coder" or not number.isdigit():
        raise store.Invalid(f"a layer is 'all', 'consensus' or 'coder:<user id>', not '{choice}'")
    return int(number)


def narrowed(wanted: QuoteFilter, scope: Scope) -> QuoteFilter:
    """The filter, reading only the reader's own layer while they code blind."""
    if scope.blind:
        wanted.layer = coder_choice(scope.user_id)
    return wanted


def layer_choices(session: Session, *, project_id: int, scope: Scope) -> list[tuple[str, str]]:
    """(value, label) for every layer the reader may read, the default first (a blind coder: only their own)."""
    if scope.blind:
        return [(coder_choice(scope.user_id), "Your own codings")]
    choices = [("", "Consensus where there is one, otherwise everyone"), ("all", "All coders")]
    if store.consensus_layer(session, project_id=project_id, create=False) is not None:
        choices.append(("consensus", "Consensus only"))
    owners = store.layer_owners(session, project_id=project_id)
    people = sorted({(u.shown_name.lower(), u.id, u.shown_name) for u in owners.values()})
    return choices + [(coder_choice(user_id), f"{name}'s layer") for _, user_id, name in people]


def group_by_code(quotes: Sequence[Quote], codes: Sequence[Code]) -> list[tuple[Code, list[Quote]]]:
    """Quotes grouped under their code, codes in codebook order, codes without quotes left out."""
    grouped: dict[str, list[Quote]] = {}
    for quote in quotes:
        grouped.setdefault(quote.code_key, []).append(quote)
    return [(code, grouped[code.key]) for code in codes if code.key in grouped]


def attribute_names(session: Session, *, project_id: int) -> list[str]:
    """Every attribute name used by the project's participants, approach first."""
    names = {key for p in store.list_participants(session, project_id=project_id) for key in p.attributes}
    return sorted(names, key=lambda n: (n != "approach", n.lower()))


def attribute_values(session: Session, *, project_id: int, scope: Scope) -> dict[str, list[str]]:
    """Each attribute name with the values the reader's participants have for it, sorted."""
    values: dict[str, set[str]] = {}
    for person in visibility.participants(session, project_id=project_id, scope=scope):
        for key, value in person.attributes.items():
            values.setdefault(key, set()).add(str(value))
    return {name: sorted(values[name]) for name in attribute_names(session, project_id=project_id) if name in values}


def describe_filter(wanted: QuoteFilter, codes: Sequence[Code], layers: Optional[dict[str, str]] = None) -> str:
    """A line saying what a quote table contains (`layers` names the layer choices)."""
    names = {c.key: c.name for c in codes}
    parts = []
    if wanted.codes:
        joined = f" {'and' if wanted.match == 'all' else 'or'} ".join(names.get(k, k) for k in wanted.codes)
        parts.append(f"codes {joined} (with sub-codes)" if len(wanted.codes) > 1
                     else f"code {joined} (with its sub-codes)")
        if wanted.match == "all" and wanted.together == "turn" and len(wanted.codes) > 1:
            parts.append("each in a speaker turn where the other code also occurs")
    if wanted.document_ids:
        parts.append("documents " + ", ".join(str(d) for d in wanted.document_ids))
    for name, value in wanted.attributes.items():
        parts.append(f"{name} = {value}")
    if wanted.text:
        parts.append(f"containing “{wanted.text}”")
    if wanted.layer:
        parts.append(f"layer: {(layers or {}).get(wanted.layer, wanted.layer)}")
    return "Coded passages" + (" for " + ", ".join(parts) if parts else ", all codes")

