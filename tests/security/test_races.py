"""Requests racing each other leave exactly one record; the losers get 409 (or the same answer).

Each test fires the same request from several threads at once against a file SQLite database and, when
PEERFRAME_TEST_DATABASE_URL is set, PostgreSQL (an in-memory SQLite database is one connection: no race).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import session_for
from coding.models import Code, Coding, Event, Project, Reconciliation
from coding.team import reconcile
from coding.text.transcripts import read_transcript
from server.app import create_app
from server.settings import Settings
from tests.builders import mark_done, txt_bytes
from tests.conftest import BACKENDS, POSTGRES_URL, _truncate, csrf_token, local_client

TABS = 6


@pytest.fixture(params=BACKENDS)
def race_app(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'race.db'}"
    else:
        _truncate(request.getfixturevalue("postgres_engine"))
        url = POSTGRES_URL
    app = create_app(Settings(database_url=url, secret_key="race-test-secret", single_user=True))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def world(race_app):
    """A project, a transcript that two coders coded differently, and the local lead's own coding."""
    with session_for(race_app.state.engine) as session:
        local = store.ensure_user(session, name="local")
        project = store.create_project(session, name="Race", framework=get_framework("side-by-side"), user=local)
        document = store.import_document(session, project_id=project.id, user=local,
                                         transcript=read_transcript("pv44.txt", txt_bytes()))
        safety = store.get_code(session, project_id=project.id, key="safety")
        for name, span in (("ann", (20, 40)), ("ben", None)):
            coder = store.ensure_user(session, name=name)
            if span:
                store.add_coding(session, document=document, code=safety, user=coder, start=span[0], end=span[1])
            else:
                store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id,
                                 key="experience-in-common"), user=coder, start=20, end=40)
        mine = store.add_coding(session, document=document, code=safety, user=local, start=50, end=70)
        mark_done(session, document, *(store.ensure_user(session, name=n) for n in ("ann", "ben")))
        item = next(i for i in reconcile.disagreements(session, document=document) if i.code.key == "safety")
        return {"project": project.id, "document": document.id, "coding": mine.id, "unit": (item.start, item.end)}


def tabs(app, n: int = TABS) -> list[TestClient]:
    """Browser tabs, each with its own connection, session cookie and CSRF token."""
    clients = []
    for _ in range(n):
        client = local_client(app, headers={"HX-Request": "true"})
        client.headers["X-CSRF-Token"] = csrf_token(client.get("/").text)
        clients.append(client)
    return clients


def at_once(clients: list[TestClient], method: str, url: str, **kwargs) -> list:
    """Send the same request from every tab at the same moment; their answers."""
    start = threading.Barrier(len(clients))

    def send(client):
        start.wait()
        return client.request(method, url, **kwargs)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(send, clients))


def count(app, table, *where) -> int:
    with session_for(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(table).where(*where)).one()


def statuses(answers) -> list[int]:
    assert all(a.status_code < 500 for a in answers), [a.text for a in answers if a.status_code >= 500]
    return sorted(a.status_code for a in answers)


def test_the_same_decision_sent_twice_at_once_is_stored_once(race_app, world):
    start, end = world["unit"]
    answers = at_once(tabs(race_app), "POST", f"/documents/{world['document']}/reconcile",
                      data={"unit": "turn", "start": start, "end": end, "code": "safety", "decision": "keep:ann"})
    assert statuses(answers) == [200] + [409] * (TABS - 1)
    assert all("already been decided" in a.json()["detail"] for a in answers if a.status_code == 409)
    assert count(race_app, Reconciliation) == 1
    assert count(race_app, Event, Event.kind == "reconcile.decided") == 1
    with session_for(race_app.state.engine) as session:
        layer = store.consensus_layer(session, project_id=world["project"], create=False)
        live = store.document_codings(session, document_id=world["document"], layers={layer.id})
        decision = session.exec(select(Reconciliation)).one()
    assert [c.id for c in live] == decision.consensus_codings and len(live) == 1


def test_undo_from_several_tabs_undoes_once(race_app, world):
    answers = at_once(tabs(race_app), "POST", f"/projects/{world['project']}/undo")
    codes = statuses(answers)
    undone = [a for a in answers if a.status_code == 204]
    assert len(undone) == 1, codes
    assert all(a.status_code == 409 or a.text == "Nothing to undo" for a in answers if a not in undone)
    assert count(race_app, Event, Event.kind == "undo") == 1
    assert count(race_app, Coding, Coding.id == world["coding"], Coding.removed.is_(True)) == 1


def test_removing_from_several_tabs_logs_one_removal(race_app, world):
    answers = at_once(tabs(race_app), "POST", f"/codings/{world['coding']}/remove")
    assert statuses(answers) == [200] + [404] * (TABS - 1)
    assert all("already removed" in a.json()["detail"] for a in answers if a.status_code == 404)
    assert count(race_app, Event, Event.kind == "coding.removed") == 1


def test_projects_of_the_same_name_made_at_once_make_one(race_app, world):
    answers = at_once(tabs(race_app), "POST", "/api/projects", json={"name": "Same name"})
    assert statuses(answers) == [201] + [409] * (TABS - 1)
    assert all("already exists" in a.json()["detail"] for a in answers if a.status_code == 409)
    assert count(race_app, Project, Project.name == "Same name") == 1


def test_codes_of_the_same_name_made_at_once_never_fail_with_a_server_error(race_app, world):
    answers = at_once(tabs(race_app), "POST", f"/projects/{world['project']}/codes", data={"name": "Worry"})
    made = statuses(answers).count(200)
    assert set(statuses(answers)) <= {200, 409}
    assert count(race_app, Code, Code.project_id == world["project"], Code.name == "Worry") == made


def test_a_coding_on_a_code_retired_a_moment_before_is_refused(race_app, world):
    engine = race_app.state.engine
    with session_for(engine) as coder_session, session_for(engine) as lead_session:
        document = store.get_document(coder_session, document_id=world["document"])
        code = store.get_code(coder_session, project_id=world["project"], key="safety/confidentiality")  # read before retiring
        local = store.ensure_user(coder_session, name="local")
        lead = store.ensure_user(lead_session, name="local")
        store.update_code(lead_session, code=store.get_code(lead_session, project_id=world["project"], key="safety/confidentiality"),
                          user=lead, retired=True)
        with pytest.raises(store.Invalid, match="retired"):
            store.add_coding(coder_session, document=document, code=code, user=local, start=100, end=120)
    confidentiality = select(Code.id).where(Code.project_id == world["project"], Code.key == "safety/confidentiality").scalar_subquery()
    assert count(race_app, Coding, Coding.code_id == confidentiality) == 0
    assert count(race_app, Event, Event.kind == "coding.added") == 3


def test_the_upgrade_folds_duplicates_that_earlier_races_left(tmp_path):
    from alembic import command
    from sqlalchemy import text

    from coding.db import alembic_config, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0006")
    # rows written as the schema of that time had them (today's models have columns it lacks)
    with engine.begin() as db:
        for statement in (
                "INSERT INTO user (id, name, display_name, created_at) VALUES (1, 'local', 'local', '2026-01-01')",
                "INSERT INTO project (id, name, description, framework_id, framework_version, created_at) "
                "VALUES (1, 'Old', '', 'side-by-side', '1', '2026-01-01')",
                "INSERT INTO code (id, project_id, key, name, kind, definition, citation, colour, patterns, position, "
                "retired) VALUES (1, 1, 'safety', 'Safety', 'value', '', '', '#112233', '[]', 0, 0)",
                "INSERT INTO document (id, project_id, name, source_format, text, sha256, word_count, "
                "interviewer_speakers, created_at) VALUES (1, 1, 'pv44.txt', 'txt', 'PV44: ' || printf('%.60c', 'x'), "
                "'x', 1, '[]', '2026-01-01')",
                "INSERT INTO layer (id, project_id, kind, user_id) VALUES (1, 1, 'consensus', NULL)",
                "INSERT INTO coding (id, layer_id, document_id, code_id, start, \"end\", memo, origin, created_by, "
                "created_at, removed) VALUES (1, 1, 1, 1, 20, 40, '', 'manual', 1, '2026-01-01', 0)",
                "INSERT INTO coding (id, layer_id, document_id, code_id, start, \"end\", memo, origin, created_by, "
                "created_at, removed) VALUES (2, 1, 1, 1, 20, 40, '', 'manual', 1, '2026-01-01', 0)"):
            db.execute(text(statement))
    made, ids = (1, 2), (1, 1, 1, 1)  # the two codings; project, document, code, user
    with engine.begin() as db:
        for coding_id in made:
            db.execute(text("INSERT INTO reconciliation (project_id, document_id, code_id, unit_start, unit_end, "
                            "decision, reason, decided_by, at, consensus_codings) VALUES (:p, :d, :c, 0, 50, 'both', "
                            "'', :u, '2026-01-01', :made)"),
                       {"p": ids[0], "d": ids[1], "c": ids[2], "u": ids[3], "made": f"[{coding_id}]"})
        for _ in "ab":
            db.execute(text("INSERT INTO event (project_id, user_id, at, kind, undoes, payload) "
                            "VALUES (:p, :u, '2026-01-01', 'undo', 1, '{}')"), {"p": ids[0], "u": ids[3]})
    migrate(engine)
    with engine.connect() as db:
        assert db.execute(text("SELECT consensus_codings FROM reconciliation")).scalars().all() == [f"[{made[0]}]"]
        assert db.execute(text("SELECT removed FROM coding ORDER BY id")).scalars().all() == [0, 1]
        assert db.execute(text("SELECT count(*) FROM event WHERE undoes = 1")).scalar_one() == 1
    engine.dispose()
