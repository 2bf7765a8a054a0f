"""Jobs: queued in the database (a `Job` row, its parameters, its files as `JobInput` rows), claimed by any worker
process (`FOR UPDATE SKIP LOCKED` on PostgreSQL; a guarded update on SQLite), so that several app servers and
workers share one queue and a queued job survives a restart. Any app server answers a poll from the row; result
files wait in a private folder beside the database, served once to the job's owner.

A kind of job is a function `run(session, job, inputs, progress, save_file) -> result`, registered with `kind`.
It reports `progress(fraction, message)` only between its transactions, keeps the all-or-nothing rules of what it
calls, and returns a JSON-able result. A refusal it raises (ImportRefused, store.Conflict, ...) fails the job with
that message; anything else fails it with a plain one, and is logged. A worker that dies leaves its job's
heartbeat to go stale; `recover` (run by every worker as it polls, and on a poll of that job) queues the job again
when its kind is safe to run twice (it writes nothing), and otherwise marks it failed with the kind's message.
"""

import logging
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from coding import store
from coding.db import session_for
from coding.limits import ImportRefused, LimitExceeded
from coding.jobs.sizes import Thresholds, result_folder_for  # noqa: F401  (part of this module's interface)
from coding.models import Job, JobInput, User, utcnow

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=10)  # how often a running job says it is alive
STALE = timedelta(seconds=90)  # a running job silent this long belonged to a worker that stopped
KEEP = timedelta(days=1)  # result files not fetched within this are deleted
ATTEMPTS = 3  # a job safe to run again is claimed at most this often
POLL = 0.5  # seconds between a worker's looks at an empty queue
RESTARTED = ("the server restarted (or its worker stopped) while this ran, so it did not finish; nothing "
             "half-done was kept; start it again")
GAVE_UP = f"its worker stopped {ATTEMPTS} times while building this; nothing was kept; start it again"
REFUSALS = (ImportRefused, LimitExceeded, store.Conflict, store.Invalid, store.NotFound, store.NotYours)
ACTIVE = ("queued", "running")

Progress = Callable[[float, str], None]
SaveFile = Callable[[bytes, str, str], dict[str, Any]]
Inputs = list[tuple[str, bytes]]
Run = Callable[[Session, Job, Inputs, Progress, SaveFile], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """What a kind of job does, and what becomes of it when its worker dies mid-run."""

    run: Run
    again: bool = False  # safe to run again from the start (it writes nothing but its result file)
    stopped: str = RESTARTED  # the message when it is not run again


KINDS: dict[str, Kind] = {}


def kinds() -> dict[str, Kind]:
    """Every kind of job, registered by `coding.jobs.work` (imported here, on first need, as it imports most of
    Peerframe)."""
    from coding.jobs import work  # noqa: F401

    return KINDS


def kind(name: str, *, again: bool = False, stopped: str = RESTARTED) -> Callable[[Run], Run]:
    """Register `run` as the work of jobs of this kind."""
    def register(run: Run) -> Run:
        KINDS[name] = Kind(run, again, stopped)
        return run
    return register


def worker_name() -> str:
    """This process as a job's `worker` says it: host and process id."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def enqueue(session: Session, *, user: User, kind: str, params: dict[str, Any],
            inputs: Sequence[tuple[str, bytes]] = (), project_id: Optional[int] = None,
            message: str = "waiting to start") -> Job:
    """Record a queued job with its files, in one transaction; returns the job as recorded."""
    if kind not in kinds():
        raise ValueError(f"no kind of job is called {kind!r}")
    job = Job(id=secrets.token_urlsafe(18), project_id=project_id, user_id=user.id, kind=kind, message=message,
              params=params)
    session.add(job)
    session.flush()
    session.add_all(JobInput(job_id=job.id, position=n, name=name, data=data) for n, (name, data) in enumerate(inputs))
    session.commit()
    return job


def claim(engine: Engine, worker: str, job_id: Optional[str] = None) -> Optional[str]:
    """Take the oldest queued job (or this one) for `worker`; None when there is none to take. Of two workers
    after the same job, exactly one gets it: PostgreSQL skips a row another has locked, and on either database
    the update only takes a job that is still queued."""
    with session_for(engine) as session:
        query = select(Job.id).where(col(Job.status) == "queued")
        query = query.where(col(Job.id) == job_id) if job_id else query.order_by(col(Job.created_at), col(Job.id))
        found = session.execute(query.limit(1).with_for_update(skip_locked=True)).first()
        if found is None:
            return None
        taken = session.execute(update(Job).where(col(Job.id) == found[0], col(Job.status) == "queued")
                                .values(status="running", worker=worker, attempts=Job.attempts + 1, message="started",
                                        heartbeat_at=utcnow()))
        session.commit()
        return found[0] if taken.rowcount else None


@dataclass
class Executor:
    """Runs claimed jobs on this worker: heartbeat, progress, result files, the end written once."""

    engine: Engine
    folder: Path
    worker: str = ""
    beat: bool = True

    def __post_init__(self) -> None:
        self.worker = self.worker or worker_name()

    def run(self, job_id: str) -> None:
        """Do the claimed job and record how it ended; the row says only what this worker saw through."""
        with session_for(self.engine) as session:
            job = session.get(Job, job_id)
            inputs = [(row.name, row.data) for row in session.exec(
                select(JobInput).where(col(JobInput.job_id) == job_id).order_by(col(JobInput.position)))]
            session.expunge(job)
        found = kinds().get(job.kind)
        alive = threading.Event()
        if self.beat:
            threading.Thread(target=self._beat, args=(job_id, alive), name="peerframe-job-beat", daemon=True).start()
        saved: list[str] = []
        try:
            if found is None:
                raise store.Invalid(f"this server cannot run jobs of kind {job.kind!r}")
            with session_for(self.engine) as session:
                result = found.run(session, job, inputs, lambda fraction, message: self._progress(job_id, fraction,
                                                                                                  message),
                                   lambda data, filename, media_type: self._save(job_id, data, filename, media_type,
                                                                                 saved))
        except REFUSALS as refused:
            self._end(job_id, "failed", str(refused), {}, saved)
        except Exception:  # a bug must end the job plainly, never leave it running
            log.exception("job %s (%s) failed", job_id, job.kind)
            self._end(job_id, "failed", "this could not be finished because of an error in Peerframe; nothing "
                                        "half-done was kept", {}, saved)
        else:
            self._end(job_id, "done", result.pop("message", "done"), result, saved)
        finally:
            alive.set()

    def _mine(self, job_id: str):
        return (col(Job.id) == job_id, col(Job.status) == "running", col(Job.worker) == self.worker)

    def _update(self, job_id: str, **values: Any) -> int:
        with session_for(self.engine) as session:
            changed = session.execute(update(Job).where(*self._mine(job_id)).values(**values)).rowcount
            session.commit()
            return changed

    def _beat(self, job_id: str, stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            try:
                self._update(job_id, heartbeat_at=utcnow())
            except Exception:  # a missed beat only makes the job look older
                log.warning("could not record that job %s is alive", job_id, exc_info=True)

    def _progress(self, job_id: str, fraction: float, message: str) -> None:
        self._update(job_id, progress=max(0.0, min(1.0, fraction)), message=message, heartbeat_at=utcnow())

    def _end(self, job_id: str, status: str, message: str, result: dict[str, Any], saved: list[str]) -> None:
        """Record the end and drop the job's input files, in one transaction; a job recovery took away from this
        worker meanwhile (it was silent too long) is left as recovery set it, and its file is deleted."""
        with session_for(self.engine) as session:
            ended = session.execute(update(Job).where(*self._mine(job_id)).values(
                status=status, message=message, result=result, finished_at=utcnow(),
                progress=1.0 if status == "done" else Job.progress)).rowcount
            if ended:
                _drop_inputs(session, job_id)
            session.commit()
        if not ended:
            log.warning("job %s was taken from this worker before it ended; its result is dropped", job_id)
            delete_results(self.folder, saved)

    def _save(self, job_id: str, data: bytes, filename: str, media_type: str, saved: list[str]) -> dict[str, Any]:
        """Keep a result file (owner-only) and return the reference to put in the job's result."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{job_id}.{secrets.token_hex(8)}"
        descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        saved.append(name)
        return {"file": name, "filename": filename, "media_type": media_type}


def work_through(engine: Engine, folder: Path, *, stop: Optional[threading.Event] = None, poll: float = POLL,
                 until_empty: bool = False, worker: str = "") -> int:
    """Claim and run queued jobs one after another until `stop` is set (or, `until_empty`, until none is left);
    returns how many ran. Stale jobs are recovered every STALE/3."""
    stop = stop or threading.Event()
    executor = Executor(engine, folder, worker)
    ran, recovered_at = 0, 0.0
    while not stop.is_set():
        if time.monotonic() - recovered_at > STALE.total_seconds() / 3:
            with session_for(engine) as session:
                recover(session)
            recovered_at = time.monotonic()
        job_id = claim(engine, executor.worker)
        if job_id is None:
            if until_empty:
                break
            stop.wait(poll)
            continue
        executor.run(job_id)
        ran += 1
    return ran


@dataclass
class Runner:
    """How an app server starts jobs: queue them, and (`local`) work through the queue in a thread of this
    process as well, so that a server without worker processes still runs them; `inline` (one in-memory
    database) runs each before answering."""

    engine: Engine
    folder: Path
    local: bool = True
    inline: bool = False

    def __post_init__(self) -> None:
        self._draining = threading.Lock()

    def start(self, session: Session, *, user: User, kind: str, params: dict[str, Any],
              inputs: Sequence[tuple[str, bytes]] = (), project_id: Optional[int] = None,
              message: str = "waiting to start") -> Job:
        """Queue a job and see that it will run; returns the job as recorded."""
        job = enqueue(session, user=user, kind=kind, params=params, inputs=inputs, project_id=project_id,
                      message=message)
        if self.inline:
            executor = Executor(self.engine, self.folder, beat=False)
            if claim(self.engine, executor.worker, job.id):
                executor.run(job.id)
            session.refresh(job)
        elif self.local:
            threading.Thread(target=self._drain, name=f"peerframe-job-{kind}", daemon=True).start()
        return job

    def resume(self) -> None:
        """Work through jobs left queued when the server last stopped (when this server runs jobs itself)."""
        if self.local and not self.inline and self._waiting():
            threading.Thread(target=self._drain, name="peerframe-job-resume", daemon=True).start()

    def _drain(self) -> None:
        """Work through the queue, in one thread of this process at a time: a thread that finds another at it
        leaves; the one at it looks once more after it lets go, so a job queued as it finished is not left."""
        while self._draining.acquire(blocking=False):
            try:
                work_through(self.engine, self.folder, until_empty=True)
            finally:
                self._draining.release()
            if not self._waiting():
                return

    def _waiting(self) -> bool:
        with session_for(self.engine) as session:
            return session.exec(select(Job.id).where(col(Job.status) == "queued").limit(1)).first() is not None

    def wait(self, job_id: str, timeout: float = 60) -> None:
        """Wait for a job to end, whoever runs it (for tests and the command line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with session_for(self.engine) as session:
                if session.exec(select(Job.status).where(col(Job.id) == job_id)).first() not in ACTIVE:
                    return
            time.sleep(0.05)

    def sweep(self) -> None:
        """Delete result files nobody fetched in time."""
        if not self.folder.is_dir():
            return
        too_old = (utcnow() - KEEP).timestamp()
        for path in self.folder.iterdir():
            if path.is_file() and path.stat().st_mtime < too_old:
                path.unlink(missing_ok=True)


def withdraw_results(session: Session, *, project_id: int, why: str) -> list[str]:
    """Take back what a project's jobs hold (a transcript or the project is being erased): jobs not yet ended
    are failed and their input files deleted, result files are withdrawn; the jobs say `why`, and the names of
    the files to delete once the change is committed are returned."""
    files = []
    for job in session.exec(select(Job).where(Job.project_id == project_id).with_for_update()):
        if job.status in ACTIVE:
            job.status, job.finished_at = "failed", utcnow()
        elif not job.result.get("file"):
            continue
        files += [job.result["file"]] if job.result.get("file") else []
        job.result = {k: v for k, v in job.result.items() if k != "file"}
        job.message = why
        session.add(job)
        _drop_inputs(session, job.id)
    return files


def _drop_inputs(session: Session, job_id: str) -> None:
    """Delete a job's input files (uploaded transcripts, a template): once it has ended they are not kept."""
    session.execute(delete(JobInput).where(col(JobInput.job_id) == job_id))


def delete_results(folder: Optional[Path], files: list[str]) -> None:
    """Delete withdrawn result files (names only, inside the results folder)."""
    for name in files:
        if folder is not None and name and "/" not in name and not name.startswith("."):
            (folder / name).unlink(missing_ok=True)


def recover(session: Session, *, now: Optional[datetime] = None) -> int:
    """Settle the running jobs whose worker stopped (silent for STALE): queue again those safe to run twice that
    have attempts left, mark the rest failed with their kind's message; returns how many were settled."""
    now = now or utcnow()
    stale = session.exec(select(Job).where(col(Job.status) == "running", col(Job.heartbeat_at) < now - STALE)
                         .with_for_update(skip_locked=True)).all()
    for job in stale:
        found = kinds().get(job.kind)
        if found is not None and found.again and job.attempts < ATTEMPTS:
            job.status, job.worker, job.progress = "queued", "", 0.0
            job.message = "its worker stopped; waiting for another to start it again"
        else:
            job.status, job.finished_at = "failed", now
            job.message = GAVE_UP if found is not None and found.again else (found.stopped if found else RESTARTED)
            _drop_inputs(session, job.id)
        session.add(job)
    session.commit()
    return len(stale)


def get_job(session: Session, *, job_id: str, user: User) -> Job:
    """The caller's own job (anyone else's is NotFound, as if it did not exist), its staleness settled."""
    job = session.exec(select(Job).where(Job.id == job_id, Job.user_id == user.id)).first()
    if job is None:
        raise store.NotFound("there is no such job")
    heartbeat = job.heartbeat_at if job.heartbeat_at.tzinfo else job.heartbeat_at.replace(tzinfo=timezone.utc)
    if job.status == "running" and heartbeat < utcnow() - STALE:
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
