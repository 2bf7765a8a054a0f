"""The `peerframe` command: frameworks, import and export, against a temporary database; and what it loads to start."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as WordDocument
from typer.testing import CliRunner

from server.cli import app
from tests.builders import docx_bytes, txt_bytes

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sqlmodel", "sqlalchemy", "pydantic_settings", "server.settings", "spacy", "docx", "openpyxl", "argon2",
         "coding.models")  # pydantic itself Typer loads when a command parses its options, even for --help


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def test_frameworks_list_and_show_json():
    listed = runner.invoke(app, ["frameworks", "list"])
    assert listed.exit_code == 0 and "side-by-side" in listed.stdout and "imroc" in listed.stdout
    shown = runner.invoke(app, ["frameworks", "show", "side-by-side", "--json"])
    tree = json.loads(shown.stdout)
    assert len(tree["codes"]) == 11
    assert all(code["definition"] and code["children"] for code in tree["codes"])
    missing = runner.invoke(app, ["frameworks", "show", "nope"])
    assert missing.exit_code == 1 and "no framework 'nope'" in missing.stderr
    assert "available: enrich-principles, imroc, peer-support-charter, side-by-side, side-by-side-draft-1, " \
           "srn-values" in missing.stderr


def test_import_then_export_quotes_and_codebook(env):
    (env / "pv44.txt").write_bytes(txt_bytes())
    (env / "pv45.docx").write_bytes(docx_bytes([("Interviewer", "Hi?"), ("PV45", "Hello there.")]))
    result = runner.invoke(app, ["import", "--project", "Study", str(env / "pv44.txt"), str(env / "pv45.docx")])
    assert result.exit_code == 0, result.stderr
    assert "created project 'Study'" in result.stdout and "imported pv45.docx" in result.stdout

    again = runner.invoke(app, ["import", "--project", "Study", str(env / "pv44.txt")])
    assert again.exit_code == 1 and "already in the project" in again.stderr

    out = env / "quotes.docx"
    assert runner.invoke(app, ["export", "quotes", "--project", "Study", "--format", "docx", "-o", str(out)]).exit_code == 0
    assert WordDocument(io.BytesIO(out.read_bytes())).paragraphs[0].text == "Study: coded quotes"
    out_csv = env / "quotes.csv"
    assert runner.invoke(app, ["export", "quotes", "--project", "Study", "--format", "csv", "-o", str(out_csv)]).exit_code == 0
    assert out_csv.read_text(encoding="utf-8-sig").startswith("code,code_path,quote")

    for args in (["--project", "Study"], ["--framework", "imroc"]):
        book = env / "book.docx"
        result = runner.invoke(app, ["export", "codebook", *args, "--format", "docx", "-o", str(book)])
        assert result.exit_code == 0, result.stderr
        assert len(WordDocument(io.BytesIO(book.read_bytes())).paragraphs) > 20


def test_refused_files_are_named_and_the_rest_imported(env):
    (env / "good.txt").write_bytes(txt_bytes())
    (env / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["import", "--project", "P", str(env / "empty.txt"), str(env / "good.txt"),
                                 str(env / "missing.txt")])
    assert result.exit_code == 1
    assert "empty.txt: the file is empty" in result.stderr and "missing.txt: cannot be read" in result.stderr
    assert "imported good.txt" in result.stdout


def test_export_of_a_missing_project_is_a_clear_error(env):
    result = runner.invoke(app, ["export", "quotes", "--project", "Nope", "-o", str(env / "x.docx")])
    assert result.exit_code == 1 and "no project called 'Nope'" in result.stderr


def test_single_user_serve_refuses_a_public_address():
    result = runner.invoke(app, ["serve", "--single-user", "--host", "0.0.0.0"])
    assert result.exit_code == 1 and "loopback" in result.stderr


def test_a_published_or_short_secret_is_refused_plainly(monkeypatch):
    monkeypatch.setenv("PEERFRAME_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    for known in ("peerframe-local-development-secret", "short"):
        monkeypatch.setenv("PEERFRAME_SECRET_KEY", known)
        result = runner.invoke(app, ["import", "--project", "P", "x.txt"])
        assert result.exit_code == 1 and "PEERFRAME_SECRET_KEY must be a long random value" in result.stderr


def test_users_members_and_tokens_from_the_command_line(env):
    (env / "pv44.txt").write_bytes(txt_bytes())
    runner.invoke(app, ["import", "--project", "Team", str(env / "pv44.txt")])
    added = runner.invoke(app, ["users", "add", "sam", "--password-stdin", "--admin"], input="a long password\n")
    assert added.exit_code == 0 and "added user sam (administrator)" in added.stdout
    short = runner.invoke(app, ["users", "add", "kim", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.stderr
    assert runner.invoke(app, ["users", "add", "kim"]).exit_code == 1
    member = runner.invoke(app, ["members", "add", "--project", "Team", "sam", "--role", "coder"])
    assert member.exit_code == 0
    assert "sam\tcoder" in runner.invoke(app, ["members", "list", "--project", "Team"]).stdout
    bad_role = runner.invoke(app, ["members", "add", "--project", "Team", "sam", "--role", "boss"])
    assert bad_role.exit_code == 1 and "role must be one of" in bad_role.stderr
    token = runner.invoke(app, ["token", "create", "sam"]).stdout.strip()
    assert token.startswith("pf_")
    listed = runner.invoke(app, ["token", "list", "sam"]).stdout
    assert "active" in listed and token not in listed
    token_id = listed.split("\t")[0]
    assert runner.invoke(app, ["token", "revoke", "sam", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(app, ["token", "list", "sam"]).stdout
    assert runner.invoke(app, ["token", "create", "ghost"]).exit_code == 1


def test_export_quotes_by_layer_and_saved_query(env):
    from coding import store
    from coding.analysis import queries, retrieval
    from coding.db import make_engine, migrate, session_for

    (env / "pv44.txt").write_bytes(txt_bytes())
    runner.invoke(app, ["import", "--project", "Q", str(env / "pv44.txt")])
    engine = make_engine(f"sqlite:///{env / 'cli.db'}")
    migrate(engine)
    with session_for(engine) as session:
        user = store.ensure_user(session, name="local")
        project = store.find_project(session, name="Q")
        document = store.list_documents(session, project_id=project.id)[0]
        for phrase, key in (("Nobody judges you", "safety"), ("A friend told me.", "focus")):
            start = document.text.index(phrase)
            store.add_coding(session, document=document, code=store.get_code(session, project_id=project.id, key=key),
                             user=user, start=start, end=start + len(phrase))
        queries.save_query(session, project_id=project.id, user=user, name="safe", wanted=retrieval.QuoteFilter(code="safety"))
    out = env / "q.csv"
    assert runner.invoke(app, ["export", "quotes", "--project", "Q", "--query", "safe", "--format", "csv",
                               "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "Nobody judges you" in text and "A friend" not in text
    xlsx = env / "q.xlsx"
    assert runner.invoke(app, ["export", "quotes", "--project", "Q", "--coder", "local", "--format", "xlsx",
                               "-o", str(xlsx)]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"
    missing = runner.invoke(app, ["export", "quotes", "--project", "Q", "--query", "nope", "-o", str(out)])
    assert missing.exit_code == 1 and "no saved query called 'nope'" in missing.stderr


def test_the_command_line_builds_without_the_database_or_language_libraries():
    probe = ("import sys, typer.main, server.cli; typer.main.get_command(server.cli.app); "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert loaded == ""


def test_peerframe_help_lists_the_commands():
    shown = subprocess.run([sys.executable, "-m", "server.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    for command in ("serve", "worker", "frameworks", "import", "export", "suggest", "users", "members", "assign",
                    "agreement", "reconcile", "query", "log", "token", "erase"):
        assert f" {command} " in shown.stdout
