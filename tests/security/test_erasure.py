"""Erasure on purpose: a lead deletes a transcript or a project, confirmed by its name, and nothing of its
text survives in pages, exports, REFI-QDA projects, the log or the database; a tombstone says who and when."""

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel, select

from coding import erasure, store
from coding.analysis import queries
from coding.analysis.retrieval import QuoteFilter
from coding.db import session_for
from coding.models import Document, Event, Project, SuggestionModel
from coding.suggest import review
from coding.team import accounts, reconcile
from coding.text.transcripts import read_transcript
from server.app import create_app
from server.settings import Settings
from tests import builders
from tests.test_routes_team import bearer, signed_in, team  # noqa: F401 (team is a fixture)

MARKER = "qzxvwithdrawnmarker"  # one word, lower case: the learned model keeps words as they are
WITHDRAWN = [("Interviewer", "How did the group feel?"),
             ("PV47", f"I felt safe there, {MARKER} said the room keeps what is said."),
             ("Interviewer", "And afterwards?"),
             ("PV47", f"Nobody judged me about {MARKER} and I kept going back every week.")]


def _bytes(turns) -> bytes:
    return "\n\n".join(f"{speaker}: {words}" for speaker, words in turns).encode()


def build_world(app, team) -> dict:
    """To the team's project X (lead, coder, viewer; transcript pv44.txt kept) a withdrawn transcript coded by
    two coders, decided on, suggested, learned from and saved in a query; project Y is an outsider's."""
    with session_for(app.state.engine) as session:
        lead, coder = (accounts.find_user(session, name=n) for n in ("lead", "coder"))
        x = team["x"]
        gone = store.import_document(session, project_id=x, user=lead, participant="PV47",
                                     transcript=read_transcript("PV47 interview.txt", _bytes(WITHDRAWN)))
        kept = store.get_document(session, document_id=team["doc_x"])
        store.set_attributes(session, project_id=x, user=lead, rows=[("PV47", {"approach": "group"})])
        accounts.assign(session, document=gone, coder=coder, by=lead)
        safety = store.get_code(session, project_id=x, key="safety")
        turn = store.document_turns(session, document_id=gone.id)[1]
        for who in (lead, coder):
            store.add_coding(session, document=gone, code=safety, user=who, start=turn.start, end=turn.end,
                             memo=f"memo about {MARKER}")
        builders.mark_done(session, gone, lead, coder)
        store.write_document_memo(session, document=gone, user=coder, text=f"my memo on {MARKER}")
        kept_turn = store.document_turns(session, document_id=kept.id)[1]
        store.add_coding(session, document=kept, code=safety, user=lead, start=kept_turn.start, end=kept_turn.end)
        agreed = next(i for i in reconcile.items(session, document=gone) if i.code.key == "safety")
        reconcile.decide(session, document=gone, lead=lead, unit="turn", start=agreed.start, end=agreed.end,
                         code_key="safety", decision="agreed", reason=f"both saw {MARKER}")
        last = store.document_turns(session, document_id=gone.id)[3]
        review.reject(session, document=gone, user=coder, code_key="human-connection", start=last.start,
                      end=last.end)
        model = review.retrain(session, project_id=x)
        assert MARKER in str(model.bags), "the learned model should hold the transcript's words before erasure"
        queries.save_query(session, project_id=x, user=lead, name="mine",
                           wanted=QuoteFilter(document_ids=[gone.id, kept.id]))
        return {**team, "gone": gone.id, "kept": kept.id, "name": gone.name}


def rows_with(engine, needle: str) -> list[str]:
    """Every row of every table whose values contain `needle` (any case), named by table."""
    found = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                if needle.lower() in repr(tuple(row)).lower():
                    found.append(f"{table.name}: {tuple(row)}")
    return found


def unzipped(data: bytes) -> str:
    """All members of a zip file (Word, Excel, REFI-QDA) as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def exported(client: TestClient, project_id: int) -> dict[str, str]:
    """The project's quotes as Word, Excel and CSV, and the REFI-QDA project, as text."""
    out = {}
    for name in ("quotes.docx", "quotes.xlsx", "quotes.csv", "project.qdpx"):
        response = client.get(f"/projects/{project_id}/export/{name}")
        assert response.status_code == 200, (name, response.text[:200])
        out[name] = response.text if name.endswith(".csv") else unzipped(response.content)
    return out


@pytest.fixture
def team_app(db_url, request, tmp_path):
    """The team server; on a SQLite file for tests that ask for `on_file`."""
    if "on_file" in request.fixturenames:
        if db_url != "sqlite://":
            pytest.skip("the database file is checked on SQLite")
        db_url = f"sqlite:///{tmp_path / 'peerframe.db'}"
    return create_app(Settings(database_url=db_url, secret_key="erasure-test-secret", single_user=False))


@pytest.fixture
def on_file(tmp_path):
    return tmp_path / "peerframe.db"


@pytest.fixture
def world(team_app, team):
    return build_world(team_app, team)


def test_the_confirmation_page_says_what_goes_and_asks_for_the_name(team_app, world):
    lead = signed_in(team_app, "lead")
    assert f'href="/documents/{world["gone"]}/delete"' in lead.get(f"/documents/{world['gone']}").text
    page = lead.get(f"/documents/{world['gone']}/delete")
    assert page.status_code == 200
    assert "PV47 interview" in page.text and "3 codings, by 2 coders and in the consensus layer" in page.text
    assert 'name="confirm"' in page.text and 'name="csrf_token"' in page.text
    whole = lead.get(f"/projects/{world['x']}/delete").text
    assert "Delete the project" in whole and "2 transcripts" in whole and "4 codings, by 2 coders and in the consensus layer" in whole


def test_a_deleted_transcript_is_gone_from_pages_exports_and_every_row(team_app, world):
    lead = signed_in(team_app, "lead")
    before = exported(lead, world["x"])
    assert all(MARKER in body for body in before.values()), "the exports should hold the passage before erasure"
    response = lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]},
                         follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/projects/{world['x']}"
    assert lead.get(f"/documents/{world['gone']}").status_code == 404
    assert lead.get(f"/api/documents/{world['gone']}").status_code == 404
    project_page = lead.get(f"/projects/{world['x']}").text
    assert "pv44.txt" in project_page and "PV47 interview" not in project_page
    for page in ("quotes", "analysis", "pseudonyms"):
        assert MARKER not in lead.get(f"/projects/{world['x']}/{page}").text
    for name, body in exported(lead, world["x"]).items():
        assert MARKER not in body, f"{name} still holds the erased passage"
        assert "PV47 interview" not in body, f"{name} still names the erased transcript"
    assert rows_with(team_app.state.engine, MARKER) == []
    with session_for(team_app.state.engine) as session:
        assert session.get(Document, world["kept"]) is not None
        assert len(store.project_codings(session, project_id=world["x"])) == 1
        assert store.get_participant(session, project_id=world["x"], label="PV47") is None
        assert store.get_participant(session, project_id=world["x"], label="PV44") is not None
        assert queries.find_query(session, project_id=world["x"], name="mine").params["document_ids"] == [world["kept"]]
        assert session.exec(select(SuggestionModel)).all(), "the model is retrained from what remains"


def test_the_log_keeps_a_tombstone_with_who_when_and_how_many_but_no_text(team_app, world):
    lead = signed_in(team_app, "lead")
    lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]})
    with session_for(team_app.state.engine) as session:
        events = store.list_events(session, project_id=world["x"])
        about = [e for e in events if e.document_id == world["gone"]]
        tombstone = next(e for e in events if e.kind == "document.erased")
    assert about == [], "the transcript's own events (codings, memos, decisions) are erased with it"
    assert tombstone.payload["name"] == "PV47 interview.txt" and tombstone.payload["codings"] == 3
    assert MARKER not in repr(tombstone.payload)
    activity = lead.get(f"/projects/{world['x']}/activity").text
    assert "deleted the transcript &#39;PV47 interview.txt&#39; (3 codings)" in activity
    assert tombstone.at.strftime("%Y-%m-%d %H:%M") in activity and "lead" in activity
    assert MARKER not in activity


def test_a_wrong_name_shows_the_form_again_and_deletes_nothing(team_app, world):
    lead = signed_in(team_app, "lead")
    response = lead.post(f"/documents/{world['gone']}/delete", data={"confirm": "PV44"})
    assert response.status_code == 422
    assert "so nothing was deleted" in response.text and 'name="confirm"' in response.text
    assert "PV47 interview" in response.text
    api = bearer(team_app, world["tokens"]["lead"]).request("DELETE", f"/api/projects/{world['x']}",
                                                           json={"confirm": "x"})
    assert api.status_code == 422 and "name exactly as shown" in api.json()["detail"]
    assert lead.get(f"/documents/{world['gone']}").status_code == 200
    assert len(rows_with(team_app.state.engine, MARKER)) > 5
    with session_for(team_app.state.engine) as session:
        assert erasure.tombstones(session) == []


@pytest.mark.parametrize("who, status", [("coder", 403), ("viewer", 403), ("outsider", 404)])
def test_only_a_lead_of_the_project_may_delete(team_app, world, who, status):
    client = signed_in(team_app, who)
    document, project = world["gone"], world["x"]
    assert client.get(f"/documents/{document}/delete").status_code == status
    refused = client.post(f"/documents/{document}/delete", data={"confirm": world["name"]})
    assert refused.status_code == status
    assert ("needs the lead role" in refused.text) if status == 403 else ("no document" in refused.text)
    assert client.post(f"/projects/{project}/delete", data={"confirm": "X"}).status_code == status
    api = bearer(team_app, world["tokens"][who])
    assert api.request("DELETE", f"/api/documents/{document}", json={"confirm": world["name"]}).status_code == status
    assert api.request("DELETE", f"/api/projects/{project}", json={"confirm": "X"}).status_code == status
    with session_for(team_app.state.engine) as session:
        assert session.get(Document, document) is not None and session.get(Project, project) is not None
        assert erasure.tombstones(session) == []
    assert signed_in(team_app, "lead").get(f"/documents/{document}").status_code == 200


def test_a_form_without_the_csrf_token_deletes_nothing(team_app, world):
    lead = signed_in(team_app, "lead")
    del lead.headers["X-CSRF-Token"]
    assert lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]}).status_code == 403
    assert lead.get(f"/documents/{world['gone']}").status_code == 200


def test_the_api_deletes_a_transcript_when_the_name_is_confirmed(team_app, world):
    api = bearer(team_app, world["tokens"]["lead"])
    assert api.request("DELETE", f"/api/documents/{world['gone']}", json={}).status_code == 422
    response = api.request("DELETE", f"/api/documents/{world['gone']}", json={"confirm": world["name"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["kind"], body["name"], body["by"], body["codings"]) == ("document.erased", "PV47 interview.txt", "lead", 3)
    assert api.get(f"/api/documents/{world['gone']}").status_code == 404
    assert MARKER not in api.get(f"/api/projects/{world['x']}/codings").text
    assert rows_with(team_app.state.engine, MARKER) == []


def test_a_deleted_project_is_gone_everywhere_and_its_tombstones_outlive_it(team_app, world):
    lead = signed_in(team_app, "lead")
    lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]})
    page = lead.get(f"/projects/{world['x']}/delete")
    assert "1 transcript," in page.text and "1 coding, by 1 coder" in page.text
    response = lead.post(f"/projects/{world['x']}/delete", data={"confirm": "X"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    for path in ("", "/quotes", "/activity", "/export/project.qdpx", "/delete"):
        assert lead.get(f"/projects/{world['x']}{path}").status_code == 404, path
    assert lead.get(f"/documents/{world['kept']}").status_code == 404
    assert [p["name"] for p in bearer(team_app, world["tokens"]["lead"]).get("/api/projects").json()] == []
    assert rows_with(team_app.state.engine, MARKER) == []
    with session_for(team_app.state.engine) as session:
        left = erasure.tombstones(session)
        assert [(e.kind, e.project_id, e.payload["name"]) for e in left] == [
            ("project.erased", None, "X"), ("document.erased", None, "PV47 interview.txt")]
        assert left[0].payload["documents"] == 1 and left[0].payload["codings"] == 1
        assert session.exec(select(Event).where(Event.project_id == world["x"])).all() == []
        assert session.get(Document, world["kept"]) is None and store.document_turns(session, document_id=world["kept"]) == []
        assert store.get_project(session, project_id=world["y"]).name == "Y"
        assert [d.id for d in store.list_documents(session, project_id=world["y"])] == [world["doc_y"]]
    outsider = signed_in(team_app, "outsider")
    assert outsider.get(f"/projects/{world['y']}").status_code == 200


def test_erasure_leaves_no_text_in_the_sqlite_file_or_its_write_ahead_log(on_file, team_app, world):
    files = [on_file, on_file.with_name(on_file.name + "-wal")]
    assert any(MARKER.encode() in f.read_bytes() for f in files if f.exists()), "the marker should be on disk first"
    lead = signed_in(team_app, "lead")
    assert lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]}).status_code == 200
    on_disk = b"".join(f.read_bytes() for f in files if f.exists())
    assert MARKER.encode() not in on_disk.lower(), "the database file or its write-ahead log still holds the text"
    assert b"pv44.txt" in on_disk, "the other transcript is still there"
    assert [row.split(":")[0] for row in rows_with(team_app.state.engine, "PV47 interview")] == ["event"], \
        "only the tombstone names the erased transcript"


def test_postgresql_keeps_no_row_with_the_text(team_app, world, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite is checked byte by byte above")
    signed_in(team_app, "lead").post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]})
    with team_app.state.engine.connect() as connection:
        columns = connection.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb')")).all()
        hits = [f"{t}.{c}" for t, c in columns
                if connection.execute(text(f'SELECT count(*) FROM "{t}" WHERE "{c}"::text ILIKE :m'),
                                      {"m": f"%{MARKER}%"}).scalar()]
    assert columns and hits == []


def test_an_administrator_reads_the_tombstone_of_a_deleted_project_and_nobody_else_does(team_app, world):
    lead = signed_in(team_app, "lead")
    lead.post(f"/documents/{world['gone']}/delete", data={"confirm": world["name"]})
    lead.post(f"/projects/{world['x']}/delete", data={"confirm": "X"})
    page = lead.get("/admin/erasures")
    assert page.status_code == 200
    assert "deleted the project &#39;X&#39; (1 transcript, 1 coding)" in page.text
    assert "deleted the transcript &#39;PV47 interview.txt&#39; (3 codings)" in page.text and "X (deleted)" in page.text
    assert MARKER not in page.text
    refused = signed_in(team_app, "outsider").get("/admin/erasures")
    assert refused.status_code == 403 and "only an administrator" in refused.text
    assert "PV47" not in refused.text


def test_the_schema_upgrade_keeps_events_and_lets_a_tombstone_outlive_its_project(tmp_path):
    from alembic import command

    from coding.db import alembic_config, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as db:
        db.execute(text("INSERT INTO user (name, display_name, created_at) VALUES ('ada', 'Ada', '2026-01-01')"))
        db.execute(text("INSERT INTO project (name, description, framework_id, framework_version, created_at, blind) "
                        "VALUES ('Old', '', 'side-by-side', '1', '2026-01-01', 1)"))
        db.execute(text("INSERT INTO event (project_id, user_id, at, kind, payload) "
                        "VALUES (1, 1, '2026-01-01', 'project.created', '{}')"))
    migrate(engine)
    with session_for(engine) as session:
        project = store.get_project(session, project_id=1)
        assert [e.kind for e in store.list_events(session, project_id=1)] == ["project.created"]
        erasure.erase_project(session, project=project, user=store.get_user(session, user_id=1), confirm="Old",
                              media=tmp_path / "media")
        assert [(e.kind, e.project_id) for e in erasure.tombstones(session)] == [("project.erased", None)]
    engine.dispose()
