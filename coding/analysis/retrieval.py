"""Coded quotes as plain data: filtering, ordering by codebook, participant tags."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional, Sequence

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from coding import store
from coding.store import versions
from coding.analysis import counts
from coding.codebook import codetree
from coding.models import Code, Coding, Document
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
    via_interpreter: bool = False  # said through an interpreter: the speaker's turns, or the whole transcript
    translated: bool = False  # from a transcript marked as translated

    def tag(self, attributes: Sequence[str] = DEFAULT_TAG_ATTRIBUTES) -> str:
        """The citation the report uses, such as `(PV44, online)`, or `(PV31, group – via interpreter)` for
        words said through an interpreter (the report's form, reference §3.4); `– translated` for words from a
        translated transcript."""
        parts = [self.participant or self.document]
        parts += [self.attributes[a] for a in attributes if self.attributes.get(a)]
        told = " – via interpreter" if self.via_interpreter else " – translated" if self.translated else ""
        return f"({', '.join(parts)}{told})"


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
    as_of: Optional[int] = None  # a codebook version: the codings it had, each with its code then
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

    def wants_attributes(self, attributes: dict) -> bool:
        """True when a participant's attributes have every value asked for (a value asked for as "" is met by
        one not recorded)."""
        return all((attributes.get(name) or "") == value for name, value in self.attributes.items())

    def to_params(self) -> dict:
        """Plain data for saving the query."""
        return {"codes": self.codes, "match": self.match, "together": self.together, "document_ids": self.document_ids,
                "attributes": self.attributes, "text": self.text, "layer": self.layer,
                **({"as_of": self.as_of} if self.as_of is not None else {})}

    @classmethod
    def from_params(cls, params: dict) -> "QuoteFilter":
        """A filter from saved plain data."""
        known = {"codes", "match", "together", "document_ids", "attributes", "text", "layer", "as_of"}
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

    def __init__(self, picks: list, make: Callable[[Any], Quote], coded: Callable[[Any], "counts.Coded"],
                 key: Callable[[Any], str]):
        self._picks, self._make, self._coded, self._key = picks, make, coded, key

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

    def code_counts(self) -> Counter:
        """How many matches each code key has (no quote made)."""
        return Counter(map(self._key, self._picks))

    def where(self, keep: Callable[["counts.Coded"], bool]) -> "Found":
        """The matches `keep` keeps (it is given each as analysis sees it: document_id, start, end, code_key)."""
        return Found([pick for pick in self._picks if keep(self._coded(pick))], self._make, self._coded, self._key)

    def firsts(self) -> list[Quote]:
        """Each code's first quote, in order, without making the others."""
        first: dict[str, Any] = {}
        for pick in self._picks:
            first.setdefault(self._key(pick), pick)
        return [self._make(pick) for pick in first.values()]

    def mapped(self, change: Callable[[Quote], Quote]) -> "Found":
        """The same matches, each quote changed by `change` as it is made."""
        return Found(self._picks, lambda pick: change(self._make(pick)), self._coded, self._key)


def code_counts(quotes: Sequence[Quote]) -> Counter:
    """How many of the quotes each code key has."""
    return quotes.code_counts() if isinstance(quotes, Found) else Counter(q.code_key for q in quotes)


def in_codebook_order(quotes: Sequence[Quote], codes: Sequence[Code]) -> Sequence[Quote]:
    """The quotes grouped by code in codebook order, each code's in the order given (found quotes already are)."""
    if isinstance(quotes, Found):
        return quotes
    return [quote for _, group in group_by_code(quotes, codes) for quote in group]


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


def quote_page(session: Session, *, project_id: int, wanted: QuoteFilter, scope: Scope, first: int,
               size: int) -> tuple[list[Quote], int]:
    """`size` of the quotes `find_quotes` finds, from the `first` (0 is the first), and how many it finds in all.
    The database does the reader's scope, the layers, the filters and the order, so a page of a study of 100,000
    codings reads its own codings and transcripts only. A text to look for (which must match the passage as
    Python lowers its case) and codes that must occur together are worked out by `find_quotes`."""
    if wanted.text.strip() or (wanted.match == "all" and len(wanted.codes) > 1) or wanted.as_of is not None:
        found = find_quotes(session, project_id=project_id, wanted=wanted, scope=scope)
        return found[first:first + size], len(found)
    codes = store.project_codes(session, project_id=project_id)
    lineage = codetree.lineages(codes)
    documents = store.document_summaries(session, project_id=project_id)
    people = _people(session, project_id=project_id)
    conditions = [Document.project_id == project_id, col(Coding.removed).is_(False)]
    wanted_layers = layers_for(session, project_id=project_id, choice=wanted.layer)
    if wanted_layers is not None:
        conditions.append(col(Coding.layer_id).in_(sorted(wanted_layers)))
    if scope.documents is not None:
        conditions.append(col(Coding.document_id).in_(sorted(scope.documents)))
    if scope.own is not None:
        conditions.append(or_(col(Coding.layer_id).in_(sorted(scope.own or ())),
                              col(Coding.document_id).in_(sorted(scope.revealed))))
    if wanted.codes:
        conditions.append(col(Coding.code_id).in_([c.id for c in codes if wanted.wants_code(lineage[c.key])]))
    if wanted.document_ids:
        conditions.append(col(Coding.document_id).in_(wanted.document_ids))
    if wanted.attributes:
        def attributes_of(document) -> dict:
            return people[document.participant_id][1] if document.participant_id in people else {}
        conditions.append(col(Coding.document_id).in_(
            [d.id for d in documents if wanted.wants_attributes(attributes_of(d))]))
    chosen = (select(Coding.id).join(Document, col(Document.id) == Coding.document_id)
              .join(Code, col(Code.id) == Coding.code_id).where(*conditions))
    total = session.exec(select(func.count()).select_from(chosen.subquery())).one()
    ids = session.exec(chosen.order_by(Code.position, Code.id, Coding.document_id, Coding.start, Coding.id)
                       .offset(first).limit(size)).all()
    if not ids:
        return [], total
    rows = {row.id: row for row in session.exec(
        select(Coding.id, Coding.document_id, Coding.layer_id, Coding.code_id, Coding.start, Coding.end,
               Coding.memo, Coding.origin).where(col(Coding.id).in_(ids)))}
    made = _Maker(session, codes, documents, people, store.layer_owners(session, project_id=project_id))
    return [made.quote(rows[i]) for i in ids], total


def _people(session: Session, *, project_id: int) -> dict[int, tuple[str, dict[str, str]]]:
    """Each participant's tag and attributes (with those of their hub and project), by id."""
    everyone = store.list_participants(session, project_id=project_id)
    attributes = store.participant_attributes(session, project_id=project_id, people=everyone)
    return {p.id: (p.label, attributes[p.id]) for p in everyone}


class _Passage(NamedTuple):
    """A coding as quotes read it (the columns of `store.project_passages`), with the code it had as of a version."""

    id: int
    document_id: int
    layer_id: int
    code_id: int
    start: int
    end: int
    memo: str
    origin: str


class _Texts(dict):
    """Transcript texts by document id, read from the database the first time one is asked for."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def __missing__(self, document_id: int) -> str:
        self.update(store.document_texts(self.session, document_ids=[document_id]))
        return self[document_id]


class _Maker:
    """Makes quotes (and analysis's `Coded` records) of coding records, with what each takes from its code,
    transcript, participant and coder read once for them all; transcript texts are read as quotes need them."""

    def __init__(self, session: Session, codes: Sequence[Code], documents,
                 people: dict[int, tuple[str, dict[str, str]]], owners: dict):
        self.texts = _Texts(session)
        paths = code_paths(codes)
        self.code_facts = {code.id: (code.key, code.name, paths[code.key], code.colour) for code in codes}
        self.document_facts = {}
        for document in documents:
            label, attributes = people.get(document.participant_id, (None, {}))
            self.document_facts[document.id] = (document.name, label, dict(attributes))
        self.coder_names = {layer_id: owner.shown_name for layer_id, owner in owners.items()}
        self.interpreted = {d.id: set(d.interpreted_speakers) for d in documents if d.interpreted_speakers}
        self.mediation = {d.id: d.mediation for d in documents if d.mediation}
        self._speakers: dict[int, store.TurnSpeakers] = {}
        self.session = session

    def _via_interpreter(self, coding) -> bool:
        """True when the transcript was interpreted, or the coding starts in a turn of a speaker marked as
        speaking through an interpreter."""
        if self.mediation.get(coding.document_id) == "interpreted":
            return True
        interpreted = self.interpreted.get(coding.document_id)
        if not interpreted:
            return False
        if coding.document_id not in self._speakers:
            self._speakers[coding.document_id] = store.TurnSpeakers(self.session, document_id=coding.document_id)
        return self._speakers[coding.document_id].at(coding.start) in interpreted

    def quote(self, coding) -> Quote:
        key, code_name, path, colour = self.code_facts[coding.code_id]
        document_name, participant, attributes = self.document_facts[coding.document_id]
        return Quote(coding_id=coding.id, document_id=coding.document_id, document=document_name, code_key=key,
                     code_name=code_name, code_path=path, colour=colour,
                     text=clean_quote(self.texts[coding.document_id][coding.start:coding.end]), start=coding.start,
                     end=coding.end, participant=participant, attributes=dict(attributes),
                     coder=self.coder_names.get(coding.layer_id, "Consensus"), memo=coding.memo, origin=coding.origin,
                     via_interpreter=self._via_interpreter(coding),
                     translated=self.mediation.get(coding.document_id) == "translated")

    def coded(self, coding) -> counts.Coded:
        _, participant, attributes = self.document_facts[coding.document_id]
        return tuple.__new__(counts.Coded, (coding.id, coding.document_id, coding.start, coding.end,
                                            self.code_facts[coding.code_id][0], participant, attributes))


def _quotes(session: Session, *, project_id: int, wanted: QuoteFilter, scope: Scope,
            first_only: bool = False) -> tuple[Found, Counter]:
    """The quotes (with `first_only`, only each code's first) and the number per code key. The codings come
    ordered by document and position, so a code's first is the first that passes the filters, and putting
    each code's matches after the codes before it gives codebook order, then document and position."""
    codes = store.project_codes(session, project_id=project_id)
    code_by_id = {code.id: code for code in codes}
    lineage = codetree.lineages(codes)
    made = _Maker(session, codes, store.document_summaries(session, project_id=project_id),
                  _people(session, project_id=project_id), store.layer_owners(session, project_id=project_id))
    wanted_layers = layers_for(session, project_id=project_id, choice=wanted.layer)
    everything = scope.documents is None and scope.own is None and wanted_layers is None
    passages = store.project_passages(session, project_id=project_id)
    then = versions.code_as_of(session, project_id=project_id, number=wanted.as_of) if wanted.as_of else None
    if then is not None:  # as of an earlier version: the codings it had, each with the code it had then
        passages = [_Passage(c.id, c.document_id, c.layer_id, then[c.id], c.start, c.end, c.memo, c.origin)
                    for c in passages if c.id in then]
    readable = [c for c in passages
                if everything or (scope.sees(c) and (wanted_layers is None or c.layer_id in wanted_layers))]
    needle = wanted.text.strip().lower()
    if needle:  # every passage's text is looked at: read the transcripts in one query
        made.texts.update(store.document_texts(session, document_ids={c.document_id for c in readable}))
    turns: dict[int, list[tuple[int, int]]] = {}
    wanted_codes = {code.id for code in codes if wanted.wants_code(lineage[code.key])}
    by_code: dict[str, list] = {code.key: [] for code in sorted(codes, key=lambda c: (c.position, c.id))}
    tally = Counter()
    filtering = bool(wanted.codes or wanted.document_ids or wanted.attributes or needle)
    by_document: dict[int, list] = {}
    if wanted.match == "all" and len(wanted.codes) > 1:
        for coding in readable:
            by_document.setdefault(coding.document_id, []).append(coding)
    for coding in readable:
        key = made.code_facts[coding.code_id][0]
        if filtering:
            if coding.code_id not in wanted_codes:
                continue
            if wanted.document_ids and coding.document_id not in wanted.document_ids:
                continue
            if not wanted.wants_attributes(made.document_facts[coding.document_id][2]):
                continue
            if needle and needle not in made.texts[coding.document_id][coding.start:coding.end].lower() \
                    and needle not in coding.memo.lower():
                continue
            if by_document and not _all_codes_here(coding, key, wanted.codes, by_document[coding.document_id],
                                                   code_by_id, lineage,
                                                   _units_of(session, coding.document_id, wanted.together, turns)):
                continue
        tally[key] += 1
        if first_only and tally[key] > 1:
            continue
        by_code[key].append(coding)
    return Found([coding for picks in by_code.values() for coding in picks], made.quote, made.coded,
                 lambda coding: made.code_facts[coding.code_id][0]), tally


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
    """Every attribute name the project's participants have (their own, and their hub's and project's),
    approach first."""
    names = {key for attributes in store.participant_attributes(session, project_id=project_id).values()
             for key in attributes}
    return sorted(names, key=lambda n: (n != "approach", n.lower()))


def attribute_values(session: Session, *, project_id: int, scope: Scope) -> dict[str, list[str]]:
    """Each attribute name with the values the reader's participants have for it, sorted."""
    values: dict[str, set[str]] = {}
    people = visibility.participants(session, project_id=project_id, scope=scope)
    for attributes in store.participant_attributes(session, project_id=project_id, people=people).values():
        for key, value in attributes.items():
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
    if wanted.as_of is not None:
        parts.append(f"as of codebook version {wanted.as_of}")
    return "Coded passages" + (" for " + ", ".join(parts) if parts else ", all codes")

