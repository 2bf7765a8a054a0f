"""What a document page shows: turns swept into runs, each run with the codings on it."""

from dataclasses import dataclass, field
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.models import Code, Coding, Document, Participant, Turn, User
from coding.spans import overlaps, runs


@dataclass
class RunView:
    """A piece of a turn's text and the codings covering it."""

    start: int
    end: int
    text: str
    codings: list[Coding]
    colours: list[str]
    names: list[str]

    @property
    def style(self) -> str:
        """Inline CSS: the first code's colour as background, the others as stacked underlines."""
        if not self.colours:
            return ""
        shadows = ", ".join(f"inset 0 -{3 * (i + 1)}px 0 {c}" for i, c in enumerate(self.colours[1:4]))
        style = f"background-color: {self.colours[0]}59;"
        if shadows:
            style += f" box-shadow: {shadows};"
        return style


@dataclass
class TurnView:
    """One turn as the page renders it."""

    turn: Turn
    runs: list[RunView]
    interviewer: bool


@dataclass
class DocumentPage:
    """Everything the document page needs."""

    document: Document
    participant: Optional[Participant]
    turns: list[TurnView]
    codes: list[Code]
    shortcuts: list[Code]
    speakers: list[str]
    coding_count: int
    undo_hint: Optional[str] = None
    code_by_id: dict[int, Code] = field(default_factory=dict)


def turn_views(document: Document, turns: Sequence[Turn], codings: Sequence[Coding],
               codes: dict[int, Code]) -> list[TurnView]:
    """Sweep each turn into runs; turns in text order, codings sorted by start. Linear in both."""
    spans = [(c.start, c.end, c.id, c) for c in codings]
    pending = 0
    open_spans: list[tuple[int, int, int, Coding]] = []
    views = []
    for turn in turns:
        while pending < len(spans) and spans[pending][0] < turn.end:
            open_spans.append(spans[pending])
            pending += 1
        open_spans = [span for span in open_spans if span[1] > turn.start]
        by_id = {span[2]: span[3] for span in open_spans}
        pieces = []
        for run in runs(turn.start, turn.end, [span[:3] for span in open_spans]):
            on = [by_id[i] for i in run.coding_ids]
            pieces.append(RunView(run.start, run.end, document.text[run.start:run.end], on,
                                  [codes[c.code_id].colour for c in on], [codes[c.code_id].name for c in on]))
        views.append(TurnView(turn, pieces, turn.speaker in document.interviewer_speakers))
    return views


def affected_turns(session: Session, *, document: Document, start: int, end: int) -> list[TurnView]:
    """The rendered turns that a change to [start, end) touches."""
    turns = [t for t in store.document_turns(session, document_id=document.id)
             if overlaps(t.start, t.end, start, end)]
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    codings = store.document_codings(session, document_id=document.id)
    return turn_views(document, turns, codings, codes)


def document_page(session: Session, *, document: Document, user: User) -> DocumentPage:
    """The document page's data for this user."""
    codes = store.project_codes(session, project_id=document.project_id)
    code_by_id = {c.id: c for c in codes}
    turns = store.document_turns(session, document_id=document.id)
    codings = store.document_codings(session, document_id=document.id)
    usage = store.code_usage(session, project_id=document.project_id, user=user)
    live = [c for c in codes if not c.retired]
    shortcuts = sorted((c for c in live if usage.get(c.id)), key=lambda c: (-usage[c.id], c.position))[:9]
    if len(shortcuts) < 9:
        shortcuts += [c for c in live if c.parent_key is None and c not in shortcuts][: 9 - len(shortcuts)]
    last = store.last_undoable(session, project_id=document.project_id, user=user)
    return DocumentPage(
        document=document, participant=store.document_participant(session, document=document),
        turns=turn_views(document, turns, codings, code_by_id), codes=codes, shortcuts=shortcuts,
        speakers=list(dict.fromkeys(t.speaker for t in turns if t.speaker)), coding_count=len(codings),
        undo_hint=store.describe(last) if last else None, code_by_id=code_by_id,
    )


def codings_at(session: Session, *, document: Document, start: int, end: int) -> list[tuple[Coding, Code, str]]:
    """The live codings covering [start, end), with their code and coder's name."""
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    owners = store.layer_owners(session, project_id=document.project_id)
    found = []
    for coding in store.document_codings(session, document_id=document.id):
        if overlaps(coding.start, coding.end, start, end):
            owner = owners.get(coding.layer_id)
            found.append((coding, codes[coding.code_id], owner.display_name if owner else ""))
    return found
