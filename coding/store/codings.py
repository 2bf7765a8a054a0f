"""Layers and codings: each coder writes only to their own layer; removal is a flag."""

from typing import Optional

from sqlalchemy import Row, bindparam, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from coding.models import Code, Coding, Document, Layer, Turn, User
from coding.store.base import Invalid, NotFound, NotYours, _done, _log, atomic, built, records
from coding.store.checks import memo as checked_memo
from coding.store.documents import get_document
from coding.text.spans import nudge, trim


def _layer(session: Session, *, project_id: int, kind: str, user_id: Optional[int], create: bool) -> Optional[Layer]:
    """Find a layer, or create it safely when two first codings arrive at once (a conflicting insert does
    nothing, and the layer the other request made is read back)."""
    def find() -> Optional[Layer]:
        params = {"project_id": project_id, "kind": kind, **({"user_id": user_id} if user_id is not None else {})}
        return session.exec(_find_layer(user_id is not None), params=params).first()

    layer = find()
    if layer is None and create:
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(Layer).values(project_id=project_id, kind=kind, user_id=user_id)
                        .on_conflict_do_nothing())
        layer = find()
    return layer


@built
def _find_layer(owned: bool):
    query = select(Layer).where(Layer.project_id == bindparam("project_id"), Layer.kind == bindparam("kind"))
    return query.where(Layer.user_id == bindparam("user_id") if owned else col(Layer.user_id).is_(None))


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


def _check_span(document: Document, start: int, end: int) -> None:
    """Refuse a span that is empty, outside the transcript or covers only white space."""
    if not (0 <= start < end <= len(document.text)):
        raise Invalid(f"the span {start}–{end} is not inside the document (0–{len(document.text)}, "
                      "counted in Unicode code points) or is empty")
    if not document.text[start:end].strip():
        raise Invalid("the selected text is only white space; select at least one word")


def span_asked(session: Session, document: Document, current: Optional[tuple[int, int]], start: Optional[int],
               end: Optional[int], move: Optional[str] = None) -> tuple[int, int]:
    """The span a request asks for: [start, end) trimmed of white space, or the `current` span nudged by a word
    (within the speaker turn of the end that moves: a nudge never takes in a speaker's label)."""
    text = document.text
    if move is not None and current is not None:
        at = current[0] if move.startswith("start") else current[1] - 1
        turn = session.exec(select(Turn).where(Turn.document_id == document.id, Turn.start <= at,
                                               Turn.end > at)).first()
        moved = nudge(text, *current, move, *((turn.start, turn.end) if turn else (0, len(text))))
        if moved == current:
            raise Invalid("there is no word to move to that way (a coding keeps at least one word)")
        return moved
    if start is None or end is None:
        raise Invalid("say where the span starts and ends, or which end to move by a word")
    return trim(text, start, end)


def add_coding(session: Session, *, document: Document, code: Code, user: User, start: int, end: int,
               memo: str = "", origin: str = "manual", layer: Optional[Layer] = None, commit: bool = True) -> Coding:
    """Code the span [start, end) of a document in the user's layer (reconciliation passes the consensus
    layer, and commits its decision as a whole)."""
    if code.project_id != document.project_id:
        raise Invalid(f"code '{code.key}' belongs to another project")
    if code.retired:
        raise Invalid(f"code '{code.key}' is retired; restore it in the codebook to use it again")
    _check_span(document, start, end)
    layer = layer or coder_layer(session, project_id=document.project_id, user=user)
    coding = Coding(layer_id=layer.id, document_id=document.id, code_id=code.id, start=start, end=end,
                    memo=checked_memo(memo), origin=origin, created_by=user.id)
    session.add(coding)
    session.flush()
    # read the code again, inside this transaction and locked against a change: a retirement that
    # committed a moment ago is seen here, and one that comes later waits for this coding
    if session.exec(select(Code.retired).where(Code.id == code.id).with_for_update(read=True)).one():
        session.rollback()
        raise Invalid(f"code '{code.key}' has just been retired; restore it in the codebook to use it again")
    _log(session, project_id=document.project_id, user=user, kind="coding.added", document_id=document.id,
         payload={"coding": coding.id, "code": code.key, "start": start, "end": end, "memo": coding.memo,
                  "origin": origin, "layer": layer.id})
    if commit:
        _done(session)  # the session keeps the coding's values after commit: no need to read it back
    return coding


def _coding_project(session: Session, coding: Coding) -> int:
    return get_document(session, document_id=coding.document_id).project_id


def _own(session: Session, coding: Coding, user: User) -> None:
    layer = session.get(Layer, coding.layer_id)
    if layer is None or layer.user_id != user.id:
        # never name the layer's owner: the person asking may be coding blind
        raise NotYours(f"coding {coding.id} is not in your layer; you can only change codings in your own layer")


def remove_coding(session: Session, *, coding: Coding, user: User) -> Coding:
    """Take a coding off its passage; it stays in the database and the log, and can be undone."""
    _own(session, coding, user)
    # only the request that flips the flag logs the removal (two tabs may send it at once)
    flipped = session.execute(update(Coding).where(col(Coding.id) == coding.id, col(Coding.removed).is_(False))
                              .values(removed=True).execution_options(synchronize_session=False))
    if coding.removed or flipped.rowcount != 1:
        session.rollback()
        raise NotFound("this coding was already removed (in another tab?)")
    coding.removed = True
    code = session.get(Code, coding.code_id)
    _log(session, project_id=_coding_project(session, coding), user=user, kind="coding.removed",
         document_id=coding.document_id,
         payload={"coding": coding.id, "code": code.key if code else None, "start": coding.start,
                  "end": coding.end})
    _done(session)
    session.refresh(coding)
    return coding


def _live(session: Session, coding: Coding, user: User) -> Code:
    """The coding's code, once it is known to be the user's own and still on its passage."""
    _own(session, coding, user)
    session.refresh(coding)
    if coding.removed:
        raise NotFound("this coding was removed (in another tab?); reload the page to see the passage as it is")
    return session.get(Code, coding.code_id)


def resize_coding(session: Session, *, coding: Coding, user: User, start: int, end: int) -> Coding:
    """Move a coding's ends to [start, end): one change, logged with the span it had, and undoable."""
    code = _live(session, coding, user)
    document = get_document(session, document_id=coding.document_id)
    _check_span(document, start, end)
    if (start, end) == (coding.start, coding.end):
        return coding
    before = {"start": coding.start, "end": coding.end}
    coding.start, coding.end = start, end
    session.add(coding)
    _log(session, project_id=document.project_id, user=user, kind="coding.resized", document_id=document.id,
         payload={"coding": coding.id, "code": code.key, "start": start, "end": end, "before": before})
    _done(session)
    session.refresh(coding)
    return coding


def recode_coding(session: Session, *, coding: Coding, user: User, code: Code) -> Coding:
    """Give a coding another code of the same project, keeping its passage and memo: one logged, undoable change."""
    was = _live(session, coding, user)
    document = get_document(session, document_id=coding.document_id)
    if code.project_id != document.project_id:
        raise NotFound(f"this project's codebook has no code '{code.key}'")
    if code.retired:
        raise Invalid(f"{code.name} is retired; restore it in the codebook to use it again")
    if code.id == coding.code_id:
        return coding
    double = session.exec(select(Coding.id).where(
        Coding.layer_id == coding.layer_id, Coding.document_id == coding.document_id, Coding.code_id == code.id,
        Coding.start == coding.start, Coding.end == coding.end, col(Coding.removed).is_(False))).first()
    if double is not None:
        raise Invalid(f"this passage is already coded {code.name} in your layer")
    coding.code_id = code.id
    session.add(coding)
    _log(session, project_id=document.project_id, user=user, kind="coding.recoded", document_id=document.id,
         payload={"coding": coding.id, "code": code.key, "before": was.key, "start": coding.start,
                  "end": coding.end})
    _done(session)
    session.refresh(coding)
    return coding


def set_memo(session: Session, *, coding: Coding, user: User, memo: str) -> Coding:
    """Write or replace the memo on a coding."""
    _own(session, coding, user)
    memo = checked_memo(memo)
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


def edit_coding(session: Session, *, coding: Coding, user: User, memo: Optional[str] = None,
                span: Optional[tuple[int, int]] = None, code: Optional[Code] = None) -> Coding:
    """Change a coding's memo, span and code in one transaction (each still its own undoable event):
    all of it is stored, or on any refusal none."""
    with atomic(session):
        if span is not None:
            resize_coding(session, coding=coding, user=user, start=span[0], end=span[1])
        if code is not None:
            recode_coding(session, coding=coding, user=user, code=code)
        if memo is not None:
            set_memo(session, coding=coding, user=user, memo=memo)
    session.refresh(coding)
    return coding


def document_codings(session: Session, *, document_id: int, layers: Optional[set[int]] = None) -> list[Coding]:
    """The live codings of a document by position: all layers, or only those in `layers`."""
    query = select(Coding).where(Coding.document_id == document_id, col(Coding.removed).is_(False))
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return list(session.exec(query.order_by(Coding.start, Coding.end, Coding.id)))


def document_coding_records(session: Session, *, document_id: int) -> list[Row]:
    """The live codings of a document by position as read-only records (every column of `Coding`)."""
    return records(session, _document_coding_records(), document_id=document_id)


@built
def _document_coding_records():
    return (select(*Coding.__table__.columns)
            .where(Coding.document_id == bindparam("document_id"), col(Coding.removed).is_(False))
            .order_by(Coding.start, Coding.end, Coding.id))


def coders_of_codings(session: Session, *, project_id: int) -> list[Row]:
    """Each distinct (layer_id, created_by) among the project's live codings: who made them, in few rows."""
    query = (select(Coding.layer_id, Coding.created_by).join(Document, col(Document.id) == Coding.document_id)
             .where(Document.project_id == project_id, col(Coding.removed).is_(False)).distinct())
    return list(session.exec(query))


def document_coding_count(session: Session, *, document_id: int, layers: Optional[set[int]] = None) -> int:
    """How many live codings a document has: in all layers, or only in `layers`."""
    query = select(func.count()).select_from(Coding).where(Coding.document_id == document_id,
                                                            col(Coding.removed).is_(False))
    if layers is not None:
        query = query.where(col(Coding.layer_id).in_(layers or {-1}))
    return session.exec(query).one()


def project_codings(session: Session, *, project_id: int) -> list[Coding]:
    """The live codings of a project, by document and position."""
    query = (select(Coding).join(Document, col(Document.id) == Coding.document_id)
             .where(Document.project_id == project_id, col(Coding.removed).is_(False))
             .order_by(Coding.document_id, Coding.start, Coding.id))
    return list(session.exec(query))


def project_coding_records(session: Session, *, project_id: int) -> list[Row]:
    """The live codings of a project as read-only records (every column of `Coding` as an attribute), by
    document and position: for reads of every coding, at a fraction of the ORM's cost per row."""
    return records(session, _project_coding_records(), project_id=project_id)


@built
def _project_coding_records():
    return (select(*Coding.__table__.columns).join(Document, col(Document.id) == Coding.document_id)
            .where(Document.project_id == bindparam("project_id"), col(Coding.removed).is_(False))
            .order_by(Coding.document_id, Coding.start, Coding.id))


def project_passages(session: Session, *, project_id: int) -> list[Row]:
    """The live codings of a project as records of what quotes and counts read (id, document_id, layer_id,
    code_id, start, end, memo, origin), by document and position."""
    return records(session, _project_passages(), project_id=project_id)


@built
def _project_passages():
    return (select(Coding.id, Coding.document_id, Coding.layer_id, Coding.code_id, Coding.start, Coding.end,
                   Coding.memo, Coding.origin).join(Document, col(Document.id) == Coding.document_id)
            .where(Document.project_id == bindparam("project_id"), col(Coding.removed).is_(False))
            .order_by(Coding.document_id, Coding.start, Coding.id))


def coding_counts(session: Session, *, project_id: int) -> dict[int, int]:
    """How many live codings each of the project's documents has (documents without any are absent)."""
    query = (select(Coding.document_id, func.count()).join(Document, col(Document.id) == Coding.document_id)
             .where(Document.project_id == project_id, col(Coding.removed).is_(False))
             .group_by(Coding.document_id))
    return {document_id: count for document_id, count in session.exec(query)}


def layer_people(session: Session, *, project_id: int) -> list[Row]:
    """Every layer of a project as a record of its id, kind, user_id and that user's name and display_name
    (None for the consensus layer): what a page needs to name whose codings it shows."""
    return records(session, _layer_people(), project_id=project_id)


@built
def _layer_people():
    return (select(Layer.id, Layer.kind, Layer.user_id, User.name, User.display_name)
            .outerjoin(User, col(User.id) == Layer.user_id).where(Layer.project_id == bindparam("project_id")))


def layer_owners(session: Session, *, project_id: int) -> dict[int, User]:
    """The user behind each coder layer of a project."""
    query = select(Layer, User).join(User, col(User.id) == Layer.user_id).where(Layer.project_id == project_id)
    return {layer.id: user for layer, user in session.exec(query)}
