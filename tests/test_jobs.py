"""Long operations as jobs: 202 and a job to poll, progress on the page, results once to their owner only,
failures that keep nothing half-done, and jobs of a stopped server marked failed."""

import io
import os
import stat
import time
import zipfile
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from coding import jobs, store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Document, Job, Project, utcnow
from coding.team import accounts
from coding.text.transcripts import read_transcript
from server.app import create_app
from server.settings import Settings
from tests.builders import code_phrase, txt_bytes
from tests.conftest import csrf_token, shared_file

PASSWORD = "a long enough password"
ATLAS8 = "atlasti8.4-mac_standard-project_NO-SOURCES.qdpx"
PV45 = txt_bytes([("Interviewer", "What brought you to the group?"),
                  ("PV45", "My sister did. Nobody judges you there, and that is why I keep going back.")])


def _zip(**members) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.fixture
def job_settings(db_url, tmp_path) -> Settings:
    """A team server on a real database file (or PostgreSQL), where every import and report is big."""
    url = f"sqlite:///{tmp_path / 'peerframe.db'}" if db_url.startswith("sqlite") else db_url
    return Settings(database_url=url, secret_key="jobs-test-secret-key", single_user=False,
                    jobs_dir=str(tmp_path / "results"), job_upload_bytes=64, job_files=1, job_report_quotes=0)


@pytest.fixture
def job_app(job_settings):
    return create_app(job_settings)


@pytest.fixture
def team(job_app):
    """A lead of project X with one coded transcript, and an outsider; their API tokens."""
    with session_for(job_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        outsider = accounts.create_user(session, name="outsider", password=PASSWORD)
        x = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        document = store.import_document(session, project_id=x.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        code_phrase(session, document, lead, "Nobody judges you", "safety")
        return {"x": x.id, "lead": accounts.create_token(session, user=lead, name="t")[0],
                "outsider": accounts.create_token(session, user=outsider, name="t")[0]}


def bearer(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def poll(client: TestClient, url: str, seconds: float = 60) -> dict:
    """Poll a job's status URL until it ends, as a script would."""
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert 0 <= body["progress"] <= 1
        if body["status"] in ("done", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def project_names(app) -> list[str]:
    with session_for(app.state.engine) as session:
        return sorted(p.name for p in session.exec(select(Project)))


def test_a_refi_import_answers_202_and_polls_to_done_with_the_sources_the_archive_lacks(job_app, team):
    lead = bearer(job_app, team["lead"])
    data = shared_file("fixtures", "refi", ATLAS8).read_bytes()
    answer = lead.post("/api/projects/import", data={"name": "Breakfast"}, files={"file": ("atlas8.qdpx", data)})
    assert answer.status_code == 202, answer.text
    started = answer.json()
    assert started["status_url"] == f"/api/jobs/{started['job']}"
    job = poll(lead, started["status_url"])
    assert (job["status"], job["progress"], job["kind"], job["result_url"]) == ("done", 1, "refi-import", None)
    assert "imported 14 codes, 0 documents" in job["message"]
    assert len(job["result"]["missing"]) == 6
    assert ("source 'Mabel.txt' is not in the archive (internal://B2F54555-0D2D-43B2-B40C-2A1C048F5F1C.txt); "
            "3 codings could not be placed: bacon and eggs at 0–410, cornflakes at 0–410, happiness at 0–410"
            in job["result"]["missing"])
    project = lead.get(f"/api/projects/{job['result']['project_id']}").json()
    assert project["name"] == "Breakfast" and len(lead.get(f"/api/projects/{project['id']}/codes").json()) == 14


def test_a_failing_import_keeps_nothing_and_says_what_and_where(job_app, team):
    lead = bearer(job_app, team["lead"])
    broken = _zip(**{"project.qde": "<Project><Users></Project>"})
    started = lead.post("/api/projects/import", data={"name": "Broken"}, files={"file": ("cut.qdpx", broken)}).json()
    job = poll(lead, started["status_url"])
    assert job["status"] == "failed"
    assert job["message"].startswith("cut.qdpx: project.qde: the file is not readable XML")
    assert project_names(job_app) == ["X"]


def test_refusals_that_need_no_reading_are_answered_at_once_without_a_job(job_app, team):
    lead = bearer(job_app, team["lead"])
    taken = lead.post("/api/projects/import", data={"name": "X"}, files={"file": ("a.qdpx", b"PK...")})
    assert taken.status_code == 409 and "already exists" in taken.json()["detail"]
    empty = lead.post("/api/projects/import", data={"name": "New"}, files={"file": ("a.qdpx", b"")})
    assert empty.status_code == 422 and "a.qdpx: the file is empty" in empty.json()["detail"]
    with session_for(job_app.state.engine) as session:
        assert session.exec(select(Job)).all() == []
    assert project_names(job_app) == ["X"]


def test_a_big_transcript_is_imported_as_a_job_and_a_small_one_at_once(job_app, team, job_settings):
    lead = bearer(job_app, team["lead"])
    url = f"/api/projects/{team['x']}/documents"
    started = lead.post(url, files={"file": ("pv45.txt", PV45)}, data={"participant": "PV45"})
    assert started.status_code == 202
    job = poll(lead, started.json()["status_url"])
    assert (job["status"], job["message"]) == ("done", "pv45.txt imported")
    document = lead.get(f"/api/documents/{job['result']['document_id']}").json()
    assert document["participant"] == "PV45" and "Nobody judges you" in document["text"]
    small = create_app(job_settings.model_copy(update={"job_upload_bytes": 10_000_000, "job_files": 20}))
    assert bearer(small, team["lead"]).post(url, files={"file": ("pv46.txt", b"PV46: Hello there.")}).status_code == 201


def test_a_big_file_that_is_refused_fails_its_job_and_stores_nothing(job_app, team):
    lead = bearer(job_app, team["lead"])
    started = lead.post(f"/api/projects/{team['x']}/documents", files={"file": ("scan.pdf", b"%PDF-1.4" + b"x" * 200)})
    job = poll(lead, started.json()["status_url"])
    assert job["status"] == "failed" and "scan.pdf" in job["message"]
    assert [d["name"] for d in lead.get(f"/api/projects/{team['x']}/documents").json()] == ["pv44.txt"]


def test_a_big_report_is_a_job_whose_file_goes_once_to_its_owner_only(job_app, team, job_settings):
    lead, outsider = bearer(job_app, team["lead"]), bearer(job_app, team["outsider"])
    page = lead.post(f"/projects/{team['x']}/export/report.docx", data={"tag": "approach"})
    assert page.status_code == 202 and ("<progress" in page.text or "Ready" in page.text)
    job_id = page.text.split('id="job-', 1)[1].split('"', 1)[0]
    job = poll(lead, f"/api/jobs/{job_id}")
    assert job["status"] == "done" and job["result_url"] == f"/api/jobs/{job_id}/result"
    kept = list(os.scandir(job_settings.jobs_dir))
    assert len(kept) == 1 and stat.S_IMODE(os.stat(kept[0].path).st_mode) == 0o600
    assert outsider.get(job["result_url"]).status_code == 404
    assert outsider.get(f"/api/jobs/{job_id}").status_code == 404
    download = lead.get(job["result_url"])
    assert download.status_code == 200 and download.content.startswith(b"PK")
    assert 'filename="x-report.docx"' in download.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as word:
        assert "Nobody judges you" in word.read("word/document.xml").decode("utf-8")
    again = lead.get(job["result_url"])
    assert again.status_code == 404 and "already downloaded" in again.json()["detail"]
    assert list(os.scandir(job_settings.jobs_dir)) == []


def test_anonymous_callers_get_401_and_unknown_jobs_404(job_app, team):
    lead = bearer(job_app, team["lead"])
    job = lead.post(f"/api/projects/{team['x']}/documents", files={"file": ("pv45.txt", PV45)}).json()["job"]
    anonymous = TestClient(job_app)
    for path in (f"/api/jobs/{job}", f"/api/jobs/{job}/result"):
        assert anonymous.get(path).status_code == 401
    answer = anonymous.post("/api/projects/import", data={"name": "N"}, files={"file": ("a.qdpx", b"PK")})
    assert answer.status_code == 401 and project_names(job_app) == ["X"]
    assert lead.get("/api/jobs/no-such-job-at-all").status_code == 404
    poll(lead, f"/api/jobs/{job}")


def test_a_job_of_a_project_the_caller_has_left_is_404(job_app, team):
    lead = bearer(job_app, team["lead"])
    job = lead.post(f"/api/projects/{team['x']}/documents", files={"file": ("pv45.txt", PV45)}).json()["job"]
    poll(lead, f"/api/jobs/{job}")
    with session_for(job_app.state.engine) as session:
        other = accounts.create_user(session, name="other", password=PASSWORD)
        moved = session.get(Job, job)
        moved.user_id = other.id  # as if "other" had started it, then been removed from X
        session.add(moved)
        session.commit()
        token = accounts.create_token(session, user=other, name="t")[0]
    assert bearer(job_app, token).get(f"/api/jobs/{job}").status_code == 404


def test_a_restarted_server_marks_the_jobs_it_was_running_failed(job_app, team, job_settings):
    with session_for(job_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        dead = Job(id="dead-worker-job-1", user_id=lead.id, kind="refi-import", status="running", progress=0.4,
                   heartbeat_at=utcnow() - timedelta(minutes=10))
        alive = Job(id="live-worker-job-1", user_id=lead.id, kind="refi-import", status="running", progress=0.4)
        session.add_all([dead, alive])
        session.commit()
    restarted = create_app(job_settings)
    lead_client = bearer(restarted, team["lead"])
    failed = lead_client.get("/api/jobs/dead-worker-job-1").json()
    assert failed["status"] == "failed" and failed["message"] == jobs.RESTARTED
    assert "restarted" in failed["message"] and "nothing half-done was kept" in failed["message"]
    # another worker's job that still says it is alive is left running
    assert lead_client.get("/api/jobs/live-worker-job-1").json()["status"] == "running"


def test_the_project_page_import_shows_a_progress_bar_then_what_came_in(job_app, team):
    browser = TestClient(job_app)
    page = browser.post("/login", data={"name": "lead", "password": PASSWORD}, follow_redirects=True)
    browser.headers["X-CSRF-Token"] = csrf_token(page.text)
    answer = browser.post(f"/projects/{team['x']}/import", headers={"HX-Request": "true"},
                          files=[("files", ("pv45.txt", PV45)), ("files", ("notes.pdf", b"%PDF-1.4"))])
    assert answer.status_code == 202
    assert answer.text.lstrip().startswith("{#") is False and 'id="import-area"' in answer.text
    job_id = answer.text.split('id="job-', 1)[1].split('"', 1)[0]
    assert f'hx-get="/jobs/{job_id}"' in answer.text and "<progress" in answer.text and "<script" not in answer.text
    job_app.state.jobs.wait(job_id)
    done = browser.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert done.status_code == 200 and "hx-get" not in done.text and "<script" not in done.text
    assert "Imported <a href=\"/documents/" in done.text and "Not imported: notes.pdf" in done.text
    full = browser.get(f"/jobs/{job_id}")
    assert "<html" in full.text and "Import finished" in full.text
    assert TestClient(job_app).get(f"/jobs/{job_id}", follow_redirects=False).status_code == 303  # to sign-in
    outsider = TestClient(job_app)
    outsider.post("/login", data={"name": "outsider", "password": PASSWORD})
    assert outsider.get(f"/jobs/{job_id}").status_code == 404
    with session_for(job_app.state.engine) as session:
        assert sorted(d.name for d in session.exec(select(Document))) == ["pv44.txt", "pv45.txt"]


def test_the_progress_partial_renders_a_running_job_with_its_bar_and_message(job_app, team):
    with session_for(job_app.state.engine) as session:
        lead = accounts.find_user(session, name="lead")
        session.add(Job(id="running-job-0001", user_id=lead.id, project_id=team["x"], kind="report",
                        status="running", progress=0.25, message="gathering the quotes"))
        session.commit()
    partial = bearer(job_app, team["lead"]).get("/jobs/running-job-0001", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert '<progress max="1" value="0.25"' in partial.text and "25%" in partial.text
    assert "gathering the quotes" in partial.text and 'hx-trigger="load delay:1s"' in partial.text


def test_the_refi_page_import_of_a_big_file_ends_with_the_report_and_the_missing_sources(job_app, team):
    lead = bearer(job_app, team["lead"])
    data = shared_file("fixtures", "refi", ATLAS8).read_bytes()
    page = lead.post("/projects/import", data={"name": "Breakfast"}, files={"file": ("atlas8.qdpx", data)})
    assert page.status_code == 202 and "<html" in page.text
    job_id = page.text.split('id="job-', 1)[1].split('"', 1)[0]
    job_app.state.jobs.wait(job_id)
    done = lead.get(f"/jobs/{job_id}").text
    assert "Imported “Breakfast”" in done and 'id="missing"' in done and "Mabel.txt" in done
    assert "Not brought in" in done and "PictureSource" in done


def test_erasing_a_transcript_or_the_project_deletes_reports_waiting_to_be_downloaded(job_app, team, job_settings):
    lead = bearer(job_app, team["lead"])
    with session_for(job_app.state.engine) as session:
        other = store.import_document(session, project_id=team["x"], user=accounts.find_user(session, name="lead"),
                                      transcript=read_transcript("pv45.txt", PV45))
        code_phrase(session, other, accounts.find_user(session, name="lead"), "Nobody judges you", "safety")

    def report() -> str:
        page = lead.post(f"/projects/{team['x']}/export/report.docx", data={"tag": "approach"})
        job_id = page.text.split('id="job-', 1)[1].split('"', 1)[0]
        assert poll(lead, f"/api/jobs/{job_id}")["status"] == "done"
        return job_id

    first = report()
    assert len(list(os.scandir(job_settings.jobs_dir))) == 1
    document = next(d for d in lead.get(f"/api/projects/{team['x']}/documents").json() if d["name"] == "pv44.txt")
    erased = lead.request("DELETE", f"/api/documents/{document['id']}", json={"confirm": document["name"]})
    assert erased.status_code == 200, erased.text
    assert list(os.scandir(job_settings.jobs_dir)) == []
    job = lead.get(f"/api/jobs/{first}").json()
    assert job["result_url"] is None and "deleted, unread, when a transcript" in job["message"]
    assert lead.get(f"/api/jobs/{first}/result").status_code == 404
    second = report()
    assert lead.request("DELETE", f"/api/projects/{team['x']}", json={"confirm": "X"}).status_code == 200
    assert list(os.scandir(job_settings.jobs_dir)) == []
    assert lead.get(f"/api/jobs/{second}").status_code == 404
