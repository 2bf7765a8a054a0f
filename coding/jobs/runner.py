"""Jobs: a `Job` row that any worker can answer a poll from, the work in a background thread of the worker that
accepted it (no broker), result files in a private folder beside the database, served once to the job's owner.

Work is a function `work(session, progress, save_file) -> result`: it reports `progress(fraction, message)` only
between its transactions, keeps the all-or-nothing rules of what it calls, and returns a JSON-able result. A
refusal it raises (ImportRefused, store.Conflict, ...) fails the job with that message; anything else fails it
with a plain one, and is logged. A worker that dies leaves its jobs' heartbeat to go stale; `recover` (run when
a worker starts, and on every poll) marks them failed.
"""

import logging
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional

from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from coding import store
from coding.db import session_for
from coding.limits import ImportRefused, LimitExceeded
from coding.models import Job, User, utcnow

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=10)  # how often a running job says it is alive
STALE = timedelta(seconds=90)  # a running job silent this long belonged to a worker that stopped
KEEP = timedelta(days=1)  # result files not fetched within this are deleted
RESTARTED = ("the server restarted (or its worker stopped) while this ran, so it did not finish; nothing "
             "half-done was kept; start it again")
REFUSALS = (ImportRefused, LimitExceeded, store.Conflict, store.Invalid, store.NotFound)

Progress = Callable[[float, str], None]
SaveFile = Callable[[bytes, str, str], dict[str, Any]]
Work = Callable[[Session, Progress, SaveFile], dict[str, Any]]


@dataclass(frozen=True)
class Thresholds:
    """When an operation is big enough to run as a job."""

    upload_bytes: int = 5 * 1024 * 1024  # an upload (one file, or a batch together) over this
    files: int = 20  # a batch of more files than this
    report_quotes: int = 2000  # a report of more quotes than this


def result_folder_for(database_url: str, data_folder: Path) -> Path:
    """Where job result files live: beside an SQLite file, else in the data folder (in memory: a temp folder)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return Path(tempfile.gettempdir()) / f"peerframe-jobs-{secrets.token_hex(8)}"
        database = Path(url.database)
        return database.with_name(database.name + ".job-results")
    return data_folder / "job-results"


def _update(engine: Engine, job_id: str, **values: Any) -> None:
    with session_for(engine) as session:
        session.execute(update(Job).where(col(Job.id) == job_id).values(**values))
        session.commit()


@dataclass
class Runner:
    """Starts jobs on this worker; `background=False` runs them before answering (one in-memory database)."""

    engine: Engine
    folder: Path
    background: bool = True
    threads: dict[str, threading.Thread] = field(default_factory=dict)

    def start(self, session: Session, *, user: User, kind: str, work: Work, project_id: Optional[int] = None,
              message: str = "waiting to start") -> Job:
        """Record a queued job and start its work; returns the job as recorded."""
        job = Job(id=secrets.token_urlsafe(18), project_id=project_id, user_id=user.id, kind=kind, message=message)
        session.add(job)
        session.commit()
        if self.background:
            thread = threading.Thread(target=self._run, args=(job.id, kind, work), name=f"peerframe-job-{kind}",
                                      daemon=True)
            self.threads[job.id] = thread
            thread.start()
        else:
            self._run(job.id, kind, work)
            session.refresh(job)
        return job

    def wait(self, job_id: str, timeout: float = 60) -> None:
        """Wait for a job started here to end (for tests and the command line)."""
        thread = self.threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, job_id: str, kind: str, work: Work) -> None:
        _update(self.engine, job_id, status="running", message="started", heartbeat_at=utcnow())
        alive = threading.Event()
        if self.background:
            threading.Thread(target=self._beat, args=(job_id, alive), daemon=True).start()
        try:
            with session_for(self.engine) as session:
                result = work(session, lambda fraction, message: self._progress(job_id, fraction, message),
                              lambda data, filename, media_type: self._save(job_id, data, filename, media_type))
        except REFUSALS as refused:
            self._end(job_id, "failed", str(refused), {})
        except Exception:  # a bug must end the job plainly, never leave it running
            log.exception("job %s (%s) failed", job_id, kind)
            self._end(job_id, "failed", "this could not be finished because of an error in Peerframe; nothing "
                                        "half-done was kept", {})
        else:
            self._end(job_id, "done", result.pop("message", "done"), result)
        finally:
            alive.set()
            self.threads.pop(job_id, None)

    def _beat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            try:
                _update(self.engine, job_id, heartbeat_at=utcnow())
            except Exception:  # a missed beat only makes the job look older
                log.warning("could not record that job %s is alive", job_id, exc_info=True)

    def _progress(self, job_id: str, fraction: float, message: str) -> None:
        _update(self.engine, job_id, progress=max(0.0, min(1.0, fraction)), message=message, heartbeat_at=utcnow())

    def _end(self, job_id: str, status: str, message: str, result: dict[str, Any]) -> None:
        _update(self.engine, job_id, status=status, message=message, result=result, finished_at=utcnow(),
                progress=1.0 if status == "done" else Job.progress)

    def _save(self, job_id: str, data: bytes, filename: str, media_type: str) -> dict[str, Any]:
        """Keep a result file (owner-only) and return the reference to put in the job's result."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{job_id}.{secrets.token_hex(8)}"
        descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        return {"file": name, "filename": filename, "media_type": media_type}

    def sweep(self) -> None:
        """Delete result files nobody fetched in time."""
        if not self.folder.is_dir():
            return
        too_old = (utcnow() - KEEP).timestamp()
        for path in self.folder.iterdir():
            if path.is_file() and path.stat().st_mtime < too_old:
                path.unlink(missing_ok=True)


def withdraw_results(session: Session, *, project_id: int, why: str) -> list[str]:
    """Take back the result files of a project's jobs (a transcript or the project is being erased): the jobs
    say `why`, and the names of the files to delete once the change is committed are returned."""
    files = []
    for job in session.exec(select(Job).where(Job.project_id == project_id)):
        if job.result.get("file"):
            files.append(job.result["file"])
            job.result = {k: v for k, v in job.result.items() if k != "file"}
            job.message = why
            session.add(job)
    return files


def delete_results(folder: Optional[Path], files: list[str]) -> None:
    """Delete withdrawn result files (names only, inside the results folder)."""
    for name in files:
        if folder is not None and name and "/" not in name and not name.startswith("."):
            (folder / name).unlink(missing_ok=True)


def recover(session: Session, *, now: Optional[datetime] = None) -> int:
    """Mark failed the queued or running jobs whose worker stopped (silent for STALE); returns how many."""
    now = now or utcnow()
    ended = session.execute(update(Job).where(col(Job.status).in_(("queued", "running")),
                                              col(Job.heartbeat_at) < now - STALE)
                            .values(status="failed", message=RESTARTED, finished_at=now))
    session.commit()
    return ended.rowcount or 0


def get_job(session: Session, *, job_id: str, user: User) -> Job:
    """The caller's own job (anyone else's is NotFound, as if it did not exist), its staleness settled."""
    job = session.exec(select(Job).where(Job.id == job_id, Job.user_id == user.id)).first()
    if job is None:
        raise store.NotFound("there is no such job")
    heartbeat = job.heartbeat_at if job.heartbeat_at.tzinfo else job.heartbeat_at.replace(tzinfo=timezone.utc)
    if job.status in ("queued", "running") and heartbeat < utcnow() - STALE:
        recover(session)
        session.refresh(job)
    return job


def take_result(session: Session, *, job_id: str, user: User, folder: Path) -> tuple[bytes, str, str]:
    """The job's result file (data, file name, media type), once: it is deleted as it is handed over."""
    job = get_job(session, job_id=job_id, user=user)
    name = job.result.get("file") if job.status == "done" else None
    if not name:
        raise store.NotFound("this job has no file to download" if job.status == "done"
                             else f"this job is {job.status}; it has no result yet")
    path, taken = folder / name, folder / f"{name}.taken.{secrets.token_hex(4)}"
    try:
        os.rename(path, taken)  # atomic: of two requests at once, one gets the file
    except FileNotFoundError:
        raise store.NotFound("this result was already downloaded (it is handed over once); run it again") from None
    try:
        data = taken.read_bytes()
    finally:
        taken.unlink(missing_ok=True)
    return data, job.result.get("filename", "result"), job.result.get("media_type", "application/octet-stream")
