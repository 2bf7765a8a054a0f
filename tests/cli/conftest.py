"""Fixtures for the command-line tests: a database the `peerframe` command opens (a SQLite file, or the test
PostgreSQL database), and a team project in it."""

import pytest

from coding import store
from coding.codebook.frameworks import get_framework
from coding.exchange import batch_import
from coding.team import accounts
from tests.builders import code_phrase, mark_done, txt_bytes
from tests.cli_world import opened
from tests.conftest import BACKENDS, POSTGRES_URL, _truncate


@pytest.fixture(params=BACKENDS)
def cli_url(request, tmp_path, monkeypatch) -> str:
    """The database URL the command line uses for this test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        _truncate(request.getfixturevalue("postgres_engine"))
        url = POSTGRES_URL
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


@pytest.fixture
def team(cli_url):
    """Project "Study" led by the local user, with coders sam and kim (both done with "pv44.txt", which they
    coded differently), viewer vic, and outsider out who belongs to no project."""
    with opened(cli_url) as session:
        local = store.ensure_user(session, name="local")
        people = {name: store.ensure_user(session, name=name) for name in ("sam", "kim", "vic", "out")}
        project = store.create_project(session, name="Study", framework=get_framework("side-by-side"), user=local)
        store.create_project(session, name="Other", framework=get_framework("imroc"), user=local)
        for name, role in (("sam", "coder"), ("kim", "coder"), ("vic", "viewer")):
            accounts.set_member(session, project_id=project.id, user=people[name], role=role, by=local)
        first = batch_import.import_one(session, project_id=project.id, user=local, name="pv44.txt", data=txt_bytes())
        batch_import.import_one(session, project_id=project.id, user=local, name="pv45.txt",
                                data=b"Interviewer: Hello?\nPV45: A friend brought me along.\n")
        accounts.assign(session, document=first, coder=people["sam"], by=local)
        accounts.assign(session, document=first, coder=people["kim"], by=local)
        code_phrase(session, first, people["sam"], "Nobody judges you", "safety")
        code_phrase(session, first, people["kim"], "Nobody judges you", "safety")
        code_phrase(session, first, people["sam"], "A friend told me.", "focus")
        mark_done(session, first, people["sam"], people["kim"])
        return {"project": project.id, "other": store.find_project(session, name="Other").id, "document": first.id}
