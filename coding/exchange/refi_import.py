"""REFI-QDA import: a `.qdc` codebook or a `.qdpx` project becomes a new Peerframe project.

A source whose text the archive lacks is left out and reported (`ImportReport.missing`, with the codings that
could not be placed); the rest is imported. The file is read and checked in full first (`coding.exchange.refi_plan`);
only then is the project written, in one transaction, so a refused file, or a failure while writing, leaves
nothing behind.
"""

from dataclasses import dataclass

from sqlmodel import Session

from coding import store
from coding.exchange.refi_plan import MissingSource, Plan, Skipped, count, read_refi
from coding.limits import Limits
from coding.models import Project, User
from coding.team import accounts
from coding.text.transcripts import Transcript, detect_turns

SUFFIXES = (".qdpx", ".qdc")


def is_refi(filename: str) -> bool:
    """True for the file names this module imports (.qdpx projects, .qdc codebooks)."""
    return filename.lower().endswith(SUFFIXES)


@dataclass
class ImportReport:
    """What an import brought in, and what it could not."""

    project: Project
    codes: int
    documents: int
    participants: int
    codings: int
    consensus: int
    coders: list[str]
    notes: list[str]
    skipped: list[Skipped]
    missing: list[MissingSource]

    def as_dict(self) -> dict:
        """The report as plain data (for a job's result)."""
        return {"project_id": self.project.id, "project_name": self.project.name, "summary": self.summary(),
                "notes": list(self.notes), "missing": [str(m) for m in self.missing],
                "skipped": [str(s) for s in self.skipped]}

    def summary(self) -> str:
        """One line of counts."""
        return (f"imported {count(self.codes, 'code')}, {count(self.documents, 'document')}, "
                f"{count(self.participants, 'participant')} and {count(self.codings, 'coding')} "
                f"({count(len(self.coders), 'coder')}, {self.consensus} in the consensus layer) "
                f"into project '{self.project.name}'")


# --- writing --------------------------------------------------------------------------------------

def check_name(session: Session, *, name: str) -> None:
    """Refuse a project name that is taken (a REFI-QDA file is imported as a new project)."""
    if store.find_project(session, name=name.strip()):
        raise store.Conflict(f"a project called '{name.strip()}' already exists; a REFI-QDA file is imported "
                             "as a new project")


def save(session: Session, *, plan: Plan, name: str, user: User) -> ImportReport:
    """Write a read plan as a new project, all of it or (on any error) nothing."""
    check_name(session, name=name)
    with store.atomic(session):
        project = store.create_project(session, name=name, framework=plan.framework(), user=user,
                                       description=plan.description)
        codes = {code.key: code for code in store.project_codes(session, project_id=project.id)}
        documents = {}
        for source in plan.sources:
            transcript = Transcript(source.name, "txt", source.text, detect_turns(source.text))
            documents[source.guid] = store.import_document(session, project_id=project.id, user=user,
                                                           transcript=transcript, participant=source.participant)
        if plan.cases:
            store.set_attributes(session, project_id=project.id, user=user, rows=list(plan.cases.items()))
        people = {coder: accounts.imported_coder(session, project_id=project.id, name=coder, display_name=display)
                  for coder, display in plan.coders.items()}
        consensus = store.consensus_layer(session, project_id=project.id) if any(
            c.consensus for c in plan.codings) else None
        for planned in plan.codings:
            coding = store.add_coding(session, document=documents[planned.source], code=codes[planned.code_key],
                                      user=people.get(planned.coder or "", user), start=planned.start,
                                      end=planned.end, memo=planned.memo, origin="imported",
                                      layer=consensus if planned.consensus else None, commit=False)
            if planned.created_at:
                coding.created_at = planned.created_at
                session.add(coding)
        participants = len(store.list_participants(session, project_id=project.id))
    unknown = sum(1 for c in plan.codings if c.coder is None and not c.consensus)
    notes = plan.notes + ([f"{count(unknown, 'coding')} by no known user went into {user.name}'s layer"]
                          if unknown else [])
    return ImportReport(project=project, codes=len(codes), documents=len(documents), participants=participants,
                        codings=len(plan.codings), consensus=sum(c.consensus for c in plan.codings),
                        coders=sorted({c.coder or user.name for c in plan.codings if not c.consensus}),
                        notes=notes, skipped=plan.skipped, missing=plan.missing)


def import_refi(session: Session, *, name: str, filename: str, data: bytes, user: User,
                limits: Limits = Limits(), nvivo: bool = False) -> ImportReport:
    """Import a REFI-QDA project or codebook as the new project `name` (`nvivo`: its positions count UTF-16)."""
    return save(session, plan=read_refi(filename, data, limits, nvivo), name=name, user=user)
