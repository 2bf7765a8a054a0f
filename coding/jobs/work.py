"""What each kind of job does, and when an operation is big enough to be one.

Each starter checks what can be refused at once (a taken name, an unknown project) before it starts, so that
such a refusal is answered at once; the job then runs the same functions a small request calls directly.
"""

import io
from dataclasses import replace
from typing import Optional, Sequence

from sqlmodel import Session

from coding import store
from coding.analysis import retrieval
from coding.exchange import downloads, batch_import, refi_import
from coding.exchange.refi_plan import check_upload
from coding.jobs.runner import Runner, Thresholds
from coding.limits import Limits
from coding.models import Document, Job, User
from coding.team.visibility import Scope

TRANSCRIPTS, REFI_IMPORT, REPORT = "transcripts", "refi-import", "report"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def big_upload(sizes: Sequence[int], thresholds: Thresholds) -> bool:
    """True for an upload (one file or a batch) that should run as a job."""
    return len(sizes) > thresholds.files or sum(sizes) > thresholds.upload_bytes


def import_transcripts(runner: Runner, session: Session, *, project_id: int, user: User,
                       files: list[tuple[str, bytes]], participant: str = "", limits: Limits = Limits(),
                       refused: Sequence[tuple[str, str]] = ()) -> Job:
    """Import a batch of transcripts as a job; its result lists each file's document or refusal (`refused`:
    files already refused while they were received, with the reason)."""
    user_id = user.id

    def work(db: Session, progress, _save) -> dict:
        results = [batch_import.ImportResult(name, error=reason) for name, reason in refused]
        results += batch_import.import_many(db, project_id=project_id, user=db.get(User, user_id), files=files,
                                            participant=participant, limits=limits, progress=progress)
        stored = sum(r.document is not None for r in results)
        return {"message": f"{stored} of {len(results)} files imported", "project_id": project_id,
                "results": [{"name": r.name, "document_id": r.document.id if r.document else None, "error": r.error}
                            for r in results]}
    return runner.start(session, user=user, kind=TRANSCRIPTS, work=work, project_id=project_id,
                        message=f"{len(files) + len(refused)} files waiting to be read")


def import_document(runner: Runner, session: Session, *, project_id: int, user: User, name: str, data: bytes,
                    participant: Optional[str] = None, attributes: Optional[dict[str, str]] = None,
                    limits: Limits = Limits()) -> Job:
    """Import one big transcript as a job; a refused file fails the job with the reason and stores nothing."""
    user_id = user.id

    def work(db: Session, progress, _save) -> dict:
        progress(0.1, f"reading {name}")
        document = batch_import.import_one(db, project_id=project_id, user=db.get(User, user_id), name=name, data=data,
                                           participant=participant, attributes=attributes, limits=limits)
        return {"message": f"{name} imported", "project_id": project_id, "document_id": document.id,
                "results": [{"name": name, "document_id": document.id, "error": None}]}
    return runner.start(session, user=user, kind=TRANSCRIPTS, work=work, project_id=project_id,
                        message=f"{name} waiting to be read")


def import_results(session: Session, job: Job) -> list[batch_import.ImportResult]:
    """A finished transcripts job's results, with the documents that are still there."""
    found = []
    for row in job.result.get("results", []):
        document = session.get(Document, row["document_id"]) if row.get("document_id") else None
        found.append(batch_import.ImportResult(row["name"], document=document, error=row.get("error")))
    return found


def import_refi_file(runner: Runner, session: Session, *, name: str, filename: str, data: bytes, user: User,
                     limits: Limits = Limits(), nvivo: bool = False) -> Job:
    """Import a REFI-QDA file as a new project, as a job; its result is the import report."""
    refi_import.check_name(session, name=name)
    check_upload(filename, data, limits)
    user_id = user.id

    def work(db: Session, progress, _save) -> dict:
        progress(0.1, f"reading {filename}")
        plan = refi_import.read_refi(filename, data, limits, nvivo)
        progress(0.5, f"writing {refi_import.count(len(plan.sources), 'document')} and "
                      f"{refi_import.count(len(plan.codings), 'coding')}")
        report = refi_import.save(db, plan=plan, name=name, user=db.get(User, user_id))
        return {"message": report.summary(), **report.as_dict()}
    return runner.start(session, user=user, kind=REFI_IMPORT, work=work, message=f"{filename} waiting to be read")


def quote_count(session: Session, *, project_id: int, wanted: retrieval.QuoteFilter, scope: Scope) -> int:
    """How many quotes a report would hold."""
    return len(retrieval.find_quotes(session, project_id=project_id, wanted=wanted, scope=scope))


def quote_report(runner: Runner, session: Session, *, project_id: int, user: User, wanted: retrieval.QuoteFilter,
                 scope: Scope, options: downloads.ReportOptions, template: Optional[bytes] = None,
                 template_name: str = "the template", filename: str = "report.docx") -> Job:
    """Build the Word quote report as a job; its result is the file, downloaded once."""
    def work(db: Session, progress, save) -> dict:
        progress(0.1, "gathering the quotes")
        project = store.get_project(db, project_id=project_id)
        chosen = replace(options, template=io.BytesIO(template) if template else None)
        data = downloads.report_docx(db, project=project, wanted=wanted, scope=scope, options=chosen,
                                     template_name=template_name)
        return {"message": f"{filename} is ready", **save(data, filename, DOCX)}
    return runner.start(session, user=user, kind=REPORT, work=work, project_id=project_id,
                        message="the report is waiting to be built")
