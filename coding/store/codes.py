"""A project's codebook: its codes, added, renamed, redefined, retired, merged, moved under another parent."""

from typing import Any, Optional

from sqlalchemy import Row, bindparam
from sqlmodel import Session, col, select

from coding.codebook import codetree
from coding.codebook.palette import child_colour, top_level_colour
from coding.models import Code, Coding, User
from coding.store.base import Conflict, Invalid, NotFound, _done, _log, built, records
from coding.store import checks
from coding.store.checks import colour as checked_colour


def project_codes(session: Session, *, project_id: int, include_retired: bool = True) -> list[Code]:
    """The project's codes in codebook order."""
    query = select(Code).where(Code.project_id == project_id)
    if not include_retired:
        query = query.where(col(Code.retired).is_(False))
    return list(session.exec(query.order_by(Code.position, Code.id)))


def code_records(session: Session, *, project_id: int) -> list[Row]:
    """The project's codes in codebook order, as read-only records with a Code's attributes: for pages that
    only show them (the document page reads every code on every view)."""
    return records(session, _code_records(), project_id=project_id)


@built
def _code_records():
    return select(Code.__table__).where(Code.project_id == bindparam("project_id")).order_by(Code.position, Code.id)


def get_code(session: Session, *, project_id: int, key: str) -> Code:
    """A project's code by its key (such as `safety/confidentiality`)."""
    code = session.exec(_code_by_key(), params={"project_id": project_id, "key": key}).first()
    if code is None:
        raise NotFound(f"this project's codebook has no code '{key}'")
    return code


@built
def _code_by_key():
    return select(Code).where(Code.project_id == bindparam("project_id"), Code.key == bindparam("key"))


def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part) or "code"


def _no_sibling_named(codes: list[Code], name: str, parent: Optional[Code], moving: Optional[Code] = None) -> None:
    """Refuse a second code of the same name among one parent's children (or at the top level)."""
    same = next((c for c in codes if c.parent_key == (parent.key if parent else None) and c is not moving
                 and c.name.strip().casefold() == name.strip().casefold()), None)
    if same is not None:
        where = f"under {parent.name}" if parent else "at the top level"
        raise Conflict(f"there is already a {'retired ' if same.retired else ''}code called “{same.name}” {where}; "
                       f"choose another name{' or restore that one' if same.retired else ''}")


def add_code(session: Session, *, project_id: int, user: User, name: str, parent_key: Optional[str] = None,
             definition: str = "", colour: Optional[str] = None) -> Code:
    """A new code of the team's own, placed after its parent's last descendant."""
    name = name.strip()
    if not name:
        raise Invalid("a code needs a name")
    colour = checked_colour(colour) if colour is not None else None
    codes = project_codes(session, project_id=project_id)
    parent = None
    if parent_key:
        parent = next((c for c in codes if c.key == parent_key), None)
        if parent is None:
            raise NotFound(f"this project's codebook has no code '{parent_key}'")
    _no_sibling_named(codes, name, parent)
    base = f"{parent.key}/{_slug(name)}" if parent else _slug(name)
    keys = {c.key for c in codes}
    key, n = base, 2
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    if parent:
        inside = [c.position for c in codes if c.key in codetree.family(codes, parent.key)]
        position = max(inside) + 1
    else:
        position = max((c.position for c in codes), default=-1) + 1
    for other in codes:
        if other.position >= position:
            other.position += 1
            session.add(other)
    siblings = [c.colour for c in codes if c.parent_key == (parent.key if parent else None)]
    code = Code(project_id=project_id, key=key, parent_key=parent.key if parent else None, name=name,
                kind=parent.kind if parent else "theme", group=parent.group if parent else None,
                definition=definition.strip(), position=position,
                colour=colour or (child_colour(parent.colour, siblings) if parent else top_level_colour(siblings)))
    session.add(code)
    _log(session, project_id=project_id, user=user, kind="code.added",
         payload={"code": key, "name": name, "parent": code.parent_key})
    _done(session, f"a code called '{name}' was added at the same moment; reload the codebook to see it")
    session.refresh(code)
    return code


CODE_FIELDS = ("name", "definition", "colour", "retired", "memo")


def update_code(session: Session, *, code: Code, user: User, **changes: Any) -> Code:
    """Rename, redefine, recolour, retire or restore a code, or write its memo; the key never changes."""
    unknown = set(changes) - set(CODE_FIELDS)
    if unknown:
        raise Invalid(f"a code has no field {', '.join(sorted(unknown))} that can be changed")
    if "name" in changes and not str(changes["name"]).strip():
        raise Invalid("a code needs a name")
    before = {k: getattr(code, k) for k in changes}
    after = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    if "colour" in after:
        after["colour"] = checked_colour(str(after["colour"]))
    if "memo" in after:
        after["memo"] = checks.memo(str(after["memo"]))
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


def merge_code(session: Session, *, project_id: int, user: User, source_key: str, target_key: str) -> dict[str, int]:
    """Recode every live coding of one code (in every layer) to another and retire the first; a coding the
    target already has on the same span in the same layer is removed rather than doubled."""
    codes = {c.key: c for c in project_codes(session, project_id=project_id)}
    source, target = codes.get(source_key), codes.get(target_key)
    if source is None or target is None:
        raise NotFound(f"this project's codebook has no code '{source_key if source is None else target_key}'")
    if source.key == target.key:
        raise Invalid(f"a code cannot be merged into itself ({source.name})")
    if source.retired or target.retired:
        raise Invalid(f"{(source if source.retired else target).name} is retired; restore it before merging")
    if any(c.parent_key == source.key and not c.retired for c in codes.values()):
        raise Invalid(f"{source.name} has sub-codes; merge or retire them first")
    chain, parent = [], target.parent_key
    while parent and parent not in chain:
        chain.append(parent)
        parent = codes[parent].parent_key if parent in codes else None
    if source.key in chain:
        raise Invalid(f"{target.name} lies under {source.name}; a code cannot be merged into its own sub-code")
    live = list(session.exec(select(Coding).where(col(Coding.code_id).in_([source.id, target.id]),
                                                  col(Coding.removed).is_(False))))
    already = {(c.layer_id, c.document_id, c.start, c.end) for c in live if c.code_id == target.id}
    counts = {"recoded": 0, "doubles_removed": 0}
    for coding in (c for c in live if c.code_id == source.id):
        if (coding.layer_id, coding.document_id, coding.start, coding.end) in already:
            coding.removed = True
            counts["doubles_removed"] += 1
        else:
            coding.code_id = target.id
            counts["recoded"] += 1
        session.add(coding)
    source.retired = True
    session.add(source)
    _log(session, project_id=project_id, user=user, kind="code.merged",
         payload={"code": source.key, "into": target.key, **counts})
    _done(session)
    return counts


def move_code(session: Session, *, project_id: int, user: User, key: str, parent_key: Optional[str]) -> Code:
    """Put a code, with every code under it, under another parent (or at the top level, `parent_key` None), after
    that parent's last descendant. Keys never change: only `parent_key` and the codebook order do."""
    codes = project_codes(session, project_id=project_id)
    by_key = {c.key: c for c in codes}
    code, parent = by_key.get(key), by_key.get(parent_key) if parent_key else None
    if code is None or (parent_key and parent is None):
        raise NotFound(f"this project's codebook has no code '{key if code is None else parent_key}'")
    moving = codetree.family(codes, code.key)
    if parent is not None and parent.key in moving:
        raise Invalid(f"{code.name} cannot go under {'itself' if parent is code else parent.name + ', which lies under it'}")
    if parent is not None and parent.retired:
        raise Invalid(f"{parent.name} is retired; restore it before moving codes under it")
    if code.parent_key == (parent.key if parent else None):
        raise Invalid(f"{code.name} is already {'under ' + parent.name if parent else 'at the top level'}")
    _no_sibling_named(codes, code.name, parent, moving=code)
    block = [c for c in codes if c.key in moving]
    rest = [c for c in codes if c.key not in moving]
    if parent is None:
        at = len(rest)
    else:
        under = codetree.family(rest, parent.key)
        at = max(i for i, c in enumerate(rest) if c.key in under) + 1
    order = rest[:at] + block + rest[at:]
    before = {c.key: c.position for c in order}
    for position, c in enumerate(order):
        if c.position != position:
            c.position = position
            session.add(c)
    was = code.parent_key
    code.parent_key = parent.key if parent else None
    session.add(code)
    _log(session, project_id=project_id, user=user, kind="code.moved",
         payload={"code": code.key, "before": was, "after": code.parent_key,
                  "positions": {k: p for k, p in before.items() if by_key[k].position != p}})
    _done(session)
    session.refresh(code)
    return code


def undo_move(session: Session, *, project_id: int, payload: dict[str, Any]) -> None:
    """Put a moved code back under its former parent, and the codebook back in its former order."""
    codes = {c.key: c for c in project_codes(session, project_id=project_id)}
    for key, position in payload.get("positions", {}).items():
        if key in codes:
            codes[key].position = position
            session.add(codes[key])
    code = codes.get(payload["code"])
    if code is None:
        raise NotFound(f"this project's codebook has no code '{payload['code']}'")
    code.parent_key = payload["before"]
    session.add(code)
