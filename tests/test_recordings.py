"""Recordings: attaching a transcript's audio, refusing what is not audio, playback by byte ranges, who may
hear it, erasure of the file, and turn times from timestamps in text transcripts."""

import subprocess
import sys
import textwrap

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Recording
from coding.team import accounts
from coding.text.transcripts import read_transcript
from server.app import create_app
from server.settings import Settings
from tests.builders import txt_bytes, wav_bytes
from tests.conftest import csrf_token, local_client

PASSWORD = "a long enough password"
WAV = wav_bytes(0.5)


@pytest.fixture
def media(tmp_path):
    return tmp_path / "media"


@pytest.fixture
def team_app(db_url, media):
    return create_app(Settings(database_url=db_url, secret_key="team-test-secret", single_user=False,
                               media_dir=str(media)))


@pytest.fixture
def team(team_app):
    """Project X (lead, an assigned coder, an unassigned coder, a viewer) with one transcript; an outsider."""
    with session_for(team_app.state.engine) as session:
        lead = accounts.create_user(session, name="lead", password=PASSWORD, admin=True)
        people = {n: accounts.create_user(session, name=n, password=PASSWORD)
                  for n in ("coder", "unassigned", "viewer", "outsider")}
        x = store.create_project(session, name="X", framework=get_framework("side-by-side"), user=lead)
        for name, role in (("coder", "coder"), ("unassigned", "coder"), ("viewer", "viewer")):
            accounts.set_member(session, project_id=x.id, user=people[name], role=role, by=lead)
        document = store.import_document(session, project_id=x.id, user=lead,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        accounts.assign(session, document=document, coder=people["coder"], by=lead)
        tokens = {n: accounts.create_token(session, user=u, name="t")[0] for n, u in [("lead", lead), *people.items()]}
        return {"x": x.id, "doc": document.id, "tokens": tokens}


def bearer(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def attach(app, team, data: bytes = WAV, name: str = "PV44 interview.wav", who: str = "lead"):
    return bearer(app, team["tokens"][who]).post(f"/api/documents/{team['doc']}/recording",
                                                 files={"file": (name, data, "application/octet-stream")})


def stored(app) -> list[Recording]:
    with session_for(app.state.engine) as session:
        return list(session.exec(select(Recording)))


def files_in(media) -> list[str]:
    return sorted(p.name for p in media.iterdir()) if media.exists() else []


# --- attaching -------------------------------------------------------------------------------------

def test_a_lead_attaches_a_wav_kept_under_a_random_name_and_served_whole(team_app, team, media):
    answer = attach(team_app, team)
    assert answer.status_code == 201, answer.text
    assert answer.json()["media_type"] == "audio/wav" and answer.json()["size"] == len(WAV)
    [recording] = stored(team_app)
    assert files_in(media) == [recording.file_id] and "PV44" not in recording.file_id
    with session_for(team_app.state.engine) as session:
        [event] = store.list_events(session, project_id=team["x"], kind="recording")
        assert store.describe(event) == "attached the recording PV44 interview.wav" and event.document_id == team["doc"]
    assert (media / recording.file_id).read_bytes() == WAV
    played = bearer(team_app, team["tokens"]["viewer"]).get(f"/documents/{team['doc']}/recording")
    assert played.status_code == 200 and played.content == WAV
    assert bearer(team_app, team["tokens"]["viewer"]).get(answer.json()["url"].replace("/documents", "/api/documents")).content == WAV
    assert played.headers["content-type"] == "audio/wav"
    assert played.headers["cache-control"] == "no-store" and played.headers["x-content-type-options"] == "nosniff"
    assert played.headers["accept-ranges"] == "bytes"
    assert "PV44" not in played.headers.get("content-disposition", "")


@pytest.mark.parametrize("name, data", [
    ("notes.mp3", b"Interviewer: this is text, not audio\n" * 20),
    ("page.wav", b"<html><script>alert(1)</script></html>"),
    ("archive.ogg", b"PK\x03\x04" + b"\x00" * 100),
])
def test_what_is_not_audio_or_video_is_refused_naming_the_kinds_accepted(team_app, team, media, name, data):
    answer = attach(team_app, team, data, name)
    assert answer.status_code == 415
    assert name in answer.json()["detail"] and "MP3, WAV, Ogg, WebM or MP4/M4A" in answer.json()["detail"]
    assert stored(team_app) == [] and files_in(media) == []


@pytest.mark.parametrize("head, kind", [
    (b"ID3\x03\x00", "audio/mpeg"), (b"\xff\xfb\x90\x00", "audio/mpeg"), (b"OggS\x00\x02", "audio/ogg"),
    (b"\x1a\x45\xdf\xa3\x9f", "video/webm"), (b"\x00\x00\x00\x20ftypM4A \x00", "audio/mp4"),
    (b"\x00\x00\x00\x18ftypmp42\x00", "video/mp4"), (b"\xff\xf1\x50\x80", None), (b"RIFF\x00\x00\x00\x00AVI ", None),
    (b"GIF89a", None), (b"%PDF-1.7", None),
])
def test_recordings_are_known_by_their_first_bytes(head, kind):
    from coding.workspace.recordings import sniff

    assert sniff(head + b"\x00" * 16) == kind


def attach_locally(db_url, media, name: str, **limits):
    """Attach WAV to a new transcript on a single-user server with these limits; the answer and what was kept."""
    app = create_app(Settings(database_url=db_url, secret_key="team-test-secret", single_user=True,
                              media_dir=str(media), **limits))
    with local_client(app) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
        project = client.post("/api/projects", json={"name": "P", "framework": "side-by-side"}).json()
        document = client.post(f"/api/projects/{project['id']}/documents",
                               files={"file": ("pv44.txt", txt_bytes(), "text/plain")}).json()
        answer = client.post(f"/api/documents/{document['id']}/recording", files={"file": (name, WAV)})
        return answer, stored(app)


def test_a_recording_over_the_size_limit_is_refused_and_nothing_kept(db_url, media):
    answer, kept = attach_locally(db_url, media, "big.wav", max_recording_bytes=len(WAV) - 1)
    assert answer.status_code == 413 and "big.wav" in answer.json()["detail"] and "limit" in answer.json()["detail"]
    assert kept == [] and files_in(media) == []


def test_a_recording_may_be_larger_than_other_requests(db_url, media):
    answer, kept = attach_locally(db_url, media, "talk.wav", max_request_bytes=len(WAV) // 2)
    assert answer.status_code == 201, answer.text
    assert len(kept) == 1 and files_in(media) == [kept[0].file_id]


def test_attaching_again_replaces_the_recording_and_deletes_the_old_file(team_app, team, media):
    attach(team_app, team)
    [first] = stored(team_app)
    assert attach(team_app, team, wav_bytes(0.25), "second.wav").status_code == 201
    [second] = stored(team_app)
    assert second.original_name == "second.wav" and files_in(media) == [second.file_id] != [first.file_id]


# --- playing back by ranges ------------------------------------------------------------------------

@pytest.mark.parametrize("asked, start, end", [("bytes=100-199", 100, 199), ("bytes=1000-", 1000, len(WAV) - 1),
                                               ("bytes=-10", len(WAV) - 10, len(WAV) - 1)])
def test_a_range_request_answers_206_with_exactly_those_bytes(team_app, team, asked, start, end):
    attach(team_app, team)
    played = bearer(team_app, team["tokens"]["coder"]).get(f"/documents/{team['doc']}/recording",
                                                            headers={"Range": asked})
    assert played.status_code == 206
    assert played.headers["content-range"] == f"bytes {start}-{end}/{len(WAV)}"
    assert played.content == WAV[start:end + 1]
    assert played.headers["cache-control"] == "no-store"


def test_a_range_past_the_end_is_refused_with_416(team_app, team):
    attach(team_app, team)
    played = bearer(team_app, team["tokens"]["lead"]).get(f"/documents/{team['doc']}/recording",
                                                           headers={"Range": f"bytes={len(WAV) + 5}-"})
    assert played.status_code == 416 and WAV[:44] not in played.content


# --- who may hear it -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["outsider", "unassigned"])
def test_people_who_may_not_read_the_transcript_get_404_and_no_bytes(team_app, team, who):
    attach(team_app, team)
    played = bearer(team_app, team["tokens"][who]).get(f"/documents/{team['doc']}/recording",
                                                        headers={"Range": "bytes=0-"})
    assert played.status_code == 404 and f"no document {team['doc']}" in played.text
    assert b"RIFF" not in played.content


def test_a_stranger_without_sign_in_hears_nothing(team_app, team):
    attach(team_app, team)
    played = TestClient(team_app).get(f"/documents/{team['doc']}/recording", follow_redirects=False)
    assert played.status_code in (303, 401) and b"RIFF" not in played.content


@pytest.mark.parametrize("who, status", [("coder", 403), ("viewer", 403), ("outsider", 404)])
def test_only_the_lead_attaches_a_recording(team_app, team, media, who, status):
    answer = attach(team_app, team, who=who)
    assert answer.status_code == status
    assert ("lead" in answer.json()["detail"]) if status == 403 else ("no document" in answer.json()["detail"])
    assert stored(team_app) == [] and files_in(media) == []


def test_a_transcript_without_a_recording_answers_404(team_app, team):
    played = bearer(team_app, team["tokens"]["lead"]).get(f"/documents/{team['doc']}/recording")
    assert played.status_code == 404 and "has no recording" in played.text


# --- erasure ---------------------------------------------------------------------------------------

def test_erasing_the_transcript_deletes_its_recording_file(team_app, team, media):
    attach(team_app, team)
    assert len(files_in(media)) == 1
    lead = bearer(team_app, team["tokens"]["lead"])
    erased = lead.request("DELETE", f"/api/documents/{team['doc']}", json={"confirm": "pv44.txt"})
    assert erased.status_code == 200, erased.text
    assert files_in(media) == [] and stored(team_app) == []
    assert lead.get(f"/documents/{team['doc']}/recording").status_code == 404
    with session_for(team_app.state.engine) as session:  # the log forgets the recording's name too
        assert store.list_events(session, project_id=team["x"], kind="recording") == []


def test_erasing_the_project_deletes_every_recording_file(team_app, team, media):
    attach(team_app, team)
    lead = bearer(team_app, team["tokens"]["lead"])
    erased = lead.request("DELETE", f"/api/projects/{team['x']}", json={"confirm": "X"})
    assert erased.status_code == 200, erased.text
    assert files_in(media) == [] and stored(team_app) == []


# --- the page --------------------------------------------------------------------------------------

def test_the_document_page_attaches_a_recording_and_then_shows_the_player(db_url, media):
    app = create_app(Settings(database_url=db_url, secret_key="team-test-secret", single_user=True,
                              media_dir=str(media)))
    vtt = b"WEBVTT\n\n00:00:05.000 --> 00:00:09.000\n<v Ann>Hello there.\n\n00:12:05.000 --> 00:12:09.000\n<v Bo>Hi.\n"
    with local_client(app) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
        project = client.post("/api/projects", json={"name": "P", "framework": "side-by-side"}).json()
        document = client.post(f"/api/projects/{project['id']}/documents",
                               files={"file": ("talk.vtt", vtt, "text/vtt")}).json()
        before = client.get(f"/documents/{document['id']}").text
        assert "Attach the recording" in before and "<audio" not in before
        token = csrf_token(before)
        del client.headers["X-CSRF-Token"]
        answer = client.post(f"/documents/{document['id']}/recording", data={"csrf_token": token},
                             files={"file": ("talk.wav", WAV, "audio/wav")}, follow_redirects=False)
        assert answer.status_code == 303
        page = client.get(f"/documents/{document['id']}").text
    assert f'<audio id="recording" controls preload="metadata" src="/documents/{document["id"]}/recording">' in page
    assert 'aria-label="Play from 0:05"' in page and 'aria-label="Play from 12:05"' in page
    assert '/static/player.js' in page and "Replace the recording" in page


def test_the_page_form_refuses_a_file_that_is_not_a_recording_and_plays_video_in_a_video_player(db_url, media):
    app = create_app(Settings(database_url=db_url, secret_key="team-test-secret", single_user=True,
                              media_dir=str(media)))
    mp4 = b"\x00\x00\x00\x18ftypmp42" + bytes(2000)
    with local_client(app) as client:
        client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
        project = client.post("/api/projects", json={"name": "P", "framework": "side-by-side"}).json()
        document = client.post(f"/api/projects/{project['id']}/documents",
                               files={"file": ("pv44.txt", b"[00:00:05] Interviewer: Hello", "text/plain")}).json()
        refused = client.post(f"/documents/{document['id']}/recording", files={"file": ("notes.mp4", b"just words")})
        assert refused.status_code == 415 and "notes.mp4" in refused.text and "MP3, WAV, Ogg, WebM or MP4/M4A" in refused.text
        assert stored(app) == [] and files_in(media) == []
        client.post(f"/documents/{document['id']}/recording", files={"file": ("visit.mp4", mp4)})
        page = client.get(f"/documents/{document['id']}").text
    assert '<video id="recording"' in page and "<audio" not in page and 'aria-label="Play from 0:05"' in page


def test_pages_allow_media_only_from_the_app_itself(client):
    assert "media-src 'self'" in client.get("/").headers["content-security-policy"]


# --- timestamps in text transcripts ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("[00:12:05] I was fine.\n\n[00:12:30] Then not.", [(None, "I was fine.", 725_000), (None, "Then not.", 750_000)]),
    ("Interviewer: [00:01:02] How are you?\n\nP1: (01:05) Fine.",
     [("Interviewer", "How are you?", 62_000), ("P1", "Fine.", 65_000)]),
    ("[00:00:05] Interviewer: Hi there\n[00:00:09] P1: Hello", [("Interviewer", "Hi there", 5_000), ("P1", "Hello", 9_000)]),
    ("(1:02:03) Long into the talk.", [(None, "Long into the talk.", 3_723_000)]),
    ("Interviewer: [in 2020] we met.\n\nP1: (laughs) yes.", [("Interviewer", "[in 2020] we met.", None),
                                                             ("P1", "(laughs) yes.", None)]),
])
def test_timestamps_at_the_start_of_a_turn_become_its_cue_time_and_leave_its_text(text, expected):
    transcript = read_transcript("talk.txt", text.encode())
    got = [(t.speaker, transcript.text[t.start:t.end], t.cue_start_ms) for t in transcript.turns]
    assert got == expected
    assert transcript.text == text  # the stored text is unchanged; the stamps are only outside every turn


# --- memory ----------------------------------------------------------------------------------------

def test_a_long_recording_is_copied_in_chunks_not_read_into_memory(tmp_path):
    """A 200 MB upload is stored under an address-space limit only ~64 MB above the process's own size."""
    script = textwrap.dedent(f"""
        import io, resource
        from coding.db import make_engine, migrate, session_for
        from coding import store
        from coding.workspace import recordings
        from coding.codebook.frameworks import get_framework
        from coding.text.transcripts import read_transcript
        from pathlib import Path

        class Zeros(io.RawIOBase):
            def __init__(self, size): self.left = size; self.first = True
            def readable(self): return True
            def readinto(self, buffer):
                n = min(len(buffer), self.left)
                buffer[:n] = (b"RIFF\\x00\\x00\\x00\\x00WAVEfmt " + bytes(n))[:n] if self.first else bytes(n)
                self.first, self.left = False, self.left - n
                return n

        engine = make_engine("sqlite:///{tmp_path / 'big.db'}")
        migrate(engine)
        with session_for(engine) as session:
            user = store.ensure_user(session, name="local")
            project = store.create_project(session, name="P", framework=get_framework("side-by-side"), user=user)
            document = store.import_document(session, project_id=project.id, user=user,
                                             transcript=read_transcript("a.txt", b"Interviewer: hello"))
            size = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size + 64 * 2**20, size + 64 * 2**20))
            recording = recordings.attach(session, document=document, user=user, name="long.wav",
                                          stream=io.BufferedReader(Zeros(200 * 2**20)), folder=Path("{tmp_path / 'media'}"),
                                          limit=500 * 2**20)
            print(recording.size)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(200 * 2**20)
    assert (tmp_path / "media").stat().st_size >= 0 and sum(p.stat().st_size for p in (tmp_path / "media").iterdir()) == 200 * 2**20


def test_erasing_from_the_command_line_deletes_the_recording_beside_the_database(tmp_path, monkeypatch):
    import io

    from typer.testing import CliRunner

    from coding.workspace import recordings
    from coding.db import make_engine
    from server.cli import app as cli

    monkeypatch.setenv("PEERFRAME_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    (tmp_path / "PV44.txt").write_bytes(txt_bytes())
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "--project", "Study", str(tmp_path / "PV44.txt")]).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with session_for(engine) as session:
        [document] = store.list_documents(session, project_id=1)
        recordings.attach(session, document=document, user=store.ensure_user(session, name="local"), name="PV44.wav",
                          stream=io.BytesIO(WAV), folder=tmp_path / "media", limit=len(WAV))
    engine.dispose()
    assert len(files_in(tmp_path / "media")) == 1
    erased = runner.invoke(cli, ["erase", "document", "--project", "Study", "PV44.txt", "--confirm", "PV44.txt"])
    assert erased.exit_code == 0, erased.stderr
    assert files_in(tmp_path / "media") == []
