"""Versions of a project's codebook. Version 1 is the framework as the project copied it. A lead opens a draft,
stages changes (add, rename, redefine, retire, move, merge, split), each with a reason, and publishes it as the
next number: the changes are then made in one transaction. Before that, every live coding's code is kept as of
the version being replaced (`CodingAsOf`), so nothing coded is lost: a merge recodes its codings to the merged
code, a split leaves them on the old code for the recode pass, and either way the old coding stays readable as of
its version. The Side by Side team rebuilt its first draft into the six core values this way, then recoded every
transcript (evaluation report, Billsborough et al., 2017, ch. 5–6; reference §2.1)."""

from typing import Any, Optional

from sqlalchemy import Integer, insert, literal
from sqlmodel import Session, col, select

from coding.models import (Code, CodebookChange, CodebookVersion, Coding, CodingAsOf, Document, Layer, Project,
                           RecodeMark, User, utcnow)
from coding.store.base import Invalid, NotFound, _done, _log, atomic
from coding.store.checks import memo as checked_text
from coding.store.codes import add_code, merge_code, move_code, project_codes, update_code
from coding.store.codings import layer_owners

KINDS = {"add": "add", "rename": "rename", "redefine": "redefine", "retire": "retire", "move": "move",
         "merge": "merge", "split": "split"}
NAME_LIMIT = 200


def versions(session: Session, *, project: Project, user: User) -> list[CodebookVersion]:
    """The project's versions, oldest first (version 1, the framework as copied, is made on first asking)."""
    found = list(session.exec(select(CodebookVersion).where(CodebookVersion.project_id == project.id)
                              .order_by(CodebookVersion.number)))
    if not found:
        first = CodebookVersion(project_id=project.id, number=1, status="published", created_by=user.id,
                                created_at=project.created_at, published_at=project.created_at)
        session.add(first)
        _done(session)
        session.refresh(first)
        found = [first]
    return found


def stored(session: Session, *, project_id: int) -> list[CodebookVersion]:
    """The versions stored so far, oldest first (none before the first draft), for reading without writing."""
    return list(session.exec(select(CodebookVersion).where(CodebookVersion.project_id == project_id)
                             .order_by(CodebookVersion.number)))


def version(session: Session, *, project_id: int, number: int) -> CodebookVersion:
    found = session.exec(select(CodebookVersion).where(CodebookVersion.project_id == project_id,
                                                       CodebookVersion.number == number)).first()
    if found is None:
        raise NotFound(f"no codebook version {number} in this project")
    return found


def changes(session: Session, *, version_id: int) -> list[CodebookChange]:
    return list(session.exec(select(CodebookChange).where(CodebookChange.version_id == version_id)
                             .order_by(CodebookChange.id)))


def open_draft(session: Session, *, project: Project, user: User) -> CodebookVersion:
    """The project's draft version, opened as the next number if there is none."""
    found = versions(session, project=project, user=user)
    if found[-1].status == "draft":
        return found[-1]
    draft = CodebookVersion(project_id=project.id, number=found[-1].number + 1, status="draft", created_by=user.id)
    session.add(draft)
    _log(session, project_id=project.id, user=user, kind="codebook.draft", payload={"version": draft.number})
    _done(session)
    session.refresh(draft)
    return draft


def _live(codes: dict[str, Code], key: str) -> Code:
    code = codes.get(key)
    if code is None:
        raise NotFound(f"this project's codebook has no code '{str(key)[:80]}'")
    if code.retired:
        raise Invalid(f"{code.name} is retired")
    return code


def _name(text: Any) -> str:
    name = " ".join(str(text or "").split())
    if not name:
        raise Invalid("a new code needs a name")
    if len(name) > NAME_LIMIT:
        raise Invalid(f"a code's name can hold at most {NAME_LIMIT} characters")
    return name


def stage(session: Session, *, project: Project, user: User, kind: str, reason: str, **asked: Any) -> CodebookChange:
    """Add a change to the draft version, checked against the codebook now and the changes staged before it."""
    if kind not in KINDS:
        raise Invalid(f"a change is one of {', '.join(KINDS)}, not '{kind[:40]}'")
    reason = checked_text(reason)
    if not reason:
        raise Invalid("say why: every change of the codebook carries its reason")
    draft = open_draft(session, project=project, user=user)
    codes = {c.key: c for c in project_codes(session, project_id=project.id)}
    touched = {key for change in changes(session, version_id=draft.id) for key in _keys(change.payload)}
    payload: dict[str, Any]
    if kind == "add":
        parent = asked.get("parent") or None
        if parent:
            _live(codes, parent)
        payload = {"name": _name(asked.get("name")), "parent": parent,
                   "definition": checked_text(str(asked.get("definition") or ""))}
    elif kind in ("rename", "redefine", "retire", "move"):
        code = _live(codes, str(asked.get("code") or ""))
        payload = {"code": code.key}
        if kind == "rename":
            payload["name"] = _name(asked.get("name"))
        elif kind == "redefine":
            payload["definition"] = checked_text(str(asked.get("definition") or ""))
        elif kind == "move":
            parent = asked.get("parent") or None
            if parent:
                _live(codes, parent)
            payload["parent"] = parent
    elif kind == "merge":
        keys = list(dict.fromkeys(k for k in asked.get("codes") or [] if k))
        if len(keys) < 2:
            raise Invalid("a merge takes two or more codes")
        merged = [_live(codes, k) for k in keys]
        into = asked.get("into") or None
        if into and into not in keys:
            raise Invalid("merge into one of the merged codes, or name a new code")
        payload = {"codes": keys, "into": into, "name": None if into else _name(asked.get("name")),
                   "parent": merged[0].parent_key}
        for code in merged:
            if any(c.parent_key == code.key and not c.retired for c in codes.values()):
                raise Invalid(f"{code.name} has sub-codes; merge or move them first")
    else:  # split
        code = _live(codes, str(asked.get("code") or ""))
        names = [_name(n) for n in asked.get("names") or [] if str(n).strip()]
        if len(names) < 2 or len(set(names)) != len(names):
            raise Invalid("a split makes two or more new codes, each with its own name")
        payload = {"code": code.key, "names": names, "parent": code.parent_key}
    clash = sorted(set(_keys(payload)) & touched)
    if clash and kind not in ("add",):
        raise Invalid(f"{codes[clash[0]].name} is already changed in this draft; take that change back first")
    change = CodebookChange(project_id=project.id, version_id=draft.id, kind=kind, payload=payload, reason=reason,
                            user_id=user.id)
    session.add(change)
    _done(session)
    session.refresh(change)
    return change


def _keys(payload: dict) -> list[str]:
    """The existing codes a change touches."""
    return [k for k in [payload.get("code"), *(payload.get("codes") or [])] if k]


def unstage(session: Session, *, project: Project, user: User, change_id: int) -> None:
    """Take a change back out of the draft."""
    draft = open_draft(session, project=project, user=user)
    change = session.get(CodebookChange, change_id)
    if change is None or change.version_id != draft.id:
        raise NotFound(f"no change {change_id} in the draft")
    session.delete(change)
    _done(session)


def publish(session: Session, *, project: Project, user: User) -> CodebookVersion:
    """Publish the draft: keep every live coding's code as of the version it replaces, then make each change in
    order, all in one transaction (a change that can no longer be made refuses the whole publication)."""
    found = versions(session, project=project, user=user)
    draft = found[-1]
    if draft.status != "draft":
        raise Invalid("there is no draft version to publish; open one by staging a change")
    staged = changes(session, version_id=draft.id)
    if not staged:
        raise Invalid("the draft has no changes to publish")
    previous = found[-2]
    with atomic(session):
        session.execute(insert(CodingAsOf).from_select(
            ["project_id", "version_id", "document_id", "coding_id", "code_id"],
            select(Document.project_id, literal(previous.id, Integer), Coding.document_id, Coding.id, Coding.code_id)
            .join(Document, col(Document.id) == Coding.document_id)
            .where(Document.project_id == project.id, col(Coding.removed).is_(False))))
        for change in staged:
            change.payload = {**change.payload, **_apply(session, project, user, change)}
            session.add(change)
        draft.status, draft.published_at = "published", utcnow()
        project.framework_version = str(draft.number)
        session.add_all([draft, project])
        _log(session, project_id=project.id, user=user, kind="codebook.published",
             payload={"version": draft.number, "changes": len(staged)})
    session.refresh(draft)
    return draft


def _apply(session: Session, project: Project, user: User, change: CodebookChange) -> dict[str, Any]:
    """Make one staged change; returns what it made (new codes' keys) to keep with the change."""
    p = change.payload
    codes = {c.key: c for c in project_codes(session, project_id=project.id)}
    if change.kind == "add":
        made = add_code(session, project_id=project.id, user=user, name=p["name"], parent_key=p["parent"],
                        definition=p.get("definition", ""))
        return {"made": [made.key]}
    if change.kind == "rename":
        update_code(session, code=_live(codes, p["code"]), user=user, name=p["name"])
    elif change.kind == "redefine":
        update_code(session, code=_live(codes, p["code"]), user=user, definition=p["definition"])
    elif change.kind == "retire":
        update_code(session, code=_live(codes, p["code"]), user=user, retired=True)
    elif change.kind == "move":
        move_code(session, project_id=project.id, user=user, key=_live(codes, p["code"]).key, parent_key=p["parent"])
    elif change.kind == "merge":
        into = p["into"] or add_code(session, project_id=project.id, user=user, name=p["name"],
                                     parent_key=p["parent"]).key
        for key in p["codes"]:
            if key != into:
                merge_code(session, project_id=project.id, user=user, source_key=key, target_key=into)
        return {"made": [into] if not p["into"] else []}
    elif change.kind == "split":
        _live(codes, p["code"])
        made = [add_code(session, project_id=project.id, user=user, name=name, parent_key=p["parent"]).key
                for name in p["names"]]
        return {"made": made}
    return {}


def describe_change(change: CodebookChange, names: dict[str, str]) -> str:
    """A sentence a person can read for one change."""
    p = change.payload
    name = lambda key: names.get(key, key)  # noqa: E731
    return {
        "add": lambda: f"Added {p['name']}" + (f" under {name(p['parent'])}" if p.get("parent") else ""),
        "rename": lambda: f"Renamed {name(p['code'])} to {p['name']}" if "made" not in p else f"Renamed to {p['name']}",
        "redefine": lambda: f"Redefined {name(p['code'])}",
        "retire": lambda: f"Retired {name(p['code'])}",
        "move": lambda: f"Moved {name(p['code'])} " + (f"under {name(p['parent'])}" if p.get("parent")
                                                       else "to the top level"),
        "merge": lambda: f"Merged {' and '.join(name(k) for k in p['codes'])} into "
                         + (name(p["into"]) if p.get("into") else f"a new code, {p['name']}"),
        "split": lambda: f"Split {name(p['code'])} into {', '.join(p['names'])}",
    }[change.kind]()


def recode_pass(session: Session, *, project_id: int, number: int) -> dict[str, Any]:
    """What a version's split codes leave to recode: per transcript and coder, the codings still on a split code,
    and how many of those the version found are done (recoded or removed since)."""
    published = version(session, project_id=project_id, number=number)
    split = [c.payload["code"] for c in changes(session, version_id=published.id) if c.kind == "split"]
    if published.status != "published":
        return {"total": 0, "left": 0, "documents": [], "revisited": 0, "to_revisit": 0}
    codes = {c.key: c for c in project_codes(session, project_id=project_id)}
    ids = [codes[k].id for k in split if k in codes]
    previous = version(session, project_id=project_id, number=number - 1)
    then = set(session.exec(select(CodingAsOf.coding_id).where(CodingAsOf.version_id == previous.id,
                                                               col(CodingAsOf.code_id).in_(ids))))
    left = list(session.exec(select(Coding.id, Coding.document_id, Coding.layer_id).where(
        col(Coding.id).in_(then or {-1}), col(Coding.code_id).in_(ids), col(Coding.removed).is_(False))))
    owners = {layer_id: owner.shown_name for layer_id, owner in layer_owners(session, project_id=project_id).items()}
    by_document: dict[int, dict[str, int]] = {}
    for _, document_id, layer_id in left:
        coder = owners.get(layer_id, "Consensus")
        by_document.setdefault(document_id, {})[coder] = by_document.get(document_id, {}).get(coder, 0) + 1
    names = dict(session.exec(select(Document.id, Document.name).where(col(Document.id).in_(by_document or {-1}))).all())
    made = _made_before(session, project_id=project_id, number=number)
    pairs = {(row[0], row[1]) for row in made}
    marked = set(session.exec(select(RecodeMark.document_id, RecodeMark.user_id).where(
        RecodeMark.version_id == published.id)).all())
    return {"total": len(then), "left": len(left), "split": [codes[k] for k in split if k in codes],
            "documents": sorted((names[d], d, sorted(n.items())) for d, n in by_document.items()),
            "revisited": len(pairs & marked), "to_revisit": len(pairs)}


def latest_change(session: Session, *, project_id: int) -> Optional[CodebookVersion]:
    """The newest published version after the first: the one whose recode pass is under way."""
    return session.exec(select(CodebookVersion).where(
        CodebookVersion.project_id == project_id, CodebookVersion.status == "published", CodebookVersion.number > 1)
        .order_by(col(CodebookVersion.number).desc())).first()


def _made_before(session: Session, *, project_id: int, number: int, document_id: Optional[int] = None,
                 user_id: Optional[int] = None):
    """(document id, coder's user id, coding id, code id then) of every coding made under the version before
    `number`, in coders' layers (of one transcript and coder, if given: a transcript's page asks for its own)."""
    previous = version(session, project_id=project_id, number=number - 1)
    query = (select(CodingAsOf.document_id, Layer.user_id, CodingAsOf.coding_id, CodingAsOf.code_id)
             .join(Coding, col(Coding.id) == CodingAsOf.coding_id)
             .join(Layer, col(Layer.id) == Coding.layer_id)
             .where(CodingAsOf.version_id == previous.id, Layer.kind == "coder"))
    if document_id is not None:
        query = query.where(CodingAsOf.document_id == document_id)
    if user_id is not None:
        query = query.where(Layer.user_id == user_id)
    return session.exec(query).all()


def revisits(session: Session, *, project_id: int, document_id: int, user: User) -> Optional[dict[str, Any]]:
    """What the newest version asks this coder to revisit on a transcript: their codings made under the version
    before, those still on a split code, and whether they have marked the transcript revisited; None when
    there is nothing of theirs to revisit."""
    latest = latest_change(session, project_id=project_id)
    if latest is None:
        return None
    mine = _made_before(session, project_id=project_id, number=latest.number, document_id=document_id,
                        user_id=user.id)
    if not mine:
        return None
    split = _split_ids(session, project_id=project_id, version_id=latest.id)
    still = set(session.exec(select(Coding.id).where(col(Coding.id).in_([r[2] for r in mine]),
                                                     col(Coding.code_id).in_(split or {-1}),
                                                     col(Coding.removed).is_(False))))
    marked = session.exec(select(RecodeMark.id).where(RecodeMark.version_id == latest.id,
                                                      RecodeMark.document_id == document_id,
                                                      RecodeMark.user_id == user.id)).first() is not None
    return {"version": latest.number, "codings": len(mine), "split": len(still), "marked": marked}


def _split_ids(session: Session, *, project_id: int, version_id: int) -> set[int]:
    keys = [c.payload["code"] for c in changes(session, version_id=version_id) if c.kind == "split"]
    return {c.id for c in project_codes(session, project_id=project_id) if c.key in keys}


def mark_revisited(session: Session, *, project_id: int, document_id: int, user: User) -> None:
    """A coder marks a transcript revisited under the newest version (once); the codings of split codes still
    wait for their new codes, so a transcript with some left is refused."""
    found = revisits(session, project_id=project_id, document_id=document_id, user=user)
    if found is None:
        raise Invalid("nothing of yours on this transcript was coded under an earlier codebook version")
    if found["split"]:
        raise Invalid(f"{found['split']} of your codings here are still on a split code: give each its new code first")
    if found["marked"]:
        return
    latest = latest_change(session, project_id=project_id)
    session.add(RecodeMark(project_id=project_id, version_id=latest.id, document_id=document_id, user_id=user.id))
    _log(session, project_id=project_id, user=user, kind="recode.marked", document_id=document_id,
         payload={"version": latest.number})
    _done(session)


def live_codes(session: Session, *, project_id: int, codes: list[Code], as_of: Optional[int]) -> list[Code]:
    """The codes a figure has rows for: those live now, or as of an earlier version the ones live then (those
    later versions retired or merged away come back, those they made go), with today's names and places."""
    if as_of is None:
        return [c for c in codes if not c.retired]
    later = session.exec(select(CodebookVersion.id).where(CodebookVersion.project_id == project_id,
                                                          CodebookVersion.number > as_of,
                                                          CodebookVersion.status == "published")).all()
    gone, made = set(), set()
    for change in session.exec(select(CodebookChange).where(col(CodebookChange.version_id).in_(later or [-1]))):
        p = change.payload
        made.update(p.get("made") or [])
        if change.kind == "retire":
            gone.add(p["code"])
        elif change.kind == "merge":
            gone.update(k for k in p["codes"] if k != p.get("into"))
    return [c for c in codes if (not c.retired or c.key in gone) and c.key not in made]


def code_as_of(session: Session, *, project_id: int, number: int) -> Optional[dict[int, int]]:
    """Each coding's code as of a version (coding id to code id), for the codings it had; None for the current
    version, which the codings themselves hold."""
    found = version(session, project_id=project_id, number=number)
    later = session.exec(select(CodebookVersion).where(CodebookVersion.project_id == project_id,
                                                       CodebookVersion.number == number + 1,
                                                       CodebookVersion.status == "published")).first()
    if later is None:
        return None
    return dict(session.exec(select(CodingAsOf.coding_id, CodingAsOf.code_id).where(
        CodingAsOf.version_id == found.id)).all())
