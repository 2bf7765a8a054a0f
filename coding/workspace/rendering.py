"""What a document page shows: turns swept into runs, each run with the codings on it."""

from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Callable, Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.codebook.palette import line, tint
from coding.models import Code, Coding, Document, Participant, Turn, User
from coding.recent import of_document
from coding.suggest.review import PANEL, Shown, document_suggestions, encoder_reading
from coding.team.visibility import Scope, code_counts, layer_tallies, tallies
from coding.text.spans import overlaps, runs
from coding.workspace.chunks import Span, locate
from coding.workspace.layers import LayerChoice, Names, choices, chosen, layer_names, owner_names
from coding.workspace.shortcuts import Slot, pinned_keys, slots
from coding.workspace.stripes import Stripe, memo_start, turn_stripes


UNDERLINES = 4  # stacked underlines a run shows; more codes on it show as "+n"


@dataclass
class RunView:
    """A piece of a turn's text and the codings covering it, with the memos of codings that end here."""

    start: int
    end: int
    text: str
    codings: list[Coding]
    colours: list[str]
    names: list[str]
    suggestion: Optional[Shown] = None
    memos: list[str] = field(default_factory=list)

    @property
    def style(self) -> str:
        """Inline CSS: the first code's light tint behind the text, and one solid underline per code (up to
        four, stacked) in each code's own line colour."""
        return _run_style(tuple(self.colours[:UNDERLINES]),
                          self.suggestion.code.colour if self.suggestion is not None else "")

    @property
    def ids(self) -> str:
        """The ids of the codings on the run, for its data-codings attribute: "12 40"."""
        return " ".join(str(c.id) for c in self.codings)

    @property
    def more(self) -> str:
        """"+2" when more codes lie on the run than it draws underlines for, else ""."""
        extra = len(self.colours) - UNDERLINES
        return f"+{extra}" if extra > 0 else ""

    @property
    def title(self) -> str:
        """Hover text: the codes on the run, then the suggestion if there is one."""
        parts = [", ".join(self.names)] if self.names else []
        if self.suggestion is not None:
            parts.append(self.suggestion.title)
        return " · ".join(parts)

    @property
    def memo_label(self) -> str:
        """The memo marker's accessible name: "has a memo: Safety: the start of it"."""
        return ("has a memo: " if len(self.memos) == 1 else f"has {len(self.memos)} memos: ") + " / ".join(self.memos)


class TurnView:
    """One turn as the page renders it. Its runs and stripes are swept when first read; `key` holds everything
    the rendering reads, so a turn rendered before with the same key needs no sweep (server/fragments.py)."""

    __slots__ = ("turn", "interviewer", "interpreted", "key", "_sweep", "_swept")

    def __init__(self, turn: Turn, interviewer: bool, interpreted: bool, key: tuple,
                 sweep: Callable[[], tuple[list[RunView], list[Stripe]]]):
        self.turn, self.interviewer, self.interpreted, self.key = turn, interviewer, interpreted, key
        self._sweep, self._swept = sweep, None

    def _made(self) -> tuple[list[RunView], list[Stripe]]:
        if self._swept is None:
            self._swept = self._sweep()
        return self._swept

    @property
    def runs(self) -> list[RunView]:
        return self._made()[0]

    @property
    def stripes(self) -> list[Stripe]:
        return self._made()[1]


@dataclass
class DocumentPage:
    """Everything the document page needs."""

    document: Document
    participant: Optional[Participant]
    turns: list[TurnView]
    codes: list[Code]
    shortcuts: list[Slot]
    speakers: list[str]
    coding_count: int
    undo_hint: Optional[str] = None
    code_by_id: dict[int, Code] = field(default_factory=dict)
    suggestions_on: bool = True
    suggestions: list[Shown] = field(default_factory=list)
    suggestions_reading: bool = False  # the sentence encoder has yet to read the transcript
    layers: list[LayerChoice] = field(default_factory=list)
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)  # code id: (here, in the project), as seen
    chunk: Optional["Chunk"] = None
    turn_count: int = 0

    @property
    def suggestions_more(self) -> bool:
        """True when more suggestions follow than the panel lists."""
        return len(self.suggestions) > PANEL


Known = tuple[Sequence[Shown], int]  # suggestions found in text order, and the offset before which they are all


@dataclass
class Chunk:
    """A run of consecutive turns of the transcript, rendered, and where it lies in the whole."""

    span: Span
    turns: list[TurnView]


def turn_views(document: Document, turns: Sequence[Turn], codings: Sequence[Coding],
               codes: dict[int, Code], suggestions: Sequence[Shown] = (),
               owners: Optional[dict[int, str]] = None) -> list[TurnView]:
    """Each turn with the codings and suggestions on it, to be swept into runs and its margin stripes; turns in
    text order, codings and suggestions sorted by start. With `owners` (layer id to name), each code's name on
    hover says whose coding it is.

    Suggestions take part in the sweep under negative ids, so a run knows the suggestion it lies in.
    """
    spans = sorted([(c.start, c.end, c.id, c) for c in codings]
                   + [(s.start, s.end, -1 - i, s) for i, s in enumerate(suggestions)], key=lambda x: x[0])
    pending = 0
    open_spans: list[tuple[int, int, int, Coding]] = []
    views = []
    for turn in turns:
        while pending < len(spans) and spans[pending][0] < turn.end:
            open_spans.append(spans[pending])
            pending += 1
        open_spans = [span for span in open_spans if span[1] > turn.start]
        interviewer = turn.speaker in document.interviewer_speakers
        interpreted = bool(turn.speaker) and turn.speaker in document.interpreted_speakers
        key = _turn_key(document, turn, interviewer, interpreted, open_spans, codes, owners)
        views.append(TurnView(turn, interviewer, interpreted, key,
                              partial(_sweep, document, turn, list(open_spans), codes, owners)))
    return views


def _turn_key(document: Document, turn: Turn, interviewer: bool, interpreted: bool,
              spans: Sequence[tuple[int, int, int, object]], codes: dict[int, Code],
              owners: Optional[dict[int, str]]) -> tuple:
    """Everything a turn's rendering reads, the project first: the transcript, the turn, and each coding and
    suggestion on it as shown."""
    on = []
    for start, end, ident, item in spans:
        if ident > 0:
            code = codes[item.code_id]
            on.append((start, end, ident, code.name, code.colour, (owners or {}).get(item.layer_id), item.memo))
        else:
            on.append((start, end, 0, item.code.name, item.code.colour, item.score, tuple(item.matched)))
    return (*of_document(document), turn.id, turn.start, turn.end, turn.speaker,
            turn.cue_start_ms, turn.cue_end_ms, interviewer, interpreted, tuple(on))


def _sweep(document: Document, turn: Turn, spans: Sequence[tuple[int, int, int, object]], codes: dict[int, Code],
           owners: Optional[dict[int, str]]) -> tuple[list[RunView], list[Stripe]]:
    """A turn's runs, each with the codings and the suggestion on it, and its stripes."""
    by_id = {span[2]: span[3] for span in spans}
    here = [span for span in spans if span[2] > 0]
    memos: dict[int, list[str]] = {}
    for _, coding_end, _, coding in here:
        if turn.start < coding_end <= turn.end and coding.memo:
            memos.setdefault(coding_end, []).append(f"{codes[coding.code_id].name}: {memo_start(coding.memo)}")
    pieces = []
    for run in runs(turn.start, turn.end, [span[:3] for span in spans]):
        on = [by_id[i] for i in run.coding_ids if i > 0]
        suggested = next((by_id[i] for i in run.coding_ids if i < 0), None)
        pieces.append(RunView(run.start, run.end, document.text[run.start:run.end], on,
                              [codes[c.code_id].colour for c in on], [_named(codes, owners, c) for c in on],
                              suggested, memos.get(run.end, [])))
    return pieces, turn_stripes(turn.start, turn.end, here, codes, owners)


@lru_cache(maxsize=4096)
def _run_style(colours: tuple[str, ...], suggested: str) -> str:
    """A run's inline CSS for the codes' colours on it (in order) and the colour of a suggestion on it."""
    style = ""
    if colours:
        width = 3 if len(colours) <= 2 else 2  # four lines still fit between two lines of text
        shadows = ", ".join(f"inset 0 -{width * (i + 1)}px 0 {line(c)}" for i, c in enumerate(colours))
        style = (f"background-color: {tint(colours[0])}; box-shadow: {shadows};"
                 f" padding-bottom: {width * len(colours)}px;")
    if suggested:
        style += f" text-decoration-color: {line(suggested)};"
    return style.strip()


def _named(codes: dict[int, Code], owners: Optional[dict[int, str]], coding: Coding) -> str:
    """A coding's code name, with whose coding it is when that is known: "Safety (Cara Jones)"."""
    name = codes[coding.code_id].name
    owner = (owners or {}).get(coding.layer_id)
    return f"{name} ({owner})" if owner else name


def suggestions_on(user: User) -> bool:
    """Whether this coder has suggestions shown (on unless they turned them off)."""
    return bool((user.preferences or {}).get("suggestions", True))


def affected_turns(session: Session, *, document: Document, start: int, end: int, user: User,
                   with_suggestions: bool = False, layers: Optional[set[int]] = None,
                   codes: Optional[Sequence[Code]] = None) -> list[TurnView]:
    """The rendered turns that a change to [start, end) touches (with the coder's suggestions if asked;
    `codes`: the project's, when the caller has them)."""
    turns = store.turns_overlapping(session, document_id=document.id, start=start, end=end)
    if not turns:
        return []
    return _views(session, document=document, user=user, turns=turns, layers=layers,
                  with_suggestions=with_suggestions, codes=codes)


def _views(session: Session, *, document: Document, user: User, turns: Sequence[Turn],
           layers: Optional[set[int]], with_suggestions: bool, shown: Optional[Sequence[Shown]] = None,
           codes: Optional[Sequence[Code]] = None, names: Optional[Names] = None) -> list[TurnView]:
    """These contiguous turns rendered with the codings on them (and the coder's suggestions, if asked)."""
    if not turns:
        return []
    lo, hi = turns[0].start, turns[-1].end
    codes = codes if codes is not None else store.project_codes(session, project_id=document.project_id)
    codings = store.codings_overlapping(session, document_id=document.id, start=lo, end=hi, layers=layers)
    if shown is None:
        shown = (document_suggestions(session, document=document, user=user, start=lo, end=hi, codes=codes)
                 if with_suggestions and suggestions_on(user) else [])
    return turn_views(document, turns, codings, {c.id: c for c in codes}, shown,
                      owner_names(session, document=document, names=names))


def document_chunk(session: Session, *, document: Document, user: User, span: Span,
                   layers: Optional[set[int]] = None, codes_here: bool = True,
                   codes: Optional[Sequence[Code]] = None, known: Optional[Known] = None,
                   names: Optional[Names] = None) -> Chunk:
    """One chunk of the transcript's turns, rendered as the page shows them. `known` are suggestions the
    caller has already found, in text order, with the offset before which they are all of them."""
    turns = store.turns_in(session, document_id=document.id, first=span.first, last=span.last)
    shown = None
    if known is not None and turns and turns[-1].end <= known[1]:
        lo, hi = turns[0].start, turns[-1].end
        shown = [s for s in known[0] if lo <= s.start and s.end <= hi]
    return Chunk(span, _views(session, document=document, user=user, turns=turns, layers=layers,
                              with_suggestions=codes_here, codes=codes, shown=shown, names=names))


def suggestion_turns(session: Session, *, document: Document, user: User, layers: Optional[set[int]] = None,
                     limit: int = PANEL) -> tuple[list[TurnView], list[Shown]]:
    """The turns that carry the first `limit` suggestions, rendered with them, and those suggestions."""
    shown = document_suggestions(session, document=document, user=user, limit=limit + 1)
    turns = [t for t in store.turns_overlapping(session, document_id=document.id, start=shown[0].start,
                                                end=shown[-1].end)
             if any(overlaps(t.start, t.end, s.start, s.end) for s in shown)] if shown else []
    views = [view for turn in turns
             for view in _views(session, document=document, user=user, turns=[turn], layers=layers,
                                with_suggestions=True,
                                shown=[s for s in shown if overlaps(turn.start, turn.end, s.start, s.end)])]
    return views, shown


def document_page(session: Session, *, document: Document, user: User, layers: Optional[set[int]] = None,
                  codes_here: bool = True, wanted: Optional[list[str]] = None, span: Optional[Span] = None,
                  scope: Optional[Scope] = None) -> DocumentPage:
    """The document page's data for this user, showing only the layers they may see (`layers`, None for all)
    and of those the ones they chose (`wanted`, None for all), and suggestions when they code here; of the
    turns, only the chunk `span` (the first chunk when not given): the others load as the reader needs them.
    With the reader's `scope`, each code's count here and in the project."""
    codes = store.code_records(session, project_id=document.project_id)
    code_by_id = {c.id: c for c in codes}
    span = span or locate(session, document=document)
    names = layer_names(session, document=document)
    shown_layers = chosen(session, document=document, allowed=layers, wanted=wanted, names=names)
    shortcuts = slots(codes, pinned_keys(user, document.project_id))
    suggesting = codes_here and suggestions_on(user)
    shown = (document_suggestions(session, document=document, user=user, limit=PANEL + 1, codes=codes)
             if suggesting else [])
    # the panel's suggestions are all there are before the last one it found (or all, when it found no more)
    tallied = tallies(session, project_id=document.project_id) if scope is not None else None
    per_layer = (layer_tallies(tallied, document_id=document.id, layers=layers) if tallied is not None
                 else store.layer_counts(session, document_id=document.id, layers=layers))
    known = (shown, len(document.text) if len(shown) <= PANEL else shown[-1].start) if suggesting else None
    chunk = document_chunk(session, document=document, user=user, span=span, layers=shown_layers,
                           codes_here=suggesting, codes=codes, known=known, names=names)
    return DocumentPage(
        document=document, participant=store.document_participant(session, document=document),
        turns=chunk.turns, chunk=chunk, turn_count=span.total,
        codes=codes, shortcuts=shortcuts, suggestions=shown,
        layers=choices(session, document=document, allowed=layers, shown=shown_layers, names=names, counts=per_layer),
        speakers=store.speakers(session, document_id=document.id),
        coding_count=sum(n for i, n in per_layer.items() if shown_layers is None or i in shown_layers),
        undo_hint=store.undo_hint(session, project_id=document.project_id, user=user, document_id=document.id,
                                  codes=codes),
        code_by_id=code_by_id,
        suggestions_on=suggestions_on(user),
        suggestions_reading=suggesting and encoder_reading(session, document=document, codes=codes),
        counts=code_counts(session, project_id=document.project_id, scope=scope, document_id=document.id,
                           shown=shown_layers, rows=tallied) if scope is not None else {},
    )


def codings_at(session: Session, *, document: Document, start: int, end: int,
               layers: Optional[set[int]] = None) -> list[tuple[Coding, Code, str]]:
    """The live codings covering [start, end) that the user may see, with their code and coder's name."""
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    owners = store.layer_owners(session, project_id=document.project_id)
    found = []
    for coding in store.document_codings(session, document_id=document.id, layers=layers):
        if overlaps(coding.start, coding.end, start, end):
            owner = owners.get(coding.layer_id)
            found.append((coding, codes[coding.code_id], owner.shown_name if owner else ""))
    return found


def passage_panel(session: Session, *, document: Document, user: User, start: int, end: int,
                  layers: Optional[set[int]] = None) -> dict:
    """What the codes-at-passage popover needs: the codings there, the live codes to recode one to, and which
    layer is the user's own (only those codings offer resizing and recoding)."""
    mine = {layer_id for layer_id, owner in store.layer_owners(session, project_id=document.project_id).items()
            if owner.id == user.id}
    return {"found": codings_at(session, document=document, start=start, end=end, layers=layers),
            "start": start, "end": end, "mine": mine,
            "codes": store.project_codes(session, project_id=document.project_id, include_retired=False)}
