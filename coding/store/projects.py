"""Users and projects."""

import re
from typing import Any, Iterable, Optional

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from coding.codebook.frameworks import Framework
from coding.models import Code, Membership, Participant, Project, User
from coding.store.base import Conflict, Invalid, NotFound, _done, _log, built, clashing
from coding.store.checks import text


def ensure_user(session: Session, *, name: str, display_name: str = "") -> User:
    """The user with this name, created if there is none."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        user = User(name=name, display_name=display_name or name)
        session.add(user)
        _done(session)
        session.refresh(user)
    return user


def set_preference(session: Session, *, user: User, key: str, value: Any) -> User:
    """Remember one of the user's own settings (whether suggestions are shown, their pinned shortcuts)."""
    user.preferences = {**(user.preferences or {}), key: value}
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
    name = text(name.strip(), what="project name", limit=200)
    if not name:
        raise Invalid("a project needs a name")
    taken = f"a project called '{name}' already exists"
    if find_project(session, name=name):
        raise Conflict(taken)
    groups = None if include_groups is None else set(include_groups)
    project = Project(name=name, description=description.strip(), framework_id=framework.id,
                      framework_version=framework.version)
    session.add(project)
    with clashing(session, taken):  # another request made a project of that name a moment ago
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
    _done(session, taken)
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


TAG_PATTERN = re.compile(r"^([A-Za-z][A-Za-z-]{0,15})<n>$")


def set_tag_pattern(session: Session, *, project: Project, user: User, pattern: str) -> Project:
    """Set how transcripts that name no participant are tagged on import: a few letters then <n> ("PV<n>",
    "FG<n>"), numbered on from the highest tag of that form; "" turns it off."""
    pattern = pattern.strip()
    if pattern and not TAG_PATTERN.match(pattern):
        raise Invalid(f"'{pattern[:40]}' is not a tag pattern: write letters then <n>, such as PV<n> or FG<n>")
    if project.tag_pattern != pattern:
        _log(session, project_id=project.id, user=user, kind="project.tag_pattern",
             payload={"before": project.tag_pattern, "after": pattern})
        project.tag_pattern = pattern
        session.add(project)
        _done(session)
        session.refresh(project)
    return project


def tag_in_name(pattern: str, name: str) -> Optional[str]:
    """A tag of the pattern in a file name ("sr12 notes.docx" is SR12 for SR<n>), or None."""
    prefix = TAG_PATTERN.match(pattern).group(1)
    found = re.search(rf"(?<![A-Za-z]){re.escape(prefix)}(\d+)(?!\d)", name, re.IGNORECASE)
    return f"{prefix}{int(found.group(1))}" if found else None


def next_tag(session: Session, *, project_id: int, pattern: str) -> str:
    """The next free tag of a pattern: PV<n> after PV44 and pv7 is PV45 (PV1 when there is none)."""
    prefix = TAG_PATTERN.match(pattern).group(1)
    shape = re.compile(rf"^{re.escape(prefix)}(\d+)$", re.IGNORECASE)
    numbers = [int(found.group(1)) for label in session.exec(select(Participant.label).where(
        Participant.project_id == project_id)) if (found := shape.match(label))]
    return f"{prefix}{max(numbers, default=0) + 1}"


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.exec(select(User).order_by(User.name)))


def users_by_id(session: Session, ids: Iterable[int]) -> list[User]:
    """The users with these ids."""
    return list(session.exec(_users(), params={"ids": sorted(set(ids))}))


@built
def _users():
    return select(User).where(col(User.id).in_(bindparam("ids", expanding=True)))
