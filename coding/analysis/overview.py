"""What the project list and a project's overview page show."""

from typing import Any

from sqlmodel import Session, select

from coding import store
from coding.analysis.retrieval import attribute_names
from coding.models import Assignment, Project, User
from coding.team import accounts, journal, progress, visibility


def project_summaries(session: Session, *, user: User, everything: bool = False) -> list[dict[str, Any]]:
    """The projects the user belongs to (every project for the local user) with the counts they may see."""
    projects = store.list_projects(session) if everything else accounts.member_projects(session, user=user)
    summaries = []
    for project in projects:
        role = "lead" if everything else accounts.role_in(session, project_id=project.id, user=user)
        scope = visibility.scope_for(session, project=project, user=user, role=role)
        counts = visibility.coding_counts(session, project_id=project.id, scope=scope)
        documents = scope.documents_of(store.document_summaries(session, project_id=project.id))
        summaries.append({"project": project, "codings": sum(counts.values()), "documents": len(documents)})
    return summaries


def project_overview(session: Session, *, project: Project, user: User, role: str,
                     alone: bool = False) -> dict[str, Any]:
    """A project's documents, participants and coding counts as the user may see them (a coder: their
    transcripts; blind, their own codings and status), coders' statuses, members and assignments (`alone`:
    single-user mode, the user's own status only)."""
    scope = visibility.scope_for(session, project=project, user=user, role=role)
    documents = scope.documents_of(store.document_summaries(session, project_id=project.id))
    assigned: dict[int, list[str]] = {}
    if role == "lead":
        names = {u.id: u.name for u in store.list_users(session)}
        for row in session.exec(select(Assignment).where(Assignment.project_id == project.id)):
            assigned.setdefault(row.document_id, []).append(names[row.user_id])
    participants = visibility.participants(session, project_id=project.id, scope=scope)
    by_id = {p.id: p for p in participants}
    counts = visibility.coding_counts(session, project_id=project.id, scope=scope)
    members = accounts.members(session, project_id=project.id) if role == "lead" else []
    statuses = progress.statuses(session, document_ids=[d.id for d in documents], scope=scope, user=user, alone=alone)
    return {
        "project": project,
        "documents": [{"document": d, "participant": by_id.get(d.participant_id), "codings": counts.get(d.id, 0),
                       "assigned": sorted(assigned.get(d.id, [])), "statuses": statuses[d.id]} for d in documents],
        "progress": progress.overall(statuses),
        "participants": participants,
        # with what each inherits from their hub and project
        "participant_attributes": store.participant_attributes(session, project_id=project.id, people=participants),
        # the milestones the lead asks this researcher to reflect on, not answered yet
        "journal_due": journal.due(session, project_id=project.id, user=user) if accounts.at_least(role, "coder") else [],
        "journal_names": journal.MILESTONES,
        "attribute_names": attribute_names(session, project_id=project.id),
        "members": members,
        "coders": [u.name for u, r in members if accounts.at_least(r, "coder")],
        "role": role,
    }
