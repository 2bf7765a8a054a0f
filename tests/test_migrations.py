"""Migrations keep existing databases working: data made under an older schema survives an upgrade."""

from alembic import command
from sqlalchemy import text

from coding.db import alembic_config, make_engine, migrate
from coding.frameworks import get_framework


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
