"""Migrations keep existing databases working: data made under an older schema survives an upgrade."""

import pytest
from alembic import command
from sqlalchemy import inspect, text

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import alembic_config, make_engine, migrate, session_for
from coding.text.transcripts import read_transcript
from tests.builders import txt_bytes
from tests.conftest import BACKENDS, POSTGRES_URL, _truncate


def test_an_old_database_upgrades_and_gets_code_profiles(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0001")
    with engine.begin() as db:
        db.execute(text("INSERT INTO project (name, description, framework_id, framework_version, created_at) "
                        "VALUES ('Old', '', 'side-by-side', '1', '2026-01-01')"))
        db.execute(text("INSERT INTO code (project_id, key, name, kind, definition, citation, colour, patterns, "
                        "position, retired) VALUES (1, 'safety', 'Safety', 'value', 'd', '', '#112233', '[]', 0, 0)"))
        db.execute(text("INSERT INTO user (name, display_name, created_at) VALUES ('local', 'local', '2026-01-01')"))
    migrate(engine)
    with engine.connect() as db:
        profile = db.execute(text("SELECT profile FROM code WHERE key = 'safety'")).scalar_one()
        preferences = db.execute(text("SELECT preferences FROM user")).scalar_one()
    assert profile == get_framework("side-by-side").codes[1].profile and profile
    assert preferences == "{}"


def test_sub_codes_wearing_their_parents_colour_get_their_own_but_chosen_colours_stay(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0015")
    insert_code = text("INSERT INTO code (project_id, key, parent_key, name, kind, definition, citation, colour, "
                       "patterns, profile, aliases, position, retired) "
                       "VALUES (1, :key, :parent, :key, 'value', 'd', '', :colour, '[]', '', '[]', :position, :no)")
    with engine.begin() as db:
        db.execute(text("INSERT INTO project (name, description, framework_id, framework_version, created_at, blind) "
                        "VALUES ('Old', '', 'side-by-side', '1', '2026-01-01', :no)"), {"no": False})
        db.execute(text("INSERT INTO user (name, display_name, created_at, preferences) "
                        "VALUES ('local', 'local', '2026-01-01', '{}')"))
        for position, (key, parent, colour) in enumerate([
                ("safety", None, "#80b1d3"), ("safety/a", "safety", "#80b1d3"), ("safety/b", "safety", "#80b1d3"),
                ("safety/c", "safety", "#123456"), ("safety/a/deep", "safety/a", "#80b1d3")]):
            db.execute(insert_code, {"key": key, "parent": parent, "colour": colour, "position": position, "no": False})
        # the lead chose safety/b's colour on the codebook page (the same blue, on purpose)
        db.execute(text("INSERT INTO event (project_id, user_id, at, kind, payload) VALUES (1, 1, '2026-01-02', "
                        "'code.updated', :payload)"),
                   {"payload": '{"code": "safety/b", "before": {"colour": "#80b1d4"}, "after": {"colour": "#80b1d3"}}'})
    migrate(engine)
    with engine.connect() as db:
        colours = dict(db.execute(text("SELECT key, colour FROM code")).all())
    framework = {c.id: c.colour for c in get_framework("side-by-side").walk()}
    assert colours["safety"] == "#80b1d3"
    assert colours["safety/a"] == framework["safety/shared-experience"]  # as a new project's first sub-code
    assert colours["safety/b"] == "#80b1d3" and colours["safety/c"] == "#123456"  # chosen: untouched
    assert colours["safety/a/deep"] not in {colours["safety/a"], "#80b1d3"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_statuses_and_memos_arrive_on_a_database_from_before_them(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else POSTGRES_URL
    engine = make_engine(url)
    try:
        if backend == "postgresql":
            with engine.begin() as db:
                db.execute(text("DROP SCHEMA public CASCADE"))
                db.execute(text("CREATE SCHEMA public"))
        command.upgrade(alembic_config(engine), "0015")
        with engine.begin() as db:
            assert "memo" not in inspect(db).get_table_names()
        migrate(engine)
        with session_for(engine) as session:
            user = store.ensure_user(session, name="ann")
            project = store.create_project(session, name="Old", framework=get_framework("side-by-side"), user=user)
            document = store.import_document(session, project_id=project.id, user=user,
                                             transcript=read_transcript("pv44.txt", txt_bytes()))
            store.set_status(session, document=document, user=user, state="done")
            store.write_document_memo(session, document=document, user=user, text="kept")
            store.add_project_memo(session, project_id=project.id, user=user, title="Plan", text="")
            assert store.status_of(session, document_id=document.id, user=user) == "done"
            assert [m.text for m, _ in store.document_memos(session, document_id=document.id)] == ["kept"]
        command.downgrade(alembic_config(engine), "0015")
        with engine.begin() as db:
            assert not {"memo", "documentstatus"} & set(inspect(db).get_table_names())
    finally:
        if backend == "postgresql":
            command.upgrade(alembic_config(engine), "head")  # the rest of the run shares this database
            _truncate(engine)
        engine.dispose()
