"""Shared fixtures: every test builds its own world.

Database tests run on in-memory SQLite, and also on PostgreSQL when PEERFRAME_TEST_DATABASE_URL is set
(the `db_url` fixture is parametrised over both).
"""

import gc
import os
import re
import threading
from pathlib import Path
from typing import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

# the optional sentence encoder stays out of the way of tests that expect what words alone suggest; the tests of
# the encoder turn it on (tests/test_semantic.py)
os.environ.setdefault("PEERFRAME_SEMANTIC", "off")

from coding import store
from coding.codebook.frameworks import get_framework
from coding.db import make_engine, migrate, session_for
from coding.team import accounts, signin
from server.app import create_app
from server.settings import Settings

# argon2 at the server's cost takes about 0.2 s a hash, and a team test makes and signs in several people: tests
# hash with the same algorithm at its lowest cost (each hash carries its own parameters, so checking is unchanged)
_QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
accounts._hasher = signin._hasher = _QUICK_HASHER
signin._DECOY_HASH = _QUICK_HASHER.hash("decoy for names that have no account")

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIXTURES = SHARED / "fixtures"


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this test process: the one named, or under pytest-xdist one of its own per
    worker beside it (`test_gw0`, …), so that workers never empty each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("PEERFRAME_TEST_DATABASE_URL", ""))
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def shared_file(*parts: str) -> Path:
    """A file under ../shared; the test is skipped with a reason if shared/ is not beside the checkout."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session")
def postgres_engine():
    """One PostgreSQL engine for the run (its database made if need be), its schema rebuilt by the migrations."""
    named = os.environ["PEERFRAME_TEST_DATABASE_URL"]
    if POSTGRES_URL != named:
        server = make_engine(named).execution_options(isolation_level="AUTOCOMMIT")
        database = make_url(POSTGRES_URL).database
        with server.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}).first():
                connection.execute(text(f'CREATE DATABASE "{database}"'))
        server.dispose()
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def _truncate(engine) -> None:
    """Empty every table for the next test. Whatever an earlier test left connected is over: a session it
    dropped inside a reference cycle (freed by collecting now) or one a failed test's traceback still holds
    would keep its transaction, and the lock the TRUNCATE waits on, for ever; such connections are closed."""
    gc.collect(1)  # the young generations, where a test's dropped sessions are: a full collection costs 0.3 s a test
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                "datname = current_database() AND pid <> pg_backend_pid() AND "
                                "state LIKE 'idle in transaction%'"))
        connection.execute(text("SET LOCAL lock_timeout = '60s'"))  # a test still running elsewhere: fail, not hang
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def _jobs_end_with_their_test() -> Iterator[None]:
    """A job a test started in a background thread ends before the next test begins: still running, it would
    write into the next test's emptied database, or hold a transaction its TRUNCATE waits on."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("peerframe-job-"):
            thread.join(120)


@pytest.fixture(params=BACKENDS)
def db_url(request) -> Iterator[str]:
    """A database URL for one test: in-memory SQLite, or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        yield "sqlite://"
    else:
        _truncate(request.getfixturevalue("postgres_engine"))
        yield POSTGRES_URL


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, secret_key="test-secret-key-not-for-production", single_user=True)


@pytest.fixture
def app(settings: Settings):
    """The single-user app; its database connections are closed after the test."""
    built = create_app(settings)
    yield built
    built.state.engine.dispose()


@pytest.fixture
def team_app(db_url: str):
    """The app as a team server (sign-in, roles); its database connections are closed after the test."""
    built = create_app(Settings(database_url=db_url, secret_key="team-test-secret", single_user=False))
    yield built
    built.state.engine.dispose()


def csrf_token(page_html: str) -> str:
    """The CSRF token a page carries (as a browser's htmx would send it)."""
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', page_html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def local_client(app, **options) -> TestClient:
    """A client on this machine, as a single-user server requires (it answers only 127.0.0.1)."""
    return TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 50000), **options)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """A browser-like client: it holds the session cookie and sends the CSRF token, as the pages do."""
    with local_client(app) as test_client:
        test_client.headers["X-CSRF-Token"] = csrf_token(test_client.get("/").text)
        yield test_client


@pytest.fixture
def session(app) -> Iterator[Session]:
    """A session on the app's own database."""
    with session_for(app.state.engine) as db:
        yield db


@pytest.fixture
def user(session: Session):
    return store.ensure_user(session, name="local")


@pytest.fixture
def project(session: Session, user):
    return store.create_project(session, name="Test project", framework=get_framework("side-by-side"), user=user)


def pytest_make_parametrize_id(config, val, argname):
    """File contents in a test's parameters are named by their size: a zip's bytes hold the time it was made,
    and each test process (pytest-xdist) must collect the same names."""
    if isinstance(val, (bytes, bytearray)):
        return f"{argname}-{len(val)}-bytes"
    return None
