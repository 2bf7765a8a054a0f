"""Comparing coders' layers and reconciling them into the consensus layer.

A disagreement is a unit of text (a turn or a sentence) and a code that some of a transcript's coders
applied there and others did not. The lead decides each one — keep one coder's coding, keep both, keep
neither, or set the span by hand — with an optional reason; the decision writes consensus codings and an
event, in one transaction.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from sqlmodel import Session, col, select

from coding import store
from coding.models import Code, Coding, Document, Event, Layer, Reconciliation, User
from coding.team import accounts
from coding.text import nlp
from coding.text.spans import runs, unit_finder

UNITS = ("turn", "sentence")
DECISIONS = ("keep", "both", "neither", "adjust", "agreed")


def units_of(session: Session, *, document: Document, unit: str) -> list[tuple[int, int]]:
    """The document's units of comparison: its speaker turns, or the sentences inside them."""
    if unit not in UNITS:
        raise store.Invalid(f"the unit must be one of {', '.join(UNITS)}, not '{unit}'")
    turns = [(t.start, t.end) for t in store.document_turns(session, document_id=document.id) if t.end > t.start]
    return turns if unit == "turn" else nlp.sentence_spans(document.text, turns)


def coder_layers(session: Session, *, document: Document) -> dict[str, list[Coding]]:
    """Each finished coder's live codings on the transcript, by user name: only the coders who marked it done
    take part in agreement and reconciliation (see `left_out` for the others)."""
    done = store.done_coders(session, document_id=document.id)
    owners = store.layer_owners(session, project_id=document.project_id)
    layers: dict[str, list[Coding]] = {store.get_user(session, user_id=i).name: [] for i in done}
    for coding in store.document_codings(session, document_id=document.id):
        owner = owners.get(coding.layer_id)
        if owner is not None and owner.id in done:
            layers[owner.name].append(coding)
    return dict(sorted(layers.items()))


@dataclass(frozen=True)
class LeftOut:
    """A coder of a transcript who is not compared, because they have not marked it done."""

    user: User
    status: str

    @property
    def reason(self) -> str:
        """Why, in a sentence: "Ali Khan has not marked this transcript done (in progress)"."""
        return f"{self.user.shown_name} has not marked this transcript done ({self.status})"


def left_out(session: Session, *, document: Document) -> list[LeftOut]:
    """The transcript's coders (assigned, or who coded on it) who have not marked it done, by name."""
    found = store.statuses(session, document_ids=[document.id])[document.id]
    people = [(store.get_user(session, user_id=i), state) for i, state in found.items() if state != store.DONE]
    return sorted((LeftOut(u, state) for u, state in people), key=lambda o: o.user.name)


@dataclass
class Item:
    """One unit × code: which coders applied the code there (with their codings) and which did not."""

    start: int
    end: int
    code: Code
    applied: dict[str, list[Coding]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def agreed(self) -> bool:
        """True when every coder applied the code here."""
        return not self.missing

    def segments(self, text: str) -> list[tuple[str, list[str]]]:
        """The unit's text in pieces, each with the coders whose coding of this code covers it."""
        spans, owners = [], {}
        for coder, codings in self.applied.items():
            for coding in codings:
                spans.append((coding.start, coding.end, coding.id))
                owners[coding.id] = coder
        return [(text[run.start:run.end], sorted({owners[i] for i in run.coding_ids}))
                for run in runs(self.start, self.end, spans)]

    def word_bounds(self, text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """Where an adjusted span may start and end, in words: each word's start with the words from it, and
        each word's end with the words up to it, over the unit and every coder's coding of this item."""
        low, high = min(self.start, self.union[0]), max(self.end, self.union[1])
        found = [(m.start() + low, m.end() + low) for m in re.finditer(r"\S+", text[low:high])]
        starts = [(s, " ".join(text[a:b] for a, b in found[i:i + 3]) + "…") for i, (s, _) in enumerate(found)]
        ends = [(e, "…" + " ".join(text[a:b] for a, b in found[max(0, i - 2):i + 1])) for i, (_, e) in enumerate(found)]
        return starts, ends

    @cached_property
    def union(self) -> tuple[int, int]:
        """The span covering every coder's coding of this item."""
        spans = [(c.start, c.end) for codings in self.applied.values() for c in codings]
        return min(s for s, _ in spans), max(e for _, e in spans)


def _decided(session: Session, *, document: Document) -> set[tuple[int, int, int]]:
    rows = session.exec(select(Reconciliation).where(Reconciliation.document_id == document.id))
    return {(r.unit_start, r.unit_end, r.code_id) for r in rows}


def items(session: Session, *, document: Document, unit: str = "turn", include_decided: bool = False,
          layers: Optional[dict[str, list[Coding]]] = None) -> list[Item]:
    """Every unit × code that at least one coder applied, in text order (decided ones left out); `layers`:
    the transcript's `coder_layers`, when the caller has already read them."""
    layers = coder_layers(session, document=document) if layers is None else layers
    coders = list(layers)
    codes = {c.id: c for c in store.project_codes(session, project_id=document.project_id)}
    decided = set() if include_decided else _decided(session, document=document)
    found = []
    units = units_of(session, document=document, unit=unit)
    reached: list[dict[int, dict[str, list[Coding]]]] = [{} for _ in units]
    reached_by = unit_finder(units)
    for coder, codings in layers.items():  # each coding goes to the units it reaches
        for coding in codings:
            for index in reached_by(coding.start, coding.end):
                reached[index].setdefault(coding.code_id, {}).setdefault(coder, []).append(coding)
    for (start, end), here in zip(units, reached):
        for code_id in sorted(here, key=lambda i: codes[i].position):
            if (start, end, code_id) in decided:
                continue
            applied = here[code_id]
            found.append(Item(start, end, codes[code_id], applied, [c for c in coders if c not in applied]))
    return found


def disagreements(session: Session, *, document: Document, unit: str = "turn") -> list[Item]:
    """The items still waiting for the lead: applied by some coders and not by others."""
    layers = coder_layers(session, document=document)
    if len(layers) < 2:
        return []
    return [item for item in items(session, document=document, unit=unit, layers=layers) if not item.agreed]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def decide(session: Session, *, document: Document, lead: User, unit: str, start: int, end: int, code_key: str,
           decision: str, keep: Optional[str] = None, span: Optional[tuple[int, int]] = None,
           reason: str = "") -> Reconciliation:
    """Record the lead's decision on one unit × code and write what it keeps into the consensus layer."""
    if decision not in DECISIONS:
        raise store.Invalid(f"the decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
    code = store.get_code(session, project_id=document.project_id, key=code_key)
    where = store.quote(document.text, start, end)
    item = next((i for i in items(session, document=document, unit=unit, include_decided=True)
                 if (i.start, i.end, i.code.id) == (start, end, code.id)), None)
    if item is None:
        raise store.NotFound(f"no coder applied {code.name} on {where}; nothing to decide")
    if (start, end, code.id) in _decided(session, document=document):
        raise store.Conflict(f"{code.name} on {where} has already been decided")
    if decision == "keep":
        if keep not in item.applied:
            words = store.Wording(session, project_id=document.project_id)
            raise store.Invalid(f"{words.person(keep)} did not apply {code.name} here; keep one of "
                                f"{', '.join(words.person(a) for a in item.applied)}")
        spans = [(c.start, c.end) for c in item.applied[keep]]
    elif decision in ("both", "agreed"):
        spans = [(c.start, c.end) for codings in item.applied.values() for c in codings]
    elif decision == "adjust":
        if span is None or not (0 <= span[0] < span[1] <= len(document.text)):
            raise store.Invalid("an adjusted span needs a start and an end inside the transcript")
        spans = [span]
    else:
        spans = []
    consensus = store.consensus_layer(session, project_id=document.project_id)
    made = [store.add_coding(session, document=document, code=code, user=lead, start=s, end=e,
                             origin="reconciliation", layer=consensus, commit=False) for s, e in _merged(spans)]
    record = Reconciliation(project_id=document.project_id, document_id=document.id, code_id=code.id,
                            unit_start=start, unit_end=end, decision=f"keep:{keep}" if decision == "keep" else decision,
                            reason=reason.strip(), decided_by=lead.id, consensus_codings=[c.id for c in made])
    session.add(record)
    session.add(Event(project_id=document.project_id, user_id=lead.id, document_id=document.id,
                      kind="reconcile.decided",
                      payload={"code": code.key, "start": start, "end": end, "decision": record.decision,
                               "reason": record.reason, "applied_by": sorted(item.applied),
                               "not_by": item.missing, "consensus": record.consensus_codings}))
    with store.clashing(session, f"{code.name} on {where} has already been decided"):
        session.commit()  # the same decision sent twice at once: the unique index lets one through
    session.refresh(record)
    return record


def decided_message(session: Session, *, record: Reconciliation) -> str:
    """What a decision did, in words: "Decided Safety on “nobody judges you…”: kept Cara Jones's coding"."""
    words = store.Wording(session, project_id=record.project_id)
    code = words.code_ids.get(record.code_id, "a code")
    return (f"Decided {code} on {words.passage(record.document_id, record.unit_start, record.unit_end)}: "
            f"{words.decision(record.decision)}")


def accept_agreements(session: Session, *, document: Document, lead: User, unit: str = "turn") -> int:
    """Write every item all coders agree on into the consensus layer; returns how many."""
    agreed = [i for i in items(session, document=document, unit=unit) if i.agreed]
    if len(coder_layers(session, document=document)) < 2:
        return 0
    for item in agreed:
        decide(session, document=document, lead=lead, unit=unit, start=item.start, end=item.end,
               code_key=item.code.key, decision="agreed", reason="all coders agreed")
    return len(agreed)


def decisions(session: Session, *, document: Document) -> list[Reconciliation]:
    """The lead's decisions on a transcript, newest first."""
    return list(session.exec(select(Reconciliation).where(Reconciliation.document_id == document.id)
                             .order_by(col(Reconciliation.id).desc())))


@dataclass
class Queue:
    """What the lead reconciles on one transcript: who is compared, what waits, what all agree on, what is done."""

    unit: str
    coders: list[str]
    left_out: list[LeftOut]
    waiting: list[Item]
    agreed: list[Item]
    decisions: list[Reconciliation]
    consensus: list[Coding]


def queue(session: Session, *, document: Document, unit: str = "turn") -> Queue:
    """The reconciliation queue of a transcript, as the lead's page and the API show it."""
    layers = coder_layers(session, document=document)
    found = items(session, document=document, unit=unit, layers=layers) if len(layers) > 1 else []
    return Queue(unit=unit, coders=list(layers), left_out=left_out(session, document=document),
                 waiting=[i for i in found if not i.agreed], agreed=[i for i in found if i.agreed],
                 decisions=decisions(session, document=document),
                 consensus=consensus_codings(session, document=document))


def consensus_codings(session: Session, *, document: Document) -> list[Coding]:
    """The transcript's live codings in the consensus layer."""
    layer = store.consensus_layer(session, project_id=document.project_id, create=False)
    if layer is None:
        return []
    return store.document_codings(session, document_id=document.id, layers={layer.id})


def layer_for(session: Session, *, project_id: int, name: str) -> Optional[Layer]:
    """A coder's layer in a project by user name."""
    user = accounts.find_user(session, name=name)
    if user is None:
        return None
    return session.exec(select(Layer).where(Layer.project_id == project_id, Layer.kind == "coder",
                                            Layer.user_id == user.id)).first()
