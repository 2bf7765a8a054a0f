"""The job queue: jobs wait in the database for any worker process, each is claimed by exactly one, a queued job
survives a restart, and a job whose worker is killed mid-run is run again (when that is safe) or failed with a
message, with nothing half-done visible."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from coding import jobs, store
from coding.analysis import retrieval
from coding.codebook.frameworks import get_framework
from coding.db import make_engine, migrate, session_for
from coding.erasure import erase_project
from coding.exchange import downloads
from coding.jobs import work
from coding.jobs.runner import GAVE_UP, STALE
from coding.models import Document, Job, JobInput, Turn, utcnow
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import code_phrase, txt_bytes

PASSWORD = "a long enough password"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queue(db_url, tmp_path):
    """A database a worker process can share (an SQLite file, or PostgreSQL), a lead with one coded transcript,
    and a runner that only queues: no thread of this process runs the jobs."""
    url = f"sqlite:///{tmp_path / 'peerframe.db'}" if db_url.startswith("sqlite") else db_url
    engine = make_engine(url)
    migrate(engine)
    folder = tmp_path / "results"
    with session_for(engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        project = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        document = store.import_document(session, project_id=project.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        code_phrase(session, document, lead, "Nobody judges you", "safety")
        ids = {"lead": lead.id, "project": project.id}
    yield {"url": url, "engine": engine, "folder": folder, "runner": jobs.Runner(engine, folder, local=False), **ids}
    engine.dispose()


def lead_of(session, queue):
    return accounts.find_user(session, name="lead")


def queue_report(queue) -> str:
    with session_for(queue["engine"]) as session:
        job = work.quote_report(queue["runner"], session, project_id=queue["project"], user=lead_of(session, queue),
                                wanted=retrieval.QuoteFilter(layer="all"), options=downloads.ReportOptions())
        return job.id


def queue_import(queue, count: int, size: int = 1) -> str:
    files = [(f"pv{n:03}.txt", txt_bytes([("Interviewer", "What brought you here?"),
                                          (f"PV{n:03}", "Nobody judges you there. " * size)]))
             for n in range(count)]
    with session_for(queue["engine"]) as session:
        return work.import_transcripts(queue["runner"], session, project_id=queue["project"],
                                       user=lead_of(session, queue), files=files).id


def job_row(queue, job_id: str) -> Job:
    with session_for(queue["engine"]) as session:
        job = session.get(Job, job_id)
        session.expunge(job)
        return job


def inputs_of(queue, job_id: str) -> int:
    with session_for(queue["engine"]) as session:
        return len(session.exec(select(JobInput.id).where(JobInput.job_id == job_id)).all())


def worker_process(queue, *arguments: str) -> subprocess.Popen:
    environment = {**os.environ, "PEERFRAME_DATABASE_URL": queue["url"], "PEERFRAME_JOBS_DIR": str(queue["folder"]),
                   "PEERFRAME_SECRET_KEY": "job-queue-test-secret-key-long-enough"}
    return subprocess.Popen([sys.executable, "-m", "server.cli", "worker", "--poll", "0.05", *arguments], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("waited in vain")


def test_a_queued_job_waits_in_the_database_with_its_files_until_a_worker_process_runs_it(queue):
    job_id = queue_import(queue, 3)
    assert job_row(queue, job_id).status == "queued" and inputs_of(queue, job_id) == 3
    # a restart of every server loses nothing: a worker started later finds the job and does it
    done = worker_process(queue, "--once")
    assert done.wait(120) == 0, done.stderr.read()
    job = job_row(queue, job_id)
    assert job.status == "done" and job.message == "3 of 3 files imported", job.message
    assert job.worker and job.attempts == 1
    assert inputs_of(queue, job_id) == 0  # the uploaded transcripts do not linger in the queue
    with session_for(queue["engine"]) as session:
        names = sorted(d.name for d in session.exec(select(Document)))
        assert names == ["pv000.txt", "pv001.txt", "pv002.txt", "pv44.txt"]


def test_of_several_workers_at_once_each_job_is_claimed_by_exactly_one(queue):
    with session_for(queue["engine"]) as session:
        lead = lead_of(session, queue)
        queued = {jobs.enqueue(session, user=lead, kind=work.REPORT, params={}, project_id=queue["project"]).id
                  for _ in range(40)}
    claimed: list[tuple[str, str]] = []
    start = threading.Barrier(4)

    def take(worker: str) -> None:
        start.wait()
        while (job_id := jobs.claim(queue["engine"], worker)) is not None:
            claimed.append((worker, job_id))

    threads = [threading.Thread(target=take, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(job_id for _, job_id in claimed) == sorted(queued)  # every job once, none twice
    with session_for(queue["engine"]) as session:
        rows = session.exec(select(Job).where(Job.id.in_(queued))).all()
    assert {(row.worker, row.id) for row in rows} == set(claimed) and {row.attempts for row in rows} == {1}


def test_an_import_whose_worker_is_killed_mid_run_is_failed_with_a_message_and_every_stored_file_is_whole(queue):
    job_id = queue_import(queue, 200, size=40)
    process = worker_process(queue)
    try:
        wait_for(lambda: job_row(queue, job_id).progress >= 0.1)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        process.kill()
    killed = job_row(queue, job_id)
    assert killed.status == "running" and killed.progress < 1
    with session_for(queue["engine"]) as session:
        assert jobs.recover(session, now=utcnow() + STALE + timedelta(seconds=1)) == 1
        documents = session.exec(select(Document).where(Document.name != "pv44.txt")).all()
        assert 0 < len(documents) < 200
        for document in documents:  # each file it had read is there whole: both turns, all the words
            turns = session.exec(select(Turn).where(Turn.document_id == document.id)).all()
            assert len(turns) == 2 and document.text.count("Nobody judges you there.") == 40, document.name
    failed = job_row(queue, job_id)
    assert failed.status == "failed" and failed.message == work.STOPPED_IMPORT
    assert "each file it had read is in the project whole" in failed.message
    assert inputs_of(queue, job_id) == 0


def test_a_report_whose_worker_stopped_is_run_again_by_another_worker(queue):
    job_id = queue_report(queue)
    assert jobs.claim(queue["engine"], "a-worker-that-dies") == job_id  # claimed, then never heard from again
    with session_for(queue["engine"]) as session:
        assert jobs.recover(session, now=utcnow() + STALE + timedelta(seconds=1)) == 1
    again = job_row(queue, job_id)
    assert again.status == "queued" and again.worker == "" and "waiting for another" in again.message
    assert jobs.work_through(queue["engine"], queue["folder"], until_empty=True) == 1
    done = job_row(queue, job_id)
    assert done.status == "done" and done.attempts == 2 and done.result["filename"] == "report.docx"
    assert (queue["folder"] / done.result["file"]).read_bytes()[:2] == b"PK"
    # the worker that was thought dead cannot end it a second time
    late = jobs.Executor(queue["engine"], queue["folder"], "a-worker-that-dies", beat=False)
    late._end(job_id, "failed", "late", {}, [])
    assert job_row(queue, job_id).status == "done"


def test_a_report_whose_workers_keep_dying_is_failed_after_three_tries(queue):
    job_id = queue_report(queue)
    for attempt in range(3):
        assert jobs.claim(queue["engine"], f"dies-{attempt}") == job_id
        with session_for(queue["engine"]) as session:
            jobs.recover(session, now=utcnow() + STALE + timedelta(seconds=1))
    failed = job_row(queue, job_id)
    assert failed.status == "failed" and failed.message == GAVE_UP and failed.attempts == 3
    assert jobs.claim(queue["engine"], "another") is None


def test_a_report_queued_by_someone_who_has_since_left_the_project_is_refused_and_makes_no_file(queue):
    job_id = queue_report(queue)
    with session_for(queue["engine"]) as session:
        lead = lead_of(session, queue)
        other = accounts.create_user(session, name="other", password=PASSWORD)
        accounts.set_member(session, project_id=queue["project"], user=other, role="lead", by=lead)
        accounts.remove_member(session, project_id=queue["project"], user=lead, by=other)
    jobs.work_through(queue["engine"], queue["folder"], until_empty=True)
    refused = job_row(queue, job_id)
    assert refused.status == "failed" and "no longer a viewer in 'X'" in refused.message
    assert "file" not in refused.result and not (queue["folder"].exists() and any(queue["folder"].iterdir()))


def test_erasing_the_project_fails_its_queued_jobs_and_deletes_the_transcripts_they_hold(queue):
    job_id = queue_import(queue, 2)
    with session_for(queue["engine"]) as session:
        project = store.get_project(session, project_id=queue["project"])
        erase_project(session, project=project, user=lead_of(session, queue), confirm="X", media=queue["folder"],
                      job_results=queue["folder"])
        assert session.exec(select(JobInput)).all() == []
    assert jobs.work_through(queue["engine"], queue["folder"], until_empty=True) == 0
    with session_for(queue["engine"]) as session:
        assert session.exec(select(Document)).all() == []
        assert session.get(Job, job_id) is None or session.get(Job, job_id).status == "failed"


def test_a_job_of_a_kind_this_server_does_not_know_fails_with_a_message(queue):
    with session_for(queue["engine"]) as session:
        job = jobs.enqueue(session, user=lead_of(session, queue), kind=work.REPORT, params={})
        session.get(Job, job.id).kind = "from-a-newer-release"
        session.commit()
    jobs.work_through(queue["engine"], queue["folder"], until_empty=True)
    failed = job_row(queue, job.id)
    assert failed.status == "failed" and "cannot run jobs of kind 'from-a-newer-release'" in failed.message


def children_of(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError, IndexError):
                continue
    return found


def serve(tmp_path) -> tuple[str, subprocess.Popen]:
    url = f"sqlite:///{tmp_path / 'peerframe.db'}"
    environment = {**os.environ, "PEERFRAME_DATABASE_URL": url, "PEERFRAME_JOBS_DIR": str(tmp_path / "results"),
                   "PEERFRAME_SECRET_KEY": "job-queue-test-secret-key-long-enough"}
    return url, subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--single-user", "--port", "0"],
                                 cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def workers_of(server: subprocess.Popen) -> list[int]:
    return [pid for pid, line in children_of(server.pid).items() if " worker" in line]


def gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"  # ended, or a zombie


def test_peerframe_serve_runs_jobs_in_a_worker_process_and_starts_another_when_one_dies(tmp_path):
    url, server = serve(tmp_path)
    try:
        workers = lambda: workers_of(server)  # noqa: E731
        first, = wait_for(workers)
        engine = make_engine(url)
        queue = {"engine": engine, "runner": jobs.Runner(engine, tmp_path / "results", local=False)}
        with session_for(engine) as session:
            lead = store.ensure_user(session, name="lead")
            project = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
            queue["project"] = project.id
        job_id = queue_import(queue, 2)
        wait_for(lambda: job_row(queue, job_id).status == "done")
        assert job_row(queue, job_id).worker.endswith(f":{first}")  # the worker process ran it, not the server
        os.kill(first, signal.SIGKILL)
        second, = wait_for(lambda: [pid for pid in workers() if pid != first], seconds=30)
        engine.dispose()
    finally:
        server.terminate()
        server.wait(30)
    assert wait_for(lambda: gone(second), seconds=10)  # stopped with the server


def test_a_job_worker_stops_when_the_server_that_started_it_is_killed(tmp_path):
    _, server = serve(tmp_path)
    try:
        worker, = wait_for(lambda: workers_of(server))
    finally:
        server.kill()
        server.wait(30)
    assert wait_for(lambda: gone(worker), seconds=15)  # no worker is left behind, orphaned
