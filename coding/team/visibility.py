"""What one reader may see of a project: which transcripts, and on each which coders' layers.

Every page, count and export that reads codings goes through a `Scope`, so that a coder never learns of a
transcript not assigned to them nor, in a blind project, of another coder's work on an unrevealed one.
"""

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from coding.models import Coding, Document, Layer, Participant, Project, User
from coding import store
from coding.team import accounts


@dataclass(frozen=True)
class Scope:
    """A reader's view of one project: `documents` None means every transcript; `own` None means every
    layer, otherwise only these layers except on the `revealed` transcripts."""

    documents: Optional[frozenset[int]] = None
    own: Optional[frozenset[int]] = None
    revealed: frozenset[int] = frozenset()
    user_id: Optional[int] = None

    @property
    def blind(self) -> bool:
        """True when the reader sees only their own layer (on transcripts not revealed)."""
        return self.own is not None

    def sees_document(self, document_id: int) -> bool:
        """True when the reader may know of this transcript."""
        return self.documents is None or document_id in self.documents

    def sees_layer(self, document_id: int, layer_id: int) -> bool:
        """True when the reader may see this layer's codings on this transcript."""
        return self.sees_document(document_id) and (
            self.own is None or layer_id in self.own or document_id in self.revealed)

    def sees(self, coding: Coding) -> bool:
        """True when the reader may see this coding."""
        return self.sees_layer(coding.document_id, coding.layer_id)

    def documents_of(self, documents: Iterable[Document]) -> list[Document]:
        """The transcripts of `documents` the reader may know of."""
        return [d for d in documents if self.sees_document(d.id)]


EVERYTHING = Scope()


def scope_for(session: Session, *, project: Project, user: User, role: str) -> Scope:
    """The scope of a project member: leads and viewers see everything; coders see the transcripts assigned
    to them and, in a blind project, only their own layer until the lead reveals a transcript."""
    if role != "coder":
        return EVERYTHING
    documents = frozenset(accounts.assigned_documents(session, project_id=project.id, user=user))
    if not project.blind:
        return Scope(documents=documents, user_id=user.id)
    own = session.exec(select(Layer.id).where(Layer.project_id == project.id, Layer.kind == "coder",
                                              Layer.user_id == user.id)).all()
    revealed = session.exec(select(Document.id).where(Document.project_id == project.id,
                                                      col(Document.revealed).is_(True))).all()
    return Scope(documents=documents, own=frozenset(own), revealed=frozenset(revealed) & documents, user_id=user.id)


def coding_counts(session: Session, *, project_id: int, scope: Scope) -> dict[int, int]:
    """How many live codings the reader may see on each transcript (transcripts without any are absent)."""
    query = (select(Coding.document_id, Coding.layer_id, func.count())
             .join(Document, col(Document.id) == Coding.document_id).where(Document.project_id == project_id, col(Coding.removed).is_(False))
             .group_by(Coding.document_id, Coding.layer_id))
    counts: dict[int, int] = {}
    for document_id, layer_id, count in session.exec(query):
        if scope.sees_layer(document_id, layer_id):
            counts[document_id] = counts.get(document_id, 0) + count
    return counts


def tallies(session: Session, *, project_id: int) -> list[tuple[int, int, int, int]]:
    """(document id, layer id, code id, live codings) across the project, whoever may see them: one grouped
    query that `code_counts` and `layer_tallies` read."""
    return [tuple(row) for row in store.records(session, _code_counts(), project_id=project_id)]


def layer_tallies(rows: Sequence[tuple[int, int, int, int]], *, document_id: int,
                  layers: Optional[set[int]] = None) -> dict[int, int]:
    """From `tallies`, how many live codings each layer has on a document (only `layers`, when given): what
    store.layer_counts counts."""
    counts: dict[int, int] = {}
    for document, layer, _, count in rows:
        if document == document_id and (layers is None or layer in layers):
            counts[layer] = counts.get(layer, 0) + count
    return counts


def code_counts(session: Session, *, project_id: int, scope: Scope, document_id: Optional[int] = None,
                shown: Optional[set[int]] = None,
                rows: Optional[Sequence[tuple[int, int, int, int]]] = None) -> dict[int, tuple[int, int]]:
    """Per code id, how many live codings the reader may see: (on this transcript, in the whole project). On the
    transcript only the layers `shown` on screen count (None: every layer the reader may see); one grouped query
    (none, when the caller has its `tallies` as `rows`)."""
    counts: dict[int, tuple[int, int]] = {}
    for document, layer, code, count in rows if rows is not None else tallies(session, project_id=project_id):
        if not scope.sees_layer(document, layer):
            continue
        here = count if document == document_id and (shown is None or layer in shown) else 0
        was = counts.get(code, (0, 0))
        counts[code] = (was[0] + here, was[1] + count)
    return counts


@store.built
def _code_counts():
    return (select(Coding.document_id, Coding.layer_id, Coding.code_id, func.count())
            .join(Document, col(Document.id) == Coding.document_id)
            .where(Document.project_id == bindparam("project_id"), col(Coding.removed).is_(False))
            .group_by(Coding.document_id, Coding.layer_id, Coding.code_id))


def participants(session: Session, *, project_id: int, scope: Scope) -> list[Participant]:
    """The project's participants the reader may know of: for a coder, those of their transcripts."""
    everyone = list(session.exec(select(Participant).where(Participant.project_id == project_id)
                                 .order_by(Participant.label)))
    if scope.documents is None:
        return everyone
    theirs = set(session.exec(select(Document.participant_id).where(
        Document.project_id == project_id, col(Document.id).in_(scope.documents or {-1}))))
    return [p for p in everyone if p.id in theirs]
