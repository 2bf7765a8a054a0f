"""A lead marks which speakers spoke through an interpreter; their turns say so on the page and in the API."""

from alembic import command
from sqlalchemy import text

from coding import store
from coding.db import alembic_config, migrate
from coding.text.transcripts import read_transcript
from tests.builders import database_at, txt_bytes


def _document(session, project, user):
    return store.import_document(session, project_id=project.id, user=user,
                                 transcript=read_transcript("pv44.txt", txt_bytes()))


def test_a_marked_speaker_is_stored_badged_and_listed_in_the_api(client, session, project, user):
    document = _document(session, project, user)
    assert 'class="badge interpreted"' not in client.get(f"/documents/{document.id}").text
    response = client.post(f"/documents/{document.id}/interpreted", data={"speakers": ["PV44"]})
    assert response.status_code == 204
    page = client.get(f"/documents/{document.id}").text
    assert page.count("via interpreter</span>") == 2  # PV44's two turns, not the interviewer's
    body = client.get(f"/api/documents/{document.id}").json()
    assert body["interpreted_speakers"] == ["PV44"]
    assert [t["interpreted"] for t in body["turns"]] == [t["speaker"] == "PV44" for t in body["turns"]]
    assert "marked who spoke through an interpreter" in client.get(f"/projects/{project.id}/activity").text


def test_a_speaker_who_is_not_in_the_transcript_is_refused_and_nothing_is_stored(client, session, project, user):
    document = _document(session, project, user)
    response = client.post(f"/documents/{document.id}/interpreted", data={"speakers": ["PV44", "Nobody"]})
    assert response.status_code == 422
    assert "Nobody&#39; is not a speaker in pv44.txt" in response.text
    assert client.get(f"/api/documents/{document.id}").json()["interpreted_speakers"] == []


def test_documents_made_before_the_interpreter_setting_upgrade_with_nobody_marked(tmp_path):
    engine = database_at(
        tmp_path / "old.db", "0010",
        "INSERT INTO project (name, description, framework_id, framework_version, created_at, blind) "
        "VALUES ('Old', '', 'side-by-side', '1', '2026-01-01', 0)",
        "INSERT INTO document (project_id, name, source_format, text, sha256, word_count, interviewer_speakers, "
        "created_at, revealed) VALUES (1, 'old.txt', 'txt', 'A: hi', 'x', 1, '[\"A\"]', '2026-01-01', 0)")
    migrate(engine)
    with engine.connect() as db:
        row = db.execute(text("SELECT interviewer_speakers, interpreted_speakers FROM document")).one()
    assert tuple(row) == ('["A"]', "[]")
    command.downgrade(alembic_config(engine), "0010")
    with engine.connect() as db:
        assert db.execute(text("SELECT name FROM document")).scalar_one() == "old.txt"
    engine.dispose()
