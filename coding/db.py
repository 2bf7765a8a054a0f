"""Engines, sessions and migrations."""

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _private_file(path: Path) -> None:
    """Create a new database file readable by its owner only (SQLite gives its -wal and -shm files the same)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def make_engine(url: str) -> Engine:
    """An engine for SQLite (file created with its folder) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Optional[Engine]) -> Config:
    """An Alembic configuration that runs on the given engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = 72_61_2017  # a PostgreSQL advisory lock id: one worker migrates while the others wait


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def _revision(connection: Connection) -> Optional[str]:
    """The revision the database is at (None for a database with no schema yet)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


_template_lock = threading.Lock()


@lru_cache(maxsize=1)
def _memory_template() -> Engine:
    """An in-memory SQLite database brought up to date once per process, for new in-memory databases to copy
    (its engine is kept, and with it the one connection that holds the database)."""
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    command.upgrade(alembic_config(engine), "head")
    return engine


def migrate(engine: Engine) -> None:
    """Bring the database schema up to date; safe when several server workers start at once. A database already
    at the newest revision is left as it is; a new in-memory one copies a migrated one (same schema, at once)."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            revision = _revision(connection)
            if revision == head_revision():
                return
            if revision is None and engine.url.database in (None, "", ":memory:"):
                connection.rollback()
                with _template_lock, _memory_template().connect() as template:
                    template.connection.driver_connection.backup(connection.connection.driver_connection)
                return
        command.upgrade(alembic_config(engine), "head")
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK})
        try:
            if _revision(connection) != head_revision():
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK})
            connection.commit()


def session_for(engine: Engine) -> Session:
    """A new session; objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
