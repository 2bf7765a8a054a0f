"""What is accepted opens and is codable, however long; a batch reports every file on its own; a long import
leaves other people's requests fast."""

import os
import random
import socket
import subprocess
import re
import sys
import time
from pathlib import Path

import httpx
import pytest

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import make_engine, migrate, session_for
from coding.jobs import Thresholds
from coding.team import accounts
from coding.text.transcripts import read_transcript
from tests.builders import docx_bytes, txt_bytes
from tests.security.bombs import ROOT, odt_spaces

WORDS = "I felt safe there because nobody judges you and the group helped me find work again".split()


def million_words(seed: int = 1) -> bytes:
    """About a million words in 20,000 alternating turns (5.5 million characters)."""
    rng = random.Random(seed)
    turns = [("Interviewer" if n % 2 == 0 else "PV44") + ": " + " ".join(rng.choice(WORDS) for _ in range(50)) + "."
             for n in range(20_000)]
    return "\n\n".join(turns).encode()


def one_long_turn() -> bytes:
    """A participant's single turn of 1.3 million characters."""
    rng = random.Random(2)
    said = " ".join(rng.choice(WORDS) + ("." if n % 15 == 0 else "") for n in range(250_000))
    return f"Interviewer: tell me.\n\nPV44: {said}".encode()


def unsupported_compression(data: bytes) -> bytes:
    """A zip whose members claim a compression method (Deflate64) that Python cannot unpack."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = patched.find(signature)
        while at >= 0:
            patched[at + offset:at + offset + 2] = (9).to_bytes(2, "little")
            at = patched.find(signature, at + 4)
    return bytes(patched)


@pytest.mark.parametrize("build", [million_words, one_long_turn], ids=["million-words", "million-character-turn"])
def test_a_huge_accepted_transcript_opens_and_takes_a_coding(client, session, project, build):
    data = build()
    imported = client.post(f"/projects/{project.id}/import", files=[("files", ("huge.txt", data))])
    if len(data) > Thresholds.upload_bytes:  # a big upload runs as a job: its progress, polled until it is done
        assert imported.status_code == 202
        imported = finished_job(client, imported.text)
    assert imported.status_code == 200 and "huge.txt" in imported.text
    [document] = store.list_documents(session, project_id=project.id)
    assert len(document.text) > 1_000_000
    page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200 and 'class="turn' in page.text
    start = len(document.text) - 200
    start = document.text.index(" ", start) + 1
    coded = client.post(f"/documents/{document.id}/codings", data={"start": start, "end": start + 20,
                        "code": "focus/social"}, headers={"HX-Request": "true"})
    assert coded.status_code == 200, coded.text
    [coding] = store.project_codings(session, project_id=project.id)
    assert (coding.document_id, coding.start, coding.end) == (document.id, start, start + 20)


def finished_job(client, progress: str, seconds: float = 120):
    """Poll the job whose progress partial this is, as the page does, until it is no longer busy."""
    job = re.search(r'id="job-([\w-]+)"', progress).group(1)
    deadline = time.monotonic() + seconds
    while True:
        page = client.get(f"/jobs/{job}", headers={"HX-Request": "true"})
        if 'data-status="queued"' not in page.text and 'data-status="running"' not in page.text:
            return page
        assert time.monotonic() < deadline, f"job {job} still busy after {seconds} s"
        time.sleep(0.2)


def test_one_bad_file_in_a_batch_gets_its_own_result_and_the_rest_are_stored(client, session, project):
    files = [("files", ("first.txt", txt_bytes())),
             ("files", ("broken.docx", unsupported_compression(docx_bytes()))),
             ("files", ("spaces.odt", odt_spaces(300_000_000))),
             ("files", ("second.txt", txt_bytes([("PV45", "Something else entirely.")])))]
    page = client.post(f"/projects/{project.id}/import", files=files)
    assert page.status_code == 200
    assert "broken.docx: this Word (.docx) file is damaged" in page.text
    assert "spaces.odt: the transcript would be over 8,000,000 characters" in page.text
    assert sorted(d.name for d in store.list_documents(session, project_id=project.id)) == ["first.txt", "second.txt"]


# --- a live server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_team(tmp_path: Path):
    """A real server on a free port with a lead (who imports) and a coder (who codes) in one project."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_for(engine) as session:
        lead = accounts.create_user(session, name="lead", password="a long enough password", admin=True)
        coder = accounts.create_user(session, name="coder", password="a long enough password")
        project = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        accounts.set_member(session, project_id=project.id, user=coder, role="coder", by=lead)
        document = store.import_document(session, project_id=project.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        accounts.assign(session, document=document, coder=coder, by=lead)
        tokens = {u.name: accounts.create_token(session, user=u, name="t")[0] for u in (lead, coder)}
        ids = {"project": project.id, "document": document.id}
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PEERFRAME_DATABASE_URL": url,
           "PEERFRAME_SECRET_KEY": "live-test-secret-key-not-for-production"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--port",
                               str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield {"base": base, "tokens": tokens, **ids}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_other_users_stay_fast_while_a_large_import_runs(live_team):
    base, ids = live_team["base"], live_team
    lead = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {live_team['tokens']['lead']}"}, timeout=120)
    coder = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {live_team['tokens']['coder']}"}, timeout=5)
    batch = [("files", (f"long-{n}.txt", million_words(seed=n))) for n in range(6)]
    began = time.monotonic()
    upload = lead.post(f"/projects/{ids['project']}/import", files=batch, headers={"HX-Request": "true"})
    assert upload.status_code == 202  # a batch this big runs as a job, in a thread of this worker
    job = re.search(r'id="job-([\w-]+)"', upload.text).group(1)
    timings = []
    for request in (lambda: coder.get(f"/projects/{ids['project']}"),
                    lambda: coder.post(f"/api/documents/{ids['document']}/codings",
                                       json={"start": 0, "end": 10, "code_id": "safety"}),
                    lambda: coder.get(f"/documents/{ids['document']}")):
        started = time.monotonic()
        response = request()
        timings.append((response.status_code, time.monotonic() - started))
    still_importing = lead.get(f"/api/jobs/{job}").json()["status"] in ("queued", "running")
    assert still_importing, "the import finished before the other requests were made; the test proves nothing"
    for _ in range(600):
        if lead.get(f"/api/jobs/{job}").json()["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert lead.get(f"/api/jobs/{job}").json()["status"] == "done"
    importing = time.monotonic() - began
    assert [status for status, _ in timings] == [200, 201, 200]
    # a blocked event loop held every request for the whole import (47 s once). Each answer must come within
    # 3 s or half the import's own time, whichever is longer, so that a slow machine is not taken for a blocked
    # loop (bench/import_memory.py prints the figures against the 1 s target)
    assert all(seconds < max(3.0, importing / 2) for _, seconds in timings), (timings, importing)
    assert finished_job(lead, upload.text).text.count("long-") >= 6
