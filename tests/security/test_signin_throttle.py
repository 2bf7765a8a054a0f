"""Sign-in throttling holds under guesses sent at once, never locks a whole office out, and tells no names apart."""

import threading

import pytest
from fastapi.testclient import TestClient

from coding.db import session_for
from coding.team import accounts, signin
from server.app import create_app
from server.settings import Settings

PASSWORD = "a long enough password"


@pytest.fixture
def team_app(tmp_path, db_url):
    url = db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'team.db'}"
    app = create_app(Settings(database_url=url, secret_key_file=str(tmp_path / "key"), single_user=False))
    with session_for(app.state.engine) as session:
        accounts.create_user(session, name="ada", password=PASSWORD, admin=True)
        accounts.create_user(session, name="sam", password=PASSWORD)
    return app


def _at_once(count: int, work) -> list:
    results, start = [], threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        results.append(work(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_thirty_guesses_sent_at_once_get_five_answers(team_app):
    def guess(n: int) -> int:
        return TestClient(team_app, client=("203.0.113.9", 4000 + n)).post(
            "/login", data={"name": "sam", "password": f"guess {n}"}).status_code

    answers = _at_once(30, guess)
    # at most five are checked (tries that meet at the same moment may all be held back) ...
    assert answers.count(401) <= signin.MAX_FAILURES and answers.count(401) + answers.count(429) == 30
    # ... and five in all, however they are sent
    answers += [guess(100 + n) for n in range(10)]
    assert answers.count(401) == signin.MAX_FAILURES
    # and the right password from that address is throttled too, with how long to wait
    page = TestClient(team_app, client=("203.0.113.9", 5000)).post("/login", data={"name": "sam", "password": PASSWORD})
    assert page.status_code == 429 and "try again in 15 minutes" in page.text


def test_guesses_at_once_in_the_store_cannot_slip_under_the_limit(team_app):
    def guess(n: int) -> str:
        with session_for(team_app.state.engine) as session:
            try:
                signin.sign_in(session, name="ada", password="wrong", address="198.51.100.4")
            except signin.Throttled:
                return "throttled"
            except signin.SignInRefused:
                return "refused"
        return "signed in"

    answers = _at_once(24, guess)
    assert answers.count("refused") <= signin.MAX_FAILURES and "signed in" not in answers
    answers += [guess(n) for n in range(10)]
    assert answers.count("refused") == signin.MAX_FAILURES and "signed in" not in answers


def test_five_wrong_passwords_from_one_address_do_not_lock_everyone_else_out(team_app):
    office = TestClient(team_app, client=("192.0.2.1", 4000))
    for _ in range(signin.MAX_FAILURES):
        assert office.post("/login", data={"name": "eve", "password": "guess"}).status_code == 401
    assert office.post("/login", data={"name": "eve", "password": "guess"}).status_code == 429
    # colleagues behind the same address still sign in
    for name in ("sam", "ada"):
        assert TestClient(team_app, client=("192.0.2.1", 4001)).post(
            "/login", data={"name": name, "password": PASSWORD}, follow_redirects=False).status_code == 303


def test_a_right_password_clears_the_failures_of_that_name_from_that_address(team_app):
    client = TestClient(team_app, client=("192.0.2.7", 4000))
    for _ in range(signin.MAX_FAILURES - 1):
        assert client.post("/login", data={"name": "sam", "password": "typo"}).status_code == 401
    assert client.post("/login", data={"name": "sam", "password": PASSWORD}, follow_redirects=False).status_code == 303
    for _ in range(signin.MAX_FAILURES):
        assert TestClient(team_app, client=("192.0.2.7", 4001)).post(
            "/login", data={"name": "sam", "password": "typo"}).status_code == 401


@pytest.mark.parametrize("name", ["sam", "nobody-by-this-name", "x" * 300])
def test_known_and_unknown_names_cost_one_password_check_and_get_the_same_words(team_app, name, monkeypatch):
    checks = []

    class Counting:
        def verify(self, hashed, password):
            checks.append(hashed)
            return real.verify(hashed, password)

    real = signin._hasher
    monkeypatch.setattr(signin, "_hasher", Counting())
    page = TestClient(team_app, client=("192.0.2.9", 4000)).post("/login", data={"name": name, "password": "wrong pw"})
    assert page.status_code == 401 and "that name and password do not match an account" in page.text
    assert len(checks) == 1 and checks[0].startswith("$argon2")
