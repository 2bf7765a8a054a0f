"""Cases above participants: hubs, and peer support projects in a hub or on their own, with attributes (the key
decisions a project made, from its framework's `case_attributes`, and any the team adds). A participant
belongs to one hub or project and inherits its attributes, and a project's hub's, for every count, filter and
quote tag; an attribute of the participant's own wins over an inherited one of the same name."""

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from sqlmodel import Session, col, select

from coding.codebook.frameworks import CaseAttribute, available_frameworks
from coding.models import Participant, Project, Site, User
from coding.store.base import Conflict, Invalid, NotFound, _done, _log

KINDS = {"hub": "Hub", "project": "Peer support project"}
# the attributes every participant of a case inherits, naming where they belong
HUB, PROJECT = "hub", "project"
LABEL_LIMIT = 120
ATTRIBUTE_LIMIT = 80
VALUE_LIMIT = 200
ATTRIBUTES_PER_SITE = 50


@dataclass(frozen=True)
class Case:
    """A hub or project as a page shows it: the row, its hub's label, the participants in it."""

    site: Site
    hub: Optional[str]
    participants: tuple[str, ...]


def case_attributes(session: Session, *, project_id: int) -> list[CaseAttribute]:
    """The attributes the project's framework gives peer support projects (none for a framework without)."""
    project = session.get(Project, project_id)
    framework = available_frameworks().get(project.framework_id) if project else None
    return list(framework.case_attributes) if framework else []


def list_sites(session: Session, *, project_id: int) -> list[Site]:
    """The project's hubs and peer support projects, hubs first, each kind by label."""
    return list(session.exec(select(Site).where(Site.project_id == project_id)
                             .order_by(col(Site.kind).desc(), Site.label)))


def get_site(session: Session, *, project_id: int, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.project_id != project_id:
        raise NotFound(f"no hub or peer support project {site_id} in this project")
    return site


def cases(session: Session, *, project_id: int) -> list[Case]:
    """Every hub and project with its hub's label and its participants' tags."""
    sites = list_sites(session, project_id=project_id)
    labels = {s.id: s.label for s in sites}
    members: dict[int, list[str]] = {}
    for label, site_id in session.exec(select(Participant.label, Participant.site_id).where(
            Participant.project_id == project_id, col(Participant.site_id).is_not(None)).order_by(Participant.label)):
        members.setdefault(site_id, []).append(label)
    return [Case(s, labels.get(s.hub_id) if s.hub_id else None, tuple(members.get(s.id, ()))) for s in sites]


def _clean(text: str, what: str, limit: int) -> str:
    cleaned = " ".join(str(text or "").split())
    if any(ord(ch) < 32 for ch in cleaned):
        raise Invalid(f"{what} cannot hold control characters")
    if len(cleaned) > limit:
        raise Invalid(f"{what} is {len(cleaned)} characters long; the limit is {limit}")
    return cleaned


def _attributes(before: Mapping[str, str], changes: Mapping[str, str],
                known: Sequence[CaseAttribute]) -> dict[str, str]:
    """`before` with `changes` applied (an empty value clears); a framework attribute takes one of its options."""
    options = {a.name: a.options for a in known}
    merged = dict(before)
    for key, value in changes.items():
        key = _clean(key, "An attribute name", ATTRIBUTE_LIMIT)
        value = _clean(value, f"The value of '{key}'", VALUE_LIMIT)
        if not key:
            continue
        if key in (HUB, PROJECT):
            raise Invalid(f"'{key}' is the name of the case itself; choose another attribute name")
        if value and key in options and value not in options[key]:
            raise Invalid(f"'{value}' is not a choice for {key}; the choices are {', '.join(options[key])}")
        if value:
            merged[key] = value
        else:
            merged.pop(key, None)
    if len(merged) > ATTRIBUTES_PER_SITE:
        raise Invalid(f"a hub or project can have at most {ATTRIBUTES_PER_SITE} attributes")
    return merged


def save_site(session: Session, *, project_id: int, user: User, kind: str, label: str,
              hub_id: Optional[int] = None, attributes: Optional[Mapping[str, str]] = None,
              site_id: Optional[int] = None) -> Site:
    """Add a hub or project (or change the one `site_id` names): its label, its hub (projects only) and
    attributes (an empty value clears one). Nothing is stored when any part is refused."""
    if kind not in KINDS:
        raise Invalid(f"a case is a hub or a project, not '{kind}'")
    label = _clean(label, "The name", LABEL_LIMIT)
    if not label:
        raise Invalid(f"a {KINDS[kind].lower()} needs a name")
    site = get_site(session, project_id=project_id, site_id=site_id) if site_id else None
    if site is not None and site.kind != kind:
        raise Invalid(f"'{site.label}' is a {KINDS[site.kind].lower()}; it cannot become a {KINDS[kind].lower()}")
    if hub_id is not None:
        if kind == "hub":
            raise Invalid("a hub is not inside another hub")
        hub = get_site(session, project_id=project_id, site_id=hub_id)
        if hub.kind != "hub":
            raise Invalid(f"'{hub.label}' is a project, not a hub")
    twin = session.exec(select(Site).where(Site.project_id == project_id, Site.label == label)).first()
    if twin is not None and twin is not site:
        raise Conflict(f"there is already a {KINDS[twin.kind].lower()} called '{label}' in this project")
    known = case_attributes(session, project_id=project_id) if kind == "project" else []
    before = {"label": site.label, "hub": site.hub_id, "attributes": dict(site.attributes)} if site else None
    merged = _attributes(site.attributes if site else {}, attributes or {}, known)
    if site is None:
        site = Site(project_id=project_id, kind=kind, label=label, hub_id=hub_id, attributes=merged)
    else:
        site.label, site.hub_id, site.attributes = label, hub_id, merged
    after = {"label": label, "hub": hub_id, "attributes": merged}
    if before == after:
        return site
    session.add(site)
    session.flush()
    _log(session, project_id=project_id, user=user, kind="site.saved",
         payload={"site": site.id, "kind": kind, "label": label, "before": before, "after": after})
    _done(session)
    session.refresh(site)
    return site


def remove_site(session: Session, *, project_id: int, user: User, site_id: int) -> None:
    """Remove a hub or project that nothing belongs to (its name and attributes stay in the log)."""
    site = get_site(session, project_id=project_id, site_id=site_id)
    if session.exec(select(Participant.id).where(Participant.site_id == site.id)).first() is not None:
        raise Conflict(f"participants belong to '{site.label}'; move them elsewhere first")
    if session.exec(select(Site.id).where(Site.hub_id == site.id)).first() is not None:
        raise Conflict(f"projects belong to the hub '{site.label}'; move them elsewhere first")
    _log(session, project_id=project_id, user=user, kind="site.removed",
         payload={"site": site.id, "kind": site.kind, "label": site.label, "hub": site.hub_id,
                  "attributes": dict(site.attributes)})
    session.delete(site)
    _done(session)


def place_participants(session: Session, *, project_id: int, user: User, labels: Sequence[str],
                       site_id: Optional[int]) -> list[Participant]:
    """Put participants in a hub or project (`site_id` None takes them out of one), all or none."""
    site = get_site(session, project_id=project_id, site_id=site_id) if site_id else None
    wanted = list(dict.fromkeys(label.strip() for label in labels if label.strip()))
    if not wanted:
        raise Invalid("choose at least one participant")
    people = {p.label: p for p in session.exec(select(Participant).where(
        Participant.project_id == project_id, col(Participant.label).in_(wanted)))}
    missing = [label for label in wanted if label not in people]
    if missing:
        raise NotFound(f"no participant {', '.join(missing)} in this project")
    names = {s.id: s.label for s in list_sites(session, project_id=project_id)}
    moved = []
    for label in wanted:
        person = people[label]
        if person.site_id == (site.id if site else None):
            continue
        _log(session, project_id=project_id, user=user, kind="participant.placed",
             payload={"participant": label, "before": names.get(person.site_id) if person.site_id else None,
                      "after": site.label if site else None})
        person.site_id = site.id if site else None
        session.add(person)
        moved.append(person)
    _done(session)
    return moved


def inherited(session: Session, *, project_id: int) -> dict[int, dict[str, str]]:
    """What each participant in a hub or project inherits, by participant id: the hub's and the project's
    names (as "hub" and "project") and their attributes, a project's over its hub's."""
    sites = {s.id: s for s in list_sites(session, project_id=project_id)}
    if not sites:
        return {}
    found: dict[int, dict[str, str]] = {}
    for person_id, site_id in session.exec(select(Participant.id, Participant.site_id).where(
            Participant.project_id == project_id, col(Participant.site_id).is_not(None))):
        site = sites[site_id]
        hub = sites.get(site.hub_id) if site.hub_id else (site if site.kind == "hub" else None)
        values: dict[str, str] = {}
        if hub is not None:
            values.update(hub.attributes)
            values[HUB] = hub.label
        if site.kind == "project":
            values.update(site.attributes)
            values[PROJECT] = site.label
        found[person_id] = values
    return found


def participant_attributes(session: Session, *, project_id: int,
                           people: Optional[Sequence[Participant]] = None) -> dict[int, dict[str, str]]:
    """Each participant's attributes as counts and filters read them, by id: what the hub and project give
    them, under their own (an own attribute of the same name wins)."""
    if people is None:
        people = list(session.exec(select(Participant).where(Participant.project_id == project_id)))
    given = inherited(session, project_id=project_id)
    return {p.id: {**given.get(p.id, {}), **p.attributes} for p in people}
