"""What participants agreed to, and the one rule every export follows: who may be quoted, and which passages
are held back as sensitive.

The Side by Side team recorded consent per interview: written at a face-to-face interview, by phone or email
for a telephone one, verbal for a recorded group consultation; some people agreed to take part but not to be
recorded, and some sources were used "to inform only", never quoted (reference §3.7, §4 items 37 and 39). A
participant, and a document on its own (a focus group, say), carries a `Consent`. A quote is left out of every
export when its participant or its document did not agree to be quoted or is marked "inform only"; a quote
that touches a passage flagged as sensitive (§3.6, item 36) is left out unless the exporter includes flagged
quotes knowingly. `Quoting` applies both for one project, read once; `coding.exchange.downloads` and the
REFI-QDA export go through it, and `check` says beforehand what will be left out and why.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Optional

from sqlmodel import Session, col, select

from coding import store
from coding.models import Document, Participant, SensitiveFlag, User
from coding.store.base import _done, _log

HOW = {"written": "written", "phone": "by phone", "email": "by email", "verbal": "verbal"}
DOCUMENT_KINDS = {"interview": "interview transcript", "interview-notes": "interview notes (not recorded)",
                  "focus-group": "focus group", "consultation-notes": "consultation notes",
                  "survey": "survey answer", "email-interview": "email interview",
                  "observation-notes": "observation notes"}
SENSITIVE = {"self-harm": "self-harm or suicide", "eating": "eating and weight", "substances": "substances",
             "immigration": "immigration status", "sexuality": "sexuality", "crime": "crime and justice",
             "risk": "risk disclosure"}
ANSWERS = {"yes": True, "no": False, "": None}


@dataclass(frozen=True)
class Consent:
    """What was agreed: how and when consent was given, to recording, to being quoted, or only to inform."""

    how: str = ""  # a key of HOW; "" when not recorded
    on: str = ""  # the date, YYYY-MM-DD
    recording: Optional[bool] = None  # None: not recorded
    quoting: Optional[bool] = None
    inform_only: bool = False  # "use to inform only, do not quote"

    def __post_init__(self) -> None:
        if self.how not in HOW and self.how != "":
            raise store.Invalid(f"consent is given {', '.join(HOW)}, not '{self.how}'")
        if self.on:
            try:
                date.fromisoformat(self.on)
            except ValueError:
                raise store.Invalid(f"the consent date is a date such as 2016-03-14, not '{self.on}'") from None

    @classmethod
    def of(cls, plain: Optional[Mapping[str, Any]]) -> "Consent":
        """From what the database keeps (unknown keys ignored)."""
        plain = plain or {}
        return cls(**{k: plain[k] for k in ("how", "on", "recording", "quoting", "inform_only") if k in plain})

    def plain(self) -> dict[str, Any]:
        return asdict(self)

    def refusal(self) -> Optional[str]:
        """Why a quote may not be used, or None when it may."""
        if self.inform_only:
            return "to inform only, not to be quoted"
        if self.quoting is False:
            return "did not agree to be quoted"
        return None

    def summary(self) -> str:
        """In a few words, for lists: "written, 2016-03-14; recording yes; quoting no"."""
        parts = [HOW.get(self.how, "not recorded") + (f", {self.on}" if self.on else "")]
        parts += [f"{what} {'yes' if value else 'no'}" for what, value in (("recording", self.recording),
                                                                          ("quoting", self.quoting)) if value is not None]
        return "; ".join(parts + (["inform only"] if self.inform_only else []))


def answer(value: str, what: str) -> Optional[bool]:
    """yes / no / "" (not recorded) from a form or a CSV cell."""
    key = (value or "").strip().lower()
    if key not in ANSWERS:
        raise store.Invalid(f"{what} is 'yes', 'no' or empty (not recorded), not '{value}'")
    return ANSWERS[key]


def set_participant_consent(session: Session, *, participant: Participant, user: User, consent: Consent) -> None:
    """Record what a participant agreed to (logged)."""
    before = Consent.of(participant.consent)
    if before == consent:
        return
    participant.consent = consent.plain()
    session.add(participant)
    _log(session, project_id=participant.project_id, user=user, kind="participant.consent",
         payload={"participant": participant.label, "before": before.plain(), "after": consent.plain()})
    _done(session)


def set_document_consent(session: Session, *, document: Document, user: User, consent: Consent,
                         kind: Optional[str] = None) -> None:
    """Record a document's type and the consent given for it (logged)."""
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise store.Invalid(f"a document is one of: {', '.join(DOCUMENT_KINDS)}; not '{kind}'")
    before, before_kind = Consent.of(document.consent), document.kind
    if before == consent and kind in (None, before_kind):
        return
    document.consent, document.kind = consent.plain(), kind or before_kind
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind="document.consent", document_id=document.id,
         payload={"before": {**before.plain(), "kind": before_kind}, "after": {**consent.plain(), "kind": document.kind}})
    _done(session)


def flag(session: Session, *, document: Document, user: User, start: int, end: int, category: str) -> SensitiveFlag:
    """Mark a passage as sensitive (logged)."""
    if category not in SENSITIVE:
        raise store.Invalid(f"a sensitive passage is one of: {', '.join(SENSITIVE)}; not '{category}'")
    if not 0 <= start < end <= len(document.text):
        raise store.Invalid(f"{start}–{end} is not a passage of {document.name} (0–{len(document.text)})")
    row = SensitiveFlag(document_id=document.id, start=start, end=end, category=category, created_by=user.id)
    session.add(row)
    session.flush()
    _log(session, project_id=document.project_id, user=user, kind="flag.added", document_id=document.id,
         payload={"flag": row.id, "start": start, "end": end, "category": category})
    _done(session)
    return row


def unflag(session: Session, *, document: Document, user: User, flag_id: int) -> None:
    """Take a sensitive mark off a passage (logged)."""
    row = session.get(SensitiveFlag, flag_id)
    if row is None or row.document_id != document.id:
        raise store.NotFound(f"no sensitive mark {flag_id} on {document.name}")
    session.delete(row)
    _log(session, project_id=document.project_id, user=user, kind="flag.removed", document_id=document.id,
         payload={"flag": flag_id, "start": row.start, "end": row.end, "category": row.category})
    _done(session)


def flags_of(session: Session, *, document_ids: Iterable[int]) -> dict[int, list[SensitiveFlag]]:
    """The sensitive marks of some documents, by document, in text order."""
    found: dict[int, list[SensitiveFlag]] = {}
    wanted = list(document_ids)
    if wanted:
        query = select(SensitiveFlag).where(col(SensitiveFlag.document_id).in_(wanted))
        for row in session.exec(query.order_by(SensitiveFlag.document_id, SensitiveFlag.start)):
            found.setdefault(row.document_id, []).append(row)
    return found


@dataclass
class Check:
    """What an export will leave out, and why, before the exporter confirms it."""

    refused: list[tuple[str, str, int]] = field(default_factory=list)  # (who or what, why, quotes left out)
    flagged: Counter = field(default_factory=Counter)  # category -> quotes touching a passage so marked
    include_flagged: bool = False
    unrecorded: list[tuple[str, int]] = field(default_factory=list)  # (who, quotes included) with no consent
    # to be quoted on record: they are quoted, and the check says so

    @property
    def quiet(self) -> bool:
        """True when nothing is left out and nothing is flagged."""
        return not self.refused and not self.flagged

    def lines(self) -> list[str]:
        """The check in sentences, one a line."""
        said = [f"{who}: {why}; {count} quote{'s' * (count != 1)} left out" for who, why, count in self.refused]
        for category, count in sorted(self.flagged.items()):
            fate = "included, as asked" if self.include_flagged else "left out unless you include them"
            said.append(f"{count} quote{'s' * (count != 1)} touching a passage marked “{SENSITIVE[category]}”: {fate}")
        return said

    def notes(self) -> list[str]:
        """What is included though nothing says it may be: who has no consent to be quoted on record."""
        return [f"{who}: consent to be quoted not recorded; {count} quote{'s' * (count != 1)} included"
                for who, count in self.unrecorded]


class Quoting:
    """The consent and sensitive marks of one project, read once, answering for each quote whether it may go
    into an export (`include_flagged`: the exporter includes quotes touching sensitive passages knowingly)."""

    def __init__(self, session: Session, *, project_id: int, include_flagged: bool = False):
        self.include_flagged = include_flagged
        people = {p.id: p for p in store.list_participants(session, project_id=project_id)}
        self.documents = {d.id: d for d in store.document_summaries(session, project_id=project_id)}
        self._why: dict[int, Optional[tuple[str, str]]] = {}
        self._unrecorded: dict[int, str] = {}  # documents quoted with no consent to be quoted on record: whose
        for document in self.documents.values():
            person = people.get(document.participant_id) if document.participant_id else None
            mine = Consent.of(document.consent)
            theirs = Consent.of(person.consent) if person else Consent()
            why = theirs.refusal() and (person.label, theirs.refusal()) or mine.refusal() and (document.name,
                                                                                              mine.refusal())
            self._why[document.id] = why or None
            if not why and mine.quoting is None and theirs.quoting is None:
                self._unrecorded[document.id] = person.label if person else document.name
        self.marked = flags_of(session, document_ids=list(self.documents))
        self.flags = {d: [(f.start, f.end, f.category) for f in rows] for d, rows in self.marked.items()}

    def refusal(self, document_id: int) -> Optional[tuple[str, str]]:
        """(who or what, why) when nothing of the document may be quoted, else None."""
        return self._why.get(document_id)

    def marks(self, document_id: int, start: int, end: int) -> list[str]:
        """The sensitive categories of the passages [start, end) touches."""
        return sorted({category for s, e, category in self.flags.get(document_id, ()) if s < end and start < e})

    def marks_on(self, document_id: int, start: int, end: int) -> list[SensitiveFlag]:
        """The sensitive marks [start, end) touches."""
        return [f for f in self.marked.get(document_id, ()) if f.start < end and start < f.end]

    def allows(self, quote) -> bool:
        """True when the quote (anything with document_id, start, end) may go into an export."""
        return self.refusal(quote.document_id) is None and (self.include_flagged or not self.marks(
            quote.document_id, quote.start, quote.end))

    def check(self, quotes: Iterable[Any]) -> Check:
        """What an export of these quotes (anything with document_id, start, end) would leave out."""
        found = Check(include_flagged=self.include_flagged)
        refused: Counter = Counter()
        unrecorded: Counter = Counter()
        for quote in quotes:
            why = self.refusal(quote.document_id)
            if why:
                refused[why] += 1
                continue
            marks = self.marks(quote.document_id, quote.start, quote.end)
            for category in marks:
                found.flagged[category] += 1
            if quote.document_id in self._unrecorded and (self.include_flagged or not marks):
                unrecorded[self._unrecorded[quote.document_id]] += 1
        found.refused = [(who, why, count) for (who, why), count in sorted(refused.items())]
        found.unrecorded = sorted(unrecorded.items())
        return found
