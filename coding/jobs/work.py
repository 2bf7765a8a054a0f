"""What each kind of job does, and when an operation is big enough to be one.

Each starter checks what can be refused at once (a taken name, an unknown project) before it starts, so that
such a refusal is answered at once; the job then runs the same functions a small request calls directly.
"""

import io
from dataclasses import asdict
from typing import Optional, Sequence

from sqlmodel import Session, col, select

from coding import store
from coding.analysis import retrieval
from coding.exchange import downloads, batch_import, refi_import
from coding.exchange.refi_plan import check_upload
from coding.jobs.runner import ACTIVE, Inputs, Runner, Thresholds, kind
from coding.limits import Limits
from coding.models import Document, Job, Project, User
from coding.suggest import cache, encoder, review, semantic
from coding.team import accounts, agreement_cache, visibility
from coding.team.visibility import Scope

TRANSCRIPTS, REFI_IMPORT, REPORT, ENCODE, AGREEMENT = "transcripts", "refi-import", "report", "encode", "agreement"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STOPPED_IMPORT = ("the server restarted (or its worker stopped) while this ran, so it did not finish; each file it "
                  "had read is in the project whole, the others are not there; import those again")


def big_upload(sizes: Sequence[int], thresholds: Thresholds) -> bool:
    """True for an upload (one file or a batch) that should run as a job."""
    return len(sizes) > thresholds.files or sum(sizes) > thresholds.upload_bytes


def _member(db: Session, job: Job, needed: str) -> tuple[User, Project, str]:
    """The job's user, project and role as the job runs: one who has since left the project, or lost the role
    the job needs, is refused (as the request would be now)."""
    user, project = db.get(User, job.user_id), db.get(Project, job.project_id)
    if user is None or project is None:
        raise store.NotFound("the project or the person who started this is no longer there; nothing was done")
    role = accounts.acting_role(db, project_id=project.id, user=user, local=bool(job.params.get("local")))
    if not accounts.at_least(role, needed):
        raise store.NotYours(f"you are no longer a {needed} in '{project.name}', so this was not done")
    return user, project, role


def import_transcripts(runner: Runner, session: Session, *, project_id: int, user: User,
                       files: list[tuple[str, bytes]], participant: str = "", limits: Limits = Limits(),
                       refused: Sequence[tuple[str, str]] = (), local: bool = False) -> Job:
    """Import a batch of transcripts as a job; its result lists each file's document or refusal (`refused`:
    files already refused while they were received, with the reason; `local`: the single user, lead of all)."""
    return runner.start(session, user=user, kind=TRANSCRIPTS, project_id=project_id, inputs=files,
                        params={"participant": participant, "limits": asdict(limits), "local": local,
                                "refused": [list(pair) for pair in refused]},
                        message=f"{len(files) + len(refused)} files waiting to be read")


def import_document(runner: Runner, session: Session, *, project_id: int, user: User, name: str, data: bytes,
                    participant: Optional[str] = None, attributes: Optional[dict[str, str]] = None,
                    limits: Limits = Limits(), local: bool = False) -> Job:
    """Import one big transcript as a job; a refused file fails the job with the reason and stores nothing."""
    return runner.start(session, user=user, kind=TRANSCRIPTS, project_id=project_id, inputs=[(name, data)],
                        params={"single": True, "participant": participant, "attributes": attributes,
                                "limits": asdict(limits), "local": local},
                        message=f"{name} waiting to be read")


@kind(TRANSCRIPTS, stopped=STOPPED_IMPORT)
def _transcripts(db: Session, job: Job, files: Inputs, progress, _save) -> dict:
    user, project, _ = _member(db, job, "coder")
    params, limits = job.params, Limits(**job.params["limits"])
    if params.get("single"):
        name, data = files[0]
        progress(0.1, f"reading {name}")
        document = batch_import.import_one(db, project_id=project.id, user=user, name=name, data=data,
                                           participant=params.get("participant"), attributes=params.get("attributes"),
                                           limits=limits)
        return {"message": f"{name} imported", "project_id": project.id, "document_id": document.id,
                "results": [{"name": name, "document_id": document.id, "error": None}]}
    results = [batch_import.ImportResult(name, error=reason) for name, reason in params.get("refused", [])]
    results += batch_import.import_many(db, project_id=project.id, user=user, files=files,
                                        participant=params.get("participant", ""), limits=limits, progress=progress)
    stored = sum(r.document is not None for r in results)
    return {"message": f"{stored} of {len(results)} files imported", "project_id": project.id,
            "results": [{"name": r.name, "document_id": r.document.id if r.document else None, "error": r.error}
                        for r in results]}


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
    return runner.start(session, user=user, kind=REFI_IMPORT, inputs=[(filename, data)],
                        params={"name": name, "limits": asdict(limits), "nvivo": nvivo},
                        message=f"{filename} waiting to be read")


@kind(REFI_IMPORT)
def _refi_import(db: Session, job: Job, files: Inputs, progress, _save) -> dict:
    (filename, data), = files
    progress(0.1, f"reading {filename}")
    plan = refi_import.read_refi(filename, data, Limits(**job.params["limits"]), job.params["nvivo"])
    progress(0.5, f"writing {refi_import.count(len(plan.sources), 'document')} and "
                  f"{refi_import.count(len(plan.codings), 'coding')}")
    user = db.get(User, job.user_id)
    if user is None:
        raise store.NotFound("the person who started this is no longer there; nothing was imported")
    report = refi_import.save(db, plan=plan, name=job.params["name"], user=user)
    return {"message": report.summary(), **report.as_dict()}


def quote_count(session: Session, *, project_id: int, wanted: retrieval.QuoteFilter, scope: Scope) -> int:
    """How many quotes a report would hold."""
    return len(retrieval.find_quotes(session, project_id=project_id, wanted=wanted, scope=scope))


def quote_report(runner: Runner, session: Session, *, project_id: int, user: User, wanted: retrieval.QuoteFilter,
                 options: downloads.ReportOptions, template: Optional[bytes] = None,
                 template_name: str = "the template", filename: str = "report.docx", local: bool = False) -> Job:
    """Build the Word quote report as a job; its result is the file, downloaded once. What the reader may see
    is worked out again as it runs, so a report started before a change of role shows only what is allowed."""
    return runner.start(session, user=user, kind=REPORT, project_id=project_id,
                        inputs=[(template_name, template)] if template else [],
                        params={"wanted": asdict(wanted), "template_name": template_name, "filename": filename,
                                "local": local, "options": {"tag_attributes": list(options.tag_attributes),
                                                            "show_coder": options.show_coder,
                                                            "show_document": options.show_document,
                                                            "extra": options.extra,
                                                            "include_flagged": options.include_flagged}},
                        message="the report is waiting to be built")


@kind(REPORT, again=True)
def _report(db: Session, job: Job, files: Inputs, progress, save) -> dict:
    user, project, role = _member(db, job, "viewer")
    progress(0.1, "gathering the quotes")
    scope = visibility.scope_for(db, project=project, user=user, role=role)
    wanted = retrieval.narrowed(retrieval.QuoteFilter(**job.params["wanted"]), scope)
    options = downloads.ReportOptions(**job.params["options"], template=io.BytesIO(files[0][1]) if files else None)
    data = downloads.report_docx(db, project=project, wanted=wanted, scope=scope, options=options,
                                 template_name=job.params["template_name"])
    filename = job.params["filename"]
    return {"message": f"{filename} is ready", **save(data, filename, DOCX)}


def _active(session: Session, *, kind: str, project_id: int, **params) -> Optional[Job]:
    """A job of this kind and project, waiting or running, whose parameters include these; None when none is."""
    for job in session.exec(select(Job).where(Job.kind == kind, Job.project_id == project_id,
                                              col(Job.status).in_(ACTIVE))):
        if all(job.params.get(name) == value for name, value in params.items()):
            return job
    return None


def encode(runner: Runner, session: Session, *, document: Document, user: User, local: bool = False) -> Optional[Job]:
    """Have the sentence encoder read a transcript (and its project's codebook) in the background, unless it has
    or a job for it is already waiting or running; None when nothing was started."""
    if not review.encoder_reading(session, document=document):
        return None
    if _active(session, kind=ENCODE, project_id=document.project_id, document_id=document.id):
        return None
    return runner.start(session, user=user, kind=ENCODE, project_id=document.project_id,
                        params={"document_id": document.id, "local": local},
                        message=f"reading the sentences of {document.name} for suggestions")


@kind(ENCODE, again=True)
def _encode(db: Session, job: Job, files: Inputs, progress, _save) -> dict:
    _, project, _ = _member(db, job, "viewer")
    document = db.get(Document, job.params["document_id"])
    if document is None or document.project_id != project.id:
        raise store.NotFound("the transcript is no longer there; nothing was done")
    progress(0.02, "loading the sentence encoder")
    model = encoder.load()
    evidence, printed = review.codebook_fingerprint(db, project_id=project.id)
    semantic.encode_codebook(db, project_id=project.id, evidence=evidence, fingerprint=printed, model=model)
    _, encoded = semantic.state(db, document=document, fingerprint=printed)
    count = 0 if encoded else semantic.encode_document(db, document=document, block=cache.BLOCK, model=model,
                                                       progress=progress)
    return {"message": f"{count} sentences of {document.name} read for suggestions", "document_id": document.id}


def agreement(runner: Runner, session: Session, *, project_id: int, user: User, unit: str,
              local: bool = False) -> Job:
    """Have the project's agreement figures for `unit` worked out and kept in the background; a job already
    waiting or running for them is returned instead of starting another."""
    waiting = _active(session, kind=AGREEMENT, project_id=project_id, unit=unit)
    return waiting or runner.start(session, user=user, kind=AGREEMENT, project_id=project_id,
                                   params={"unit": unit, "local": local}, message="waiting to work out agreement")


@kind(AGREEMENT, again=True)
def _agreement(db: Session, job: Job, files: Inputs, progress, _save) -> dict:
    _, project, _ = _member(db, job, "lead")
    report = agreement_cache.work_out(db, project_id=project.id, unit=job.params["unit"], progress=progress)
    return {"message": f"agreement between {len(report.coders)} coders worked out", "unit": job.params["unit"]}
