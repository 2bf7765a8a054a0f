"""What the project list and a project's overview page show."""

from typing import Any

from sqlmodel import Session, select

from coding import accounts, store
from coding.models import Assignment, Project, User
from coding.reports import attribute_names


def project_summaries(session: Session, *, user: User, everything: bool = False) -> list[dict[str, Any]]:
    """The projects the user belongs to (every project for the local user) with their counts."""
    projects = store.list_projects(session) if everything else accounts.member_projects(session, user=user)
    summaries = []
    for project in projects:
        counts = store.coding_counts(session, project_id=project.id)
        summaries.append({"project": project, "codings": sum(counts.values()),
                          "documents": len(store.list_documents(session, project_id=project.id))})
    return summaries


def project_overview(session: Session, *, project: Project, user: User, role: str) -> dict[str, Any]:
    """A project's documents (a coder sees those assigned to them), participants, members and assignments."""
    documents = store.list_documents(session, project_id=project.id)
    assigned: dict[int, list[str]] = {}
    names = {u.id: u.name for u in store.list_users(session)}
    for row in session.exec(select(Assignment).where(Assignment.project_id == project.id)):
        assigned.setdefault(row.document_id, []).append(names[row.user_id])
    if role == "coder":
        documents = [d for d in documents if user.name in assigned.get(d.id, [])]
    participants = store.list_participants(session, project_id=project.id)
    by_id = {p.id: p for p in participants}
    counts = store.coding_counts(session, project_id=project.id)
    members = accounts.members(session, project_id=project.id)
    return {
        "project": project,
        "documents": [{"document": d, "participant": by_id.get(d.participant_id), "codings": counts.get(d.id, 0),
                       "assigned": sorted(assigned.get(d.id, []))} for d in documents],
        "participants": participants,
        "attribute_names": attribute_names(session, project_id=project.id),
        "members": members,
        "coders": [u.name for u, r in members if accounts.at_least(r, "coder")],
        "role": role,
    }
