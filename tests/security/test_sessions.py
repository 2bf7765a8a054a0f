"""Sessions: no cookie can be forged or replayed, and signing out, a new password or an administrator ends them."""

import os
import stat
import threading

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import select
from typer.testing import CliRunner

from coding.db import session_for
from coding.models import User, UserSession
from coding.team import accounts, signin
from server import auth
from server.app import create_app
from server.cli import app as cli
from server.settings import Settings, key_file_for
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
PUBLISHED = "peerframe-local-development-secret"  # the constant earlier versions signed with


def _file_url(tmp_path, db_url: str) -> str:
    """A database several apps (workers) can share: the PostgreSQL one, or an SQLite file."""
    return db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'team.db'}"


@pytest.fixture
def shared_url(tmp_path, db_url):
    return _file_url(tmp_path, db_url)


@pytest.fixture
def workers(shared_url, tmp_path):
    """Two apps on one database with one key file, as `peerframe serve --workers 2` runs them."""
    key_file = str(tmp_path / "workers.secret-key")
    apps = [create_app(Settings(database_url=shared_url, secret_key_file=key_file, single_user=False))
            for _ in range(2)]
    with session_for(apps[0].state.engine) as session:
        accounts.create_user(session, name="ada", password=PASSWORD, admin=True)
        accounts.create_user(session, name="sam", password=PASSWORD)
    return apps


def sign_in(app, name: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    page = client.post("/login", data={"name": name, "password": password}, follow_redirects=True)
    assert page.status_code == 200, page.text
    client.headers["X-CSRF-Token"] = csrf_token(page.text)
    return client


def replay(app, cookie: str):
    """The signed-in page, asked for with nothing but a copied cookie."""
    return TestClient(app, cookies={auth.COOKIE: cookie}).get("/account", follow_redirects=False)


def _live(app, name: str) -> int:
    with session_for(app.state.engine) as session:
        return signin.live_sessions(session, user=accounts.find_user(session, name=name))


def test_without_a_configured_key_one_is_made_beside_the_database_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("PEERFRAME_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'team.db'}"
    first, again = Settings(database_url=url), Settings(database_url=url)
    key_file = tmp_path / "team.db.secret-key"
    assert first.secret_key == again.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 48 and first.secret_key != PUBLISHED
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}").secret_key != first.secret_key
    assert Settings(database_url="sqlite://").secret_key != Settings(database_url="sqlite://").secret_key


def test_every_database_url_scheme_gets_a_generated_key(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PEERFRAME_SECRET_KEY", raising=False)
    for url in ("postgres://u@127.0.0.1/x", "postgresql://u@127.0.0.1/x", "postgresql+psycopg://u@127.0.0.1/x"):
        assert key_file_for(url) == tmp_path / ".local" / "share" / "peerframe" / "secret-key"
        assert Settings(database_url=url).secret_key not in ("", PUBLISHED)
    assert stat.S_IMODE(key_file_for("postgres://u@h/x").stat().st_mode) == 0o600


def test_a_key_file_others_can_read_or_a_published_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("PEERFRAME_SECRET_KEY", raising=False)
    key_file = tmp_path / "open.key"
    key_file.write_text("x" * 64)
    os.chmod(key_file, 0o644)
    with pytest.raises(ValueError, match="can be read by other users"):
        Settings(database_url="sqlite://", secret_key_file=str(key_file))
    for known in (PUBLISHED, "short"):
        with pytest.raises(ValueError, match="long random value"):
            Settings(database_url="sqlite://", secret_key=known)


def test_cookies_forged_with_any_known_key_or_naming_no_live_session_are_refused(workers):
    app = workers[0]
    with session_for(app.state.engine) as session:
        ada = accounts.find_user(session, name="ada")
    forged = [URLSafeTimedSerializer(PUBLISHED, salt="peerframe-session").dumps({"uid": ada.id, "csrf": "x"}),
              URLSafeTimedSerializer(PUBLISHED, salt="peerframe-session").dumps({"sid": "guess"}),
              # even signed with the server's own key, a cookie must name a session the server started
              URLSafeTimedSerializer(app.state.settings.secret_key, salt="peerframe-session").dumps({"uid": ada.id}),
              URLSafeTimedSerializer(app.state.settings.secret_key, salt="peerframe-session").dumps({"sid": "guess"}),
              "x" * 5000]
    for cookie in forged:
        response = replay(app, cookie)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert TestClient(app, cookies={auth.COOKIE: forged[0]}).get("/admin/users", follow_redirects=False).status_code == 303


def test_the_cookie_holds_no_user_id_and_the_database_only_its_hash(workers):
    client = sign_in(workers[0], "ada")
    token = auth.URLSafeTimedSerializer(workers[0].state.settings.secret_key, salt="peerframe-session").loads(
        client.cookies[auth.COOKIE])
    assert set(token) == {"sid"}
    with session_for(workers[0].state.engine) as session:
        stored = session.exec(select(UserSession.token_hash)).all()
    assert token["sid"] not in stored and len(stored) == 1


def test_a_cookie_replayed_after_signing_out_is_refused_by_every_worker(workers):
    client = sign_in(workers[0], "sam")
    cookie = client.cookies[auth.COOKIE]
    assert replay(workers[1], cookie).status_code == 200  # the other worker knows the session
    assert client.post("/logout", follow_redirects=False).status_code == 303
    for worker in workers:
        response = replay(worker, cookie)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert _live(workers[0], "sam") == 0


def test_changing_ones_password_ends_the_other_sessions_not_this_one(workers):
    laptop, phone = sign_in(workers[0], "sam"), sign_in(workers[1], "sam")
    wrong = laptop.post("/account/password", data={"current": "not it at all", "password": "a new long password",
                                                   "confirm": "a new long password"})
    assert wrong.status_code == 422 and "current password is not right" in wrong.text
    assert replay(workers[1], phone.cookies[auth.COOKIE]).status_code == 200  # nothing changed
    changed = laptop.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                     "confirm": "a new long password"})
    assert changed.status_code == 200 and "signed out on 1 other browser" in changed.text
    assert replay(workers[1], phone.cookies[auth.COOKIE]).status_code == 303
    assert laptop.get("/account", follow_redirects=False).status_code == 200
    assert TestClient(workers[1]).post("/login", data={"name": "sam", "password": PASSWORD}).status_code == 401
    sign_in(workers[1], "sam", "a new long password")


def test_an_administrator_ends_a_users_sessions_and_resets_a_password(workers):
    admin, sam = sign_in(workers[0], "ada"), sign_in(workers[1], "sam")
    with session_for(workers[0].state.engine) as session:
        sam_id = accounts.find_user(session, name="sam").id
    # sam is no administrator: he can do neither to ada
    assert sam.post(f"/admin/users/{sam_id - 1}/sessions/end").status_code == 403
    assert replay(workers[0], admin.cookies[auth.COOKIE]).status_code == 200
    ended = admin.post(f"/admin/users/{sam_id}/sessions/end")
    assert ended.status_code == 200 and "sam is signed out on 1 browser" in ended.text
    assert replay(workers[1], sam.cookies[auth.COOKIE]).status_code == 303
    sam = sign_in(workers[1], "sam")
    short = admin.post(f"/admin/users/{sam_id}/password", data={"password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.text
    assert replay(workers[1], sam.cookies[auth.COOKIE]).status_code == 200  # a refused reset changes nothing
    reset = admin.post(f"/admin/users/{sam_id}/password", data={"password": "told in person"})
    assert reset.status_code == 200 and replay(workers[1], sam.cookies[auth.COOKIE]).status_code == 303
    sign_in(workers[0], "sam", "told in person")


def test_the_command_line_sets_a_password_and_signs_a_user_out(workers, shared_url, monkeypatch, tmp_path):
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", shared_url)
    monkeypatch.setenv("PEERFRAME_SECRET_KEY_FILE", str(tmp_path / "workers.secret-key"))
    runner = CliRunner()
    sam = sign_in(workers[0], "sam")
    out = runner.invoke(cli, ["users", "sign-out", "sam"])
    assert out.exit_code == 0 and "signed out of 1 session" in out.stdout
    assert replay(workers[0], sam.cookies[auth.COOKIE]).status_code == 303
    sam = sign_in(workers[0], "sam")
    short = runner.invoke(cli, ["users", "password", "sam", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr
    assert replay(workers[0], sam.cookies[auth.COOKIE]).status_code == 200
    changed = runner.invoke(cli, ["users", "password", "sam", "--password-stdin"], input="another long one\n")
    assert changed.exit_code == 0 and replay(workers[0], sam.cookies[auth.COOKIE]).status_code == 303
    sign_in(workers[0], "sam", "another long one")


def test_first_run_setup_sent_many_times_at_once_makes_exactly_one_administrator(shared_url, tmp_path):
    app = create_app(Settings(database_url=shared_url, secret_key_file=str(tmp_path / "k"), single_user=False))
    answers, start = [], threading.Barrier(8)

    def attempt(n: int) -> None:
        client = TestClient(app)
        start.wait()
        answers.append(client.post("/setup", data={"name": f"admin{n}", "password": PASSWORD, "confirm": PASSWORD},
                                   follow_redirects=False).status_code)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_for(app.state.engine) as session:
        users = session.exec(select(User)).all()
    assert sorted(answers) == [303] + [403] * 7
    assert len(users) == 1 and users[0].is_admin


def test_single_user_mode_answers_only_this_machine_however_it_was_started():
    app = create_app(Settings(database_url="sqlite://", single_user=True))
    assert TestClient(app, base_url="http://127.0.0.1", client=("127.0.0.1", 5000)).get("/").status_code == 200
    elsewhere = TestClient(app, base_url="http://127.0.0.1", client=("192.168.1.20", 5000)).get("/")
    assert elsewhere.status_code == 403 and "only this machine" in elsewhere.text
    assert TestClient(app, client=("127.0.0.1", 5000)).get("/").status_code == 400  # Host: testserver
    assert TestClient(app, base_url="http://evil.example", client=("127.0.0.1", 5000)).get("/").status_code == 400


def test_a_new_database_file_and_its_key_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("PEERFRAME_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'team.db'}"
    app = create_app(Settings(database_url=url, single_user=False))
    app.state.engine.dispose()
    for name in ("team.db", "team.db.secret-key"):
        assert stat.S_IMODE((tmp_path / "data" / name).stat().st_mode) == 0o600, name
