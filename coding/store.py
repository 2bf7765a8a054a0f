"""Every query and every change. Each change writes its event in the same transaction."""

import hashlib
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Optional, Sequence

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from coding.frameworks import Framework
from coding.models import Code, Coding, Document, Event, Layer, Membership, Participant, Project, Turn, User
from coding.transcripts import Transcript


class NotFound(LookupError):
    """The thing asked for does not exist (or is not visible)."""


class Invalid(ValueError):
    """The request is understood but cannot be carried out as asked."""


class Conflict(ValueError):
    """The request clashes with something already stored."""


class NotYours(PermissionError):
    """A change to someone else's layer: each coder writes only to their own."""


def _done(session: Session) -> None:
    """Commit a change, unless it is part of a larger one (see `atomic`), which commits it with the rest."""
    if session.info.get("atomic"):
        session.flush()
    else:
        session.commit()


@contextmanager
def atomic(session: Session) -> Iterator[None]:
    """Make every change inside one transaction: all of it is stored at the end, or on any error none."""
    session.info["atomic"] = True
    try:
        yield
    except BaseException:
        session.info.pop("atomic", None)
        session.rollback()
        raise
    session.info.pop("atomic", None)
    session.commit()


def _log(session: Session, *, project_id: int, user: User, kind: str, payload: dict[str, Any],
         document_id: Optional[int] = None, undoes: Optional[int] = None) -> Event:
    event = Event(project_id=project_id, user_id=user.id, kind=kind, payload=payload,
                  document_id=document_id, undoes=undoes)
    session.add(event)
    return event


# --- users and projects ---------------------------------------------------------------------------

def ensure_user(session: Session, *, name: str, display_name: str = "") -> User:
    """The user with this name, created if there is none."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        user = User(name=name, display_name=display_name or name)
        session.add(user)
        _done(session)
        session.refresh(user)
    return user


def get_user(session: Session, *, user_id: int) -> User:
    """One user by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def list_projects(session: Session) -> list[Project]:
    """All projects, newest first."""
    return list(session.exec(select(Project).order_by(col(Project.id).desc())))


def get_project(session: Session, *, project_id: int) -> Project:
    """One project by id."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def find_project(session: Session, *, name: str) -> Optional[Project]:
    """The project with this name, or None."""
    return session.exec(select(Project).where(Project.name == name)).first()


def create_project(session: Session, *, name: str, framework: Framework, user: User,
                   description: str = "", include_groups: Optional[Iterable[str]] = None) -> Project:
    """A new project with its own copy of the framework's codes.

    `include_groups` names the optional groups to copy; None copies them all.
    """
    name = name.strip()
    if not name:
        raise Invalid("a project needs a name")
    if find_project(session, name=name):
        raise Conflict(f"a project called '{name}' already exists")
    groups = None if include_groups is None else set(include_groups)
    project = Project(name=name, description=description.strip(), framework_id=framework.id,
                      framework_version=framework.version)
    session.add(project)
    session.flush()
    position = 0
    for code in framework.walk():
        if code.group is not None and groups is not None and code.group not in groups:
            continue
        session.add(Code(project_id=project.id, key=code.id, parent_key=code.parent, name=code.name,
                         kind=code.kind, tier=code.tier, group=code.group, definition=code.definition,
                         citation=code.citation, colour=code.colour, patterns=list(code.patterns),
                         profile=code.profile, aliases=list(code.aliases), position=position))
        position += 1
    session.add(Membership(project_id=project.id, user_id=user.id, role="lead"))
    _log(session, project_id=project.id, user=user, kind="project.created",
         payload={"name": name, "framework": framework.id, "version": framework.version,
                  "codes": position})
    _done(session)
    session.refresh(project)
    return project


def set_blind(session: Session, *, project: Project, user: User, blind: bool) -> Project:
    """Turn blind coding on or off for a project."""
    if project.blind != blind:
        project.blind = blind
        session.add(project)
        _log(session, project_id=project.id, user=user, kind="project.blind", payload={"blind": blind})
        _done(session)
        session.refresh(project)
    return project


# --- codebook -------------------------------------------------------------------------------------

def project_codes(session: Session, *, project_id: int, include_retired: bool = True) -> list[Code]:
    """The project's codes in codebook order."""
    query = select(Code).where(Code.project_id == project_id)
    if not include_retired:
        query = query.where(col(Code.retired).is_(False))
    return list(session.exec(query.order_by(Code.position, Code.id)))


def get_code(session: Session, *, project_id: int, key: str) -> Code:
    """A project's code by its key (such as `safety/confidentiality`)."""
    code = session.exec(select(Code).where(Code.project_id == project_id, Code.key == key)).first()
    if code is None:
        raise NotFound(f"this project's codebook has no code '{key}'")
    return code


def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part) or "code"


def add_code(session: Session, *, project_id: int, user: User, name: str, parent_key: Optional[str] = None,
             definition: str = "", colour: Optional[str] = None) -> Code:
    """A new code of the team's own, placed after its parent's last descendant."""
    name = name.strip()
    if not name:
        raise Invalid("a code needs a name")
    codes = project_codes(session, project_id=project_id)
    parent = None
    if parent_key:
        parent = next((c for c in codes if c.key == parent_key), None)
        if parent is None:
            raise NotFound(f"this project's codebook has no code '{parent_key}'")
    base = f"{parent.key}/{_slug(name)}" if parent else _slug(name)
    keys = {c.key for c in codes}
    key, n = base, 2
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    if parent:
        inside = [c.position for c in codes if c.key == parent.key or c.key.startswith(parent.key + "/")]
        position = max(inside) + 1
    else:
        position = max((c.position for c in codes), default=-1) + 1
    for other in codes:
        if other.position >= position:
            other.position += 1
            session.add(other)
    code = Code(project_id=project_id, key=key, parent_key=parent.key if parent else None, name=name,
                kind=parent.kind if parent else "theme", group=parent.group if parent else None,
                definition=definition.strip(), colour=colour or (parent.colour if parent else "#9e9e9e"),
                position=position)
    session.add(code)
    _log(session, project_id=project_id, user=user, kind="code.added",
         payload={"code": key, "name": name, "parent": code.parent_key})
    _done(session)
    session.refresh(code)
    return code


CODE_FIELDS = ("name", "definition", "colour", "retired")


def update_code(session: Session, *, code: Code, user: User, **changes: Any) -> Code:
    """Rename, redefine, recolour, retire or restore a code; the key never changes."""
    unknown = set(changes) - set(CODE_FIELDS)
    if unknown:
        raise Invalid(f"a code has no field {', '.join(sorted(unknown))} that can be changed")
    if "name" in changes and not str(changes["name"]).strip():
        raise Invalid("a code needs a name")
    before = {k: getattr(code, k) for k in changes}
    after = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if before == after:
        return code
    for field, value in after.items():
        setattr(code, field, value)
    session.add(code)
    _log(session, project_id=code.project_id, user=user, kind="code.updated",
         payload={"code": code.key, "before": before, "after": after})
    _done(session)
    session.refresh(code)
    return code


# --- participants and documents -------------------------------------------------------------------

def get_participant(session: Session, *, project_id: int, label: str) -> Optional[Participant]:
    """A participant by tag (PV44), or None."""
    return session.exec(select(Participant).where(Participant.project_id == project_id,
                                                  Participant.label == label)).first()


def list_participants(session: Session, *, project_id: int) -> list[Participant]:
    """The project's participants by tag."""
    return list(session.exec(select(Participant).where(Participant.project_id == project_id)
                             .order_by(Participant.label)))


def _participant(session: Session, *, project_id: int, label: str) -> Participant:
    participant = get_participant(session, project_id=project_id, label=label)
    if participant is None:
        participant = Participant(project_id=project_id, label=label, attributes={})
        session.add(participant)
        session.flush()
    return participant


def set_attributes(session: Session, *, project_id: int, user: User,
                   rows: Sequence[tuple[str, dict[str, str]]]) -> list[Participant]:
    """Set attributes of participants (created if new) in one transaction; empty values clear."""
    changed = []
    for label, attributes in rows:
        label = label.strip()
        if not label:
            raise Invalid("a participant needs a tag such as PV44")
        participant = _participant(session, project_id=project_id, label=label)
        before = dict(participant.attributes)
        merged = dict(before)
        for key, value in attributes.items():
            key, value = key.strip(), str(value).strip()
            if not key:
                continue
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
        if merged != before:
            participant.attributes = merged
            session.add(participant)
            _log(session, project_id=project_id, user=user, kind="participant.updated",
                 payload={"participant": label, "before": before, "after": merged})
        changed.append(participant)
    _done(session)
    for participant in changed:
        session.refresh(participant)
    return changed


def text_digest(text: str) -> str:
    """The SHA-256 of a normalised text, for spotting the same transcript imported twice."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def import_document(session: Session, *, project_id: int, user: User, transcript: Transcript,
                    participant: Optional[str] = None, attributes: Optional[dict[str, str]] = None) -> Document:
    """Store a read transcript with its turns, or raise Conflict if the project has its text already."""
    digest = text_digest(transcript.text)
    twin = session.exec(select(Document).where(Document.project_id == project_id,
                                               Document.sha256 == digest)).first()
    if twin is not None:
        raise Conflict(f"{transcript.name}: this transcript is already in the project as '{twin.name}'")
    label = (participant or transcript.guess_participant() or "").strip()
    person = _participant(session, project_id=project_id, label=label) if label else None
    if person is not None and attributes:
        merged = {**person.attributes, **{k: str(v) for k, v in attributes.items() if str(v).strip()}}
        person.attributes = merged
        session.add(person)
    document = Document(project_id=project_id, participant_id=person.id if person else None,
                        name=transcript.name, source_format=transcript.source_format, text=transcript.text,
                        sha256=digest, word_count=transcript.word_count,
                        interviewer_speakers=transcript.guess_interviewers())
    session.add(document)
    session.flush()
    for seq, turn in enumerate(transcript.turns):
        session.add(Turn(document_id=document.id, seq=seq, speaker=turn.speaker, start=turn.start,
                         end=turn.end, cue_start_ms=turn.cue_start_ms, cue_end_ms=turn.cue_end_ms))
    _log(session, project_id=project_id, user=user, kind="document.imported", document_id=document.id,
         payload={"name": transcript.name, "format": transcript.source_format, "participant": label or None,
                  "turns": len(transcript.turns), "words": transcript.word_count})
    _done(session)
    session.refresh(document)
    return document


def list_documents(session: Session, *, project_id: int) -> list[Document]:
    """The project's documents in import order."""
    return list(session.exec(select(Document).where(Document.project_id == project_id).order_by(Document.id)))


def get_document(session: Session, *, document_id: int) -> Document:
    """One document by id."""
    document = session.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def document_turns(session: Session, *, document_id: int) -> list[Turn]:
    """A document's turns in order."""
    return list(session.exec(select(Turn).where(Turn.document_id == document_id).order_by(Turn.seq)))


def document_participant(session: Session, *, document: Document) -> Optional[Participant]:
    """The participant a document belongs to, if any."""
    return session.get(Participant, document.participant_id) if document.participant_id else None


def set_interviewers(session: Session, *, document: Document, user: User, speakers: list[str]) -> Document:
    """Say which of a document's speakers are interviewers."""
    known = {t.speaker for t in document_turns(session, document_id=document.id) if t.speaker}
    unknown = [s for s in speakers if s not in known]
    if unknown:
        raise Invalid(f"'{unknown[0]}' is not a speaker in {document.name}")
    before = list(document.interviewer_speakers)
    document.interviewer_speakers = list(speakers)
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind="document.interviewers",
         document_id=document.id, payload={"before": before, "after": list(speakers)})
    _done(session)
    session.refresh(document)
    return document


def set_document_participant(session: Session, *, document: Document, user: User, label: str) -> Document:
    """Attach a document to a participant by tag (created if new); an empty tag detaches it."""
    label = label.strip()
    person = _participant(session, project_id=document.project_id, label=label) if label else None
    before = document_participant(session, document=document)
    document.participant_id = person.id if person else None
    session.add(document)
    _log(session, project_id=document.project_id, user=user, kind="document.participant",
         document_id=document.id, payload={"before": before.label if before else None, "after": label or None})
    _done(session)
    session.refresh(document)
    return document


# --- layers and codings ---------------------------------------------------------------------------

def _layer(session: Session, *, project_id: int, kind: str, user_id: Optional[int], create: bool) -> Optional[Layer]:
    """Find a layer, or create it safely when two first codings arrive at once (a conflicting insert does
    nothing, and the layer the other request made is read back)."""
    def find() -> Optional[Layer]:
        query = select(Layer).where(Layer.project_id == project_id, Layer.kind == kind)
        query = query.where(Layer.user_id == user_id if user_id is not None else col(Layer.user_id).is_(None))
        return session.exec(query).first()

    layer = find()
    if layer is None and create:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(Layer).values(project_id=project_id, kind=kind, user_id=user_id)
                        .on_conflict_do_nothing())
        layer = find()
    return layer


def coder_layer(session: Session, *, project_id: int, user: User) -> Layer:
    """The user's own layer in a project, created on first use."""
    return _layer(session, project_id=project_id, kind="coder", user_id=user.id, create=True)


def consensus_layer(session: Session, *, project_id: int, create: bool = True) -> Optional[Layer]:
    """The project's consensus layer (written by reconciliation), created on first use if asked."""
    return _layer(session, project_id=project_id, kind="consensus", user_id=None, create=create)


def layer_has_codings(session: Session, *, layer_id: int) -> bool:
    """True when a layer holds at least one live coding."""
    return session.exec(select(Coding.id).where(Coding.layer_id == layer_id, col(Coding.removed).is_(False))
                        .limit(1)).first() is not None


def get_coding(session: Session, *, coding_id: int) -> Coding:
    """One coding by id, removed or not."""
    coding = session.get(Coding, coding_id)
    if coding is None:
        raise NotFound(f"no coding {coding_id}")
    return coding


def add_coding(session: Session, *, document: Document, code: Code, user: User, start: int, end: int,
               memo: str = "", origin: str = "manual", layer: Optional[Layer] = None, commit: bool = True) -> Coding:
    """Code the span [start, end) of a document in the user's layer (reconciliation passes the consensus
    layer, and commits its decision as a whole)."""
    if code.project_id != document.project_id:
        raise Invalid(f"code '{code.key}' belongs to another project")
    if code.retired:
        raise Invalid(f"code '{code.key}' is retired; restore it in the codebook to use it again")
    if not (0 <= start < end <= len(document.text)):
        raise Invalid(f"the span {start}–{end} is not inside the document (0–{len(document.text)}, "
                      "counted in Unicode code points) or is empty")
    if not document.text[start:end].strip():
        raise Invalid("the selected text is only white space")
    layer = layer or coder_layer(session, project_id=document.project_id, user=user)
    coding = Coding(layer_id=layer.id, document_id=document.id, code_id=code.id, start=start, end=end,
                    memo=memo.strip(), origin=origin, created_by=user.id)
    session.add(coding)
    session.flush()
    _log(session, project_id=document.project_id, user=user, kind="coding.added", document_id=document.id,
         payload={"coding": coding.id, "code": code.key, "start": start, "end": end, "memo": coding.memo,
                  "origin": origin, "layer": layer.id})
    if commit:
        _done(session)
        session.refresh(coding)
    return coding


def _coding_project(session: Session, coding: Coding) -> int:
    return get_document(session, document_id=coding.document_id).project_id


def _own(session: Session, coding: Coding, user: User) -> None:
    layer = session.get(Layer, coding.layer_id)
    if layer is None or layer.user_id != user.id:
        owner = session.get(User, layer.user_id) if layer and layer.user_id else None
        whose = f"{owner.display_name}'s layer" if owner else "the consensus layer"
        raise NotYours(f"coding {coding.id} is in {whose}; you can only change codings in your own layer")


def remove_coding(session: Session, *, coding: Coding, user: User) -> Coding:
    """Take a coding off its passage; it stays in the database and the log, and can be undone."""
    _own(session, coding, user)
    if coding.removed:
        raise NotFound(f"coding {coding.id} was already removed")
    coding.removed = True
    session.add(coding)
    code = session.get(Code, coding.code_id)
    _log(session, project_id=_coding_project(session, coding), user=user, kind="coding.removed",
         document_id=coding.document_id,
         payload={"coding": coding.id, "code": code.key if code else None, "start": coding.start,
                  "end": coding.end})
    _done(session)
    session.refresh(coding)
    return coding


def set_memo(session: Session, *, coding: Coding, user: User, memo: str) -> Coding:
    """Write or replace the memo on a coding."""
    _own(session, coding, user)
    memo = memo.strip()
    if memo == coding.memo:
        return coding
    before = coding.memo
    coding.memo = memo
    session.add(coding)
    _log(session, project_id=_coding_project(session, coding), user=user, kind="coding.memo",
         document_id=coding.document_id, payload={"coding": coding.id, "before": before, "after": memo})
    _done(session)
    session.refresh(coding)
    return coding


def document_codings(session: Session, *, document_id: int, layers: Optional[set[int]] = None) -> list[Coding]:
    """The live codings of a document by position: all layers, or only those in `layers`."""
    query = select(Coding).where(Coding.document_id == document_id, col(Coding.removed).is_(False))
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return list(session.exec(query.order_by(Coding.start, Coding.end, Coding.id)))


def project_codings(session: Session, *, project_id: int) -> list[Coding]:
    """The live codings of a project, by document and position."""
    query = (select(Coding).join(Document, col(Document.id) == Coding.document_id)
             .where(Document.project_id == project_id, col(Coding.removed).is_(False))
             .order_by(Coding.document_id, Coding.start, Coding.id))
    return list(session.exec(query))


def code_usage(session: Session, *, project_id: int, user: User) -> dict[int, int]:
    """How many live codings this user has made with each code in the project."""
    query = (select(Coding.code_id, func.count()).join(Layer, col(Layer.id) == Coding.layer_id)
             .where(Layer.project_id == project_id, Layer.user_id == user.id, col(Coding.removed).is_(False))
             .group_by(Coding.code_id))
    return {code_id: count for code_id, count in session.exec(query)}


def layer_owners(session: Session, *, project_id: int) -> dict[int, User]:
    """The user behind each coder layer of a project."""
    query = select(Layer, User).join(User, col(User.id) == Layer.user_id).where(Layer.project_id == project_id)
    return {layer.id: user for layer, user in session.exec(query)}


# --- event log and undo ---------------------------------------------------------------------------

UNDOABLE = ("coding.added", "coding.removed", "coding.memo", "code.updated", "code.added")


def list_events(session: Session, *, project_id: int, user_id: Optional[int] = None,
                document_id: Optional[int] = None, kind: Optional[str] = None, limit: int = 500) -> list[Event]:
    """The project's event log, newest first, optionally filtered."""
    query = select(Event).where(Event.project_id == project_id)
    if user_id is not None:
        query = query.where(Event.user_id == user_id)
    if document_id is not None:
        query = query.where(Event.document_id == document_id)
    if kind:
        query = query.where(col(Event.kind).startswith(kind))
    return list(session.exec(query.order_by(col(Event.id).desc()).limit(limit)))


def last_undoable(session: Session, *, project_id: int, user: User) -> Optional[Event]:
    """The user's most recent change in the project that has not been undone yet.

    Consensus codings written by reconciliation are not undone one by one: they belong to a decision.
    """
    undone = select(Event.undoes).where(Event.project_id == project_id, col(Event.undoes).is_not(None))
    query = (select(Event).where(Event.project_id == project_id, Event.user_id == user.id,
                                 col(Event.kind).in_(UNDOABLE), col(Event.id).not_in(undone))
             .order_by(col(Event.id).desc()).limit(100))
    return next((e for e in session.exec(query) if e.payload.get("origin") != "reconciliation"), None)


def describe(event: Event) -> str:
    """A short phrase for what an event did, for buttons and the audit list."""
    p = event.payload
    return {
        "coding.added": lambda: f"coded {p.get('code')} at {p.get('start')}–{p.get('end')}",
        "coding.removed": lambda: f"removed {p.get('code')} at {p.get('start')}–{p.get('end')}",
        "coding.memo": lambda: "edited a memo",
        "code.added": lambda: f"added code {p.get('code')}",
        "code.updated": lambda: f"changed code {p.get('code')}",
        "project.created": lambda: f"created the project from {p.get('framework')}",
        "document.imported": lambda: f"imported {p.get('name')}",
        "participant.updated": lambda: f"set attributes of {p.get('participant')}",
        "document.interviewers": lambda: "set the interviewer",
        "document.participant": lambda: f"set the participant to {p.get('after')}",
        "undo": lambda: f"undid: {p.get('undid')}",
        "reconcile.decided": lambda: f"reconciled {p.get('code')} at {p.get('start')}–{p.get('end')}: "
                                     f"{p.get('decision')}" + (f" ({p.get('reason')})" if p.get("reason") else ""),
        "suggestion.accepted": lambda: f"accepted a suggestion of {p.get('code')}",
        "suggestion.rejected": lambda: f"rejected a suggestion of {p.get('code')}",
        "member.set": lambda: f"made {p.get('member')} {p.get('after')}",
        "member.removed": lambda: f"removed {p.get('member')} from the project",
        "document.assigned": lambda: f"assigned the transcript to {p.get('coder')}",
        "document.unassigned": lambda: f"took the transcript back from {p.get('coder')}",
        "document.revealed": lambda: "revealed all coders' codings on the transcript",
        "document.hidden": lambda: "hid other coders' codings again (blind)",
        "project.blind": lambda: "turned blind coding " + ("on" if p.get("blind") else "off"),
    }.get(event.kind, lambda: event.kind)()


def undo_last(session: Session, *, project_id: int, user: User) -> Optional[Event]:
    """Invert the user's last change with a new event; None when there is nothing to undo."""
    target = last_undoable(session, project_id=project_id, user=user)
    if target is None:
        return None
    p = target.payload
    if target.kind in ("coding.added", "coding.removed", "coding.memo"):
        coding = get_coding(session, coding_id=p["coding"])
        if target.kind == "coding.memo":
            coding.memo = p["before"]
        else:
            coding.removed = target.kind == "coding.added"
        session.add(coding)
    else:
        code = get_code(session, project_id=project_id, key=p["code"])
        if target.kind == "code.added":
            code.retired = True
        else:
            for field, value in p["before"].items():
                setattr(code, field, value)
        session.add(code)
    event = _log(session, project_id=project_id, user=user, kind="undo", document_id=target.document_id,
                 undoes=target.id, payload={"undid": describe(target), "kind": target.kind, **p})
    _done(session)
    session.refresh(event)
    return event


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.exec(select(User).order_by(User.name)))
