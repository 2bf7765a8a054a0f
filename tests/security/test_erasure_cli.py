"""`peerframe erase`: a transcript or a project erased from the command line, confirmed by its name."""

import pytest
from typer.testing import CliRunner

from server.cli import app
from tests.security.test_erasure import MARKER, WITHDRAWN, _bytes

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    (tmp_path / "PV44 interview.txt").write_bytes(_bytes(WITHDRAWN))
    (tmp_path / "PV45 interview.txt").write_bytes(b"PV45: A friend brought me along.")
    imported = runner.invoke(app, ["import", "--project", "Study", str(tmp_path / "PV44 interview.txt"),
                                   str(tmp_path / "PV45 interview.txt")])
    assert imported.exit_code == 0, imported.stderr
    return tmp_path


def database_bytes(env) -> bytes:
    return b"".join(p.read_bytes() for p in env.glob("cli.db*"))


def test_a_wrong_name_erases_nothing(env):
    refused = runner.invoke(app, ["erase", "document", "--project", "Study", "PV44 interview.txt", "--confirm", "PV44"])
    assert refused.exit_code == 1 and "so nothing was deleted" in refused.stderr
    typed = runner.invoke(app, ["erase", "document", "--project", "Study", "PV44 interview.txt"], input="pv44\n")
    assert typed.exit_code == 1 and "Type its name to confirm" in typed.stdout
    missing = runner.invoke(app, ["erase", "document", "--project", "Study", "PV46.txt", "--confirm", "PV46.txt"])
    assert missing.exit_code == 1 and "no transcripts called 'PV46.txt'" in missing.stderr
    assert MARKER.encode() in database_bytes(env)
    assert runner.invoke(app, ["erase", "log"]).stdout == ""


def test_erasing_a_transcript_then_the_project_leaves_only_tombstones(env):
    typed = runner.invoke(app, ["erase", "document", "--project", "Study", "PV44 interview.txt"],
                          input="PV44 interview.txt\n")
    assert typed.exit_code == 0, typed.stderr
    assert "deleted the transcript 'PV44 interview.txt' (0 codings)" in typed.stdout
    assert MARKER.encode() not in database_bytes(env)
    gone = runner.invoke(app, ["erase", "project", "Study", "--confirm", "Study"])
    assert gone.exit_code == 0 and "deleted the project 'Study' (1 transcript, 0 codings)" in gone.stdout
    assert b"A friend brought me along" not in database_bytes(env)
    log = runner.invoke(app, ["erase", "log"]).stdout.splitlines()
    assert len(log) == 2 and "deleted the project 'Study'" in log[0]
    assert "\tStudy\tdeleted the transcript 'PV44 interview.txt'" in log[1] and "local" in log[1]
    assert runner.invoke(app, ["export", "project", "--project", "Study", "-o", str(env / "x.qdpx")]).exit_code == 1
