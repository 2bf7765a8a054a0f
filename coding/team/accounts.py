"""People and what they may do: accounts and passwords, API tokens, project roles, assignments (signing in: coding.team.signin)."""

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from argon2 import PasswordHasher
from sqlalchemy import and_, bindparam
from sqlmodel import Session, col, select

from coding import store
from coding.models import ApiToken, Assignment, Document, Event, Layer, Membership, Project, User, utcnow

ROLES = ("viewer", "coder", "lead")
RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 8
IMPORTED = "imported:"  # user names of coders brought in from other tools' files; no one can register one
UNDO_NEEDS = {"coding.added": "coder", "coding.removed": "coder", "coding.memo": "coder", "coding.resized": "coder",
              "coding.recoded": "coder", "code.added": "lead", "code.updated": "lead", "code.moved": "lead",
              "document.status": "coder", "memo.document": "coder"}
_hasher = PasswordHasher()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- users and passwords --------------------------------------------------------------------------

def check_password_rules(password: str) -> None:
    """Refuse passwords too short to protect transcripts about people's mental health."""
    if len(password) < MIN_PASSWORD:
        raise store.Invalid(f"a password needs at least {MIN_PASSWORD} characters")


def set_password(session: Session, *, user: User, password: str) -> User:
    """Store a new password for the user (argon2 hash only)."""
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def create_user(session: Session, *, name: str, password: str, display_name: str = "", admin: bool = False) -> User:
    """A new user with a password; an existing user without one gets it (accounts made before sign-in)."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name) or len(name) > 80:
        raise store.Invalid("a user name is one word of at most 80 characters, such as 'sam' or 'pv-team-1'")
    if name.lower().startswith(IMPORTED):
        raise store.Invalid(f"user names beginning '{IMPORTED}' are kept for coders imported from other tools")
    check_password_rules(password)
    user = session.exec(select(User).where(User.name == name)).first()
    if user is not None and user.password_hash:
        raise store.Conflict(f"there is already a user called '{name}'")
    user = user or User(name=name, display_name=display_name.strip() or name)
    user.is_admin = user.is_admin or admin
    return set_password(session, user=user, password=password)


def imported_coder(session: Session, *, project_id: int, name: str, display_name: str = "") -> User:
    """A coder named in an imported file: an account of its own, marked as imported, that cannot sign in
    (no password, and a name no one can register), never an existing account that happens to share the name."""
    name = imported_from(name)
    display = (display_name or name).removesuffix(" (imported)")
    return store.ensure_user(session, name=f"{IMPORTED}{project_id}:{name}"[:80], display_name=f"{display} (imported)")


def imported_from(name: str) -> str:
    """The name an imported coder had in the file (`imported:3:sam` → `sam`); other names unchanged."""
    while name.startswith(IMPORTED) and name[len(IMPORTED):].partition(":")[0].isdigit():
        name = name[len(IMPORTED):].partition(":")[2]
    return name


def find_user(session: Session, *, name: str) -> Optional[User]:
    """The user with this name, or None."""
    return session.exec(select(User).where(User.name == name.strip())).first()


def user_named(session: Session, *, name: str) -> User:
    """The user with this name; NotFound, saying an administrator can add them, when there is none."""
    found = find_user(session, name=name)
    if found is None:
        raise store.NotFound(f"there is no user called '{name.strip()}'; an administrator can add them")
    return found


def has_admin(session: Session) -> bool:
    """True once the server has an administrator who can sign in."""
    return session.exec(select(User).where(col(User.is_admin).is_(True), col(User.password_hash).is_not(None))).first() is not None


# --- API tokens -----------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, user: User, name: str) -> tuple[str, ApiToken]:
    """A new bearer token for the user: the plain token (shown once) and its stored record."""
    if user.name.startswith(IMPORTED):
        raise store.Invalid(f"'{user.name}' was imported from another tool's file and cannot sign in")
    plain = "pf_" + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user.id, name=name.strip() or "token", token_hash=_digest(plain))
    session.add(record)
    session.commit()
    session.refresh(record)
    return plain, record


def user_for_token(session: Session, *, token: str) -> Optional[User]:
    """The user a live token belongs to, or None."""
    found = session.exec(select(ApiToken, User).join(User, col(User.id) == col(ApiToken.user_id))
                         .where(ApiToken.token_hash == _digest(token), col(ApiToken.revoked).is_(False))).first()
    if found is None:
        return None
    record, user = found
    if record.last_used_at is None or utcnow() - _aware(record.last_used_at) > timedelta(minutes=5):
        record.last_used_at = utcnow()
        session.add(record)
        session.commit()
    return user


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (hashes only)."""
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id).desc())))


def revoke_token(session: Session, *, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens."""
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != user.id:
        raise store.NotFound(f"no token {token_id}")
    record.revoked = True
    session.add(record)
    session.commit()
    return record


# --- roles ----------------------------------------------------------------------------------------

def role_in(session: Session, *, project_id: int, user: User) -> Optional[str]:
    """The user's role in the project, or None when they are not a member."""
    membership = session.exec(select(Membership).where(Membership.project_id == project_id,
                                                       Membership.user_id == user.id)).first()
    return membership.role if membership else None


def role_as(role: Optional[str], *, local: bool) -> Optional[str]:
    """The role a user acts with, given their membership's: the single user of a machine (`local`) leads
    every project, member or not."""
    return "lead" if local else role


def acting_role(session: Session, *, project_id: int, user: User, local: bool) -> Optional[str]:
    """The role a user acts with in a project (`role_as` of their membership, read only when needed)."""
    return role_as(None if local else role_in(session, project_id=project_id, user=user), local=local)


def standing(session: Session, *, user: User, project_id: Optional[int] = None,
             document_id: Optional[int] = None) -> tuple[Optional[Document], Optional[Project], Optional[str]]:
    """In one query: the document asked for (if one is), its or the asked-for project, and the user's role
    there (None when not a member); (None, None, None) when there is no such thing."""
    query = select(Project, Membership.role).outerjoin(
        Membership, and_(col(Membership.project_id) == col(Project.id), col(Membership.user_id) == user.id))
    if document_id is not None:
        found = session.exec(query.add_columns(Document).join(Document, col(Document.project_id) == col(Project.id))
                             .where(col(Document.id) == document_id)).first()
        return (found[2], found[0], found[1]) if found else (None, None, None)
    found = session.exec(query.where(col(Project.id) == project_id)).first()
    return (None, found[0], found[1]) if found else (None, None, None)


def at_least(role: Optional[str], needed: str) -> bool:
    """True when `role` carries the rights of `needed` (lead > coder > viewer)."""
    return role is not None and RANK[role] >= RANK[needed]


def member_projects(session: Session, *, user: User) -> list[Project]:
    """The projects the user belongs to, newest first."""
    query = (select(Project).join(Membership, col(Membership.project_id) == Project.id)
             .where(Membership.user_id == user.id).order_by(col(Project.id).desc()))
    return list(session.exec(query))


def members(session: Session, *, project_id: int) -> list[tuple[User, str]]:
    """The project's members with their roles, leads first."""
    query = (select(User, Membership.role).join(Membership, col(Membership.user_id) == User.id)
             .where(Membership.project_id == project_id))
    return sorted(session.exec(query).all(), key=lambda pair: (-RANK[pair[1]], pair[0].name))


def set_member(session: Session, *, project_id: int, user: User, role: str, by: User) -> Membership:
    """Add a member or change their role."""
    if role not in ROLES:
        raise store.Invalid(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    membership = session.exec(select(Membership).where(Membership.project_id == project_id,
                                                       Membership.user_id == user.id)).first()
    before = membership.role if membership else None
    if membership is None:
        membership = Membership(project_id=project_id, user_id=user.id, role=role)
    membership.role = role
    session.add(membership)
    session.add(Event(project_id=project_id, user_id=by.id, kind="member.set",
                      payload={"member": user.name, "before": before, "after": role}))
    session.commit()
    session.refresh(membership)
    return membership


def remove_member(session: Session, *, project_id: int, user: User, by: User) -> None:
    """Take a user out of a project; their codings stay, in their layer."""
    membership = session.exec(select(Membership).where(Membership.project_id == project_id,
                                                       Membership.user_id == user.id)).first()
    if membership is None:
        raise store.NotFound(f"{user.name} is not a member of this project")
    leads = [u for u, r in members(session, project_id=project_id) if r == "lead"]
    if membership.role == "lead" and len(leads) == 1:
        raise store.Invalid("a project needs at least one lead; make someone else lead first")
    session.delete(membership)
    session.add(Event(project_id=project_id, user_id=by.id, kind="member.removed",
                      payload={"member": user.name, "before": membership.role}))
    session.commit()


def undo(session: Session, *, project_id: int, user: User, role: str,
         document_id: Optional[int] = None) -> Optional[Event]:
    """Undo the user's last change (on one transcript, when given), if the role they have now still lets them
    make it; None when there is nothing to undo."""
    last = store.last_undoable(session, project_id=project_id, user=user, document_id=document_id)
    if last is None:
        return None
    needed = UNDO_NEEDS.get(last.kind, "lead")
    if not at_least(role, needed):
        what = store.describe(last, store.Wording(session, project_id=project_id))
        raise store.NotYours(f"undoing “{what}” needs the {needed} role; you are a {role} in this project now")
    return store.undo_last(session, project_id=project_id, user=user, document_id=document_id)


# --- assignments and blind coding -----------------------------------------------------------------

def assign(session: Session, *, document: Document, coder: User, by: User, assigned: bool = True) -> None:
    """Give a transcript to a coder (or take it back)."""
    if assigned and not at_least(role_in(session, project_id=document.project_id, user=coder), "coder"):
        raise store.Invalid(f"{coder.name} is not a coder in this project")
    existing = session.exec(select(Assignment).where(Assignment.document_id == document.id,
                                                     Assignment.user_id == coder.id)).first()
    if assigned == (existing is not None):
        return
    if assigned:
        session.add(Assignment(project_id=document.project_id, document_id=document.id, user_id=coder.id))
    else:
        session.delete(existing)
    session.add(Event(project_id=document.project_id, user_id=by.id, document_id=document.id,
                      kind="document.assigned" if assigned else "document.unassigned", payload={"coder": coder.name}))
    session.commit()


def assignees(session: Session, *, document_id: int) -> list[User]:
    """The coders a transcript is assigned to."""
    return list(session.exec(_assignees(), params={"document_id": document_id}))


@store.built
def _assignees():
    return (select(User).join(Assignment, col(Assignment.user_id) == User.id)
            .where(Assignment.document_id == bindparam("document_id")).order_by(User.name))


def assigned_documents(session: Session, *, project_id: int, user: User) -> set[int]:
    """The ids of the project's transcripts assigned to the user, in one query."""
    return set(session.exec(select(Assignment.document_id).where(Assignment.project_id == project_id,
                                                                 Assignment.user_id == user.id)))


def is_assigned(session: Session, *, document_id: int, user: User) -> bool:
    """True when the transcript is assigned to the user."""
    return session.exec(select(Assignment).where(Assignment.document_id == document_id,
                                                 Assignment.user_id == user.id)).first() is not None


def set_revealed(session: Session, *, document: Document, by: User, revealed: bool) -> Document:
    """Show (or hide again) every coder's layer to the coders of a transcript in a blind project."""
    document.revealed = revealed
    session.add(document)
    session.add(Event(project_id=document.project_id, user_id=by.id, document_id=document.id,
                      kind="document.revealed" if revealed else "document.hidden", payload={}))
    session.commit()
    session.refresh(document)
    return document


def visible_layers(session: Session, *, project: Project, document: Document, user: User,
                   role: str) -> Optional[set[int]]:
    """The layers a user may see on a transcript: None for all; in a blind project a coder sees only
    their own layer until the lead reveals the transcript."""
    if role != "coder" or not project.blind or document.revealed:
        return None
    own = session.exec(select(Layer.id).where(Layer.project_id == project.id, Layer.kind == "coder",
                                              Layer.user_id == user.id)).all()
    return set(own)


PROFILE = "lived_experience"  # the preference that holds a researcher's own words about their lived experience
PROFILE_LIMIT = 2000
LABEL_LIMIT = 40


def profile(user: User) -> dict[str, Any]:
    """What a researcher says of drawing on lived experience, and whether their teams may read it."""
    saved = (user.preferences or {}).get(PROFILE) or {}
    return {"text": str(saved.get("text", "")), "shown": bool(saved.get("shown", False))}


def set_profile(session: Session, *, user: User, text: str, shown: bool) -> User:
    """Describe yourself as drawing on lived experience (optional, never required), shown to the members of your
    projects only if you choose; empty text removes it."""
    text = text.strip()
    if len(text) > PROFILE_LIMIT:
        raise store.Invalid(f"the description can hold at most {PROFILE_LIMIT:,} characters")
    return store.set_preference(session, user=user, key=PROFILE, value={"text": text, "shown": bool(shown and text)})


def shown_profile(user: User) -> str:
    """The description a teammate may read: "" unless its author chose to show it."""
    saved = profile(user)
    return saved["text"] if saved["shown"] else ""


def role_label(project: Project, role: str) -> str:
    """The team's name for a role, or the role itself."""
    return (project.role_labels or {}).get(role) or role


def set_role_labels(session: Session, *, project: Project, by: User, labels: dict[str, str]) -> Project:
    """Name the roles as the team does (an empty name goes back to the role's own); logged."""
    unknown = set(labels) - set(ROLES)
    if unknown:
        raise store.Invalid(f"the roles are {', '.join(ROLES)}, not {sorted(unknown)[0][:40]}")
    cleaned = {}
    for role, label in labels.items():
        label = " ".join(str(label).split())
        if len(label) > LABEL_LIMIT:
            raise store.Invalid(f"a role's name can hold at most {LABEL_LIMIT} characters")
        if label:
            cleaned[role] = label
    before = dict(project.role_labels or {})
    after = {**{k: v for k, v in before.items() if k not in labels}, **cleaned}
    if after != before:
        project.role_labels = after
        session.add(project)
        session.add(Event(project_id=project.id, user_id=by.id, kind="project.role_labels",
                          payload={"before": before, "after": after}))
        session.commit()
        session.refresh(project)
    return project
