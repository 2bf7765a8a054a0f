"""What the project list and a project's overview page show."""

from collections import Counter
from typing import Any

from sqlmodel import Session

from coding import store
from coding.models import Project
from coding.reports import attribute_names


def project_summaries(session: Session) -> list[dict[str, Any]]:
    """Each project with its document and coding counts."""
    return [
        {"project": project,
         "documents": len(store.list_documents(session, project_id=project.id)),
         "codings": len(store.project_codings(session, project_id=project.id))}
        for project in store.list_projects(session)
    ]


def project_overview(session: Session, *, project: Project) -> dict[str, Any]:
    """A project's documents, participants and attribute names."""
    documents = store.list_documents(session, project_id=project.id)
    participants = store.list_participants(session, project_id=project.id)
    by_id = {p.id: p for p in participants}
    counts = Counter(c.document_id for c in store.project_codings(session, project_id=project.id))
    return {
        "project": project,
        "documents": [{"document": d, "participant": by_id.get(d.participant_id), "codings": counts[d.id]}
                      for d in documents],
        "participants": participants,
        "attribute_names": attribute_names(session, project_id=project.id),
    }
