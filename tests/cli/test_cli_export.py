"""`peerframe export PROJECT FORMAT`: every download the pages offer, written to a file, with the pages' roles."""

import io

import pytest
from docx import Document as WordDocument

from coding import store
from tests.cli_world import cli, opened

FILES = {  # format: (default file name, what the file starts with)
    "word-quotes": ("study-quotes.docx", b"PK"), "excel": ("study-quotes.xlsx", b"PK"),
    "csv": ("study-quotes.csv", "\ufeffcode,code_path,quote".encode()), "report-word": ("study-report.docx", b"PK"),
    "matrix-word": ("study-matrix.docx", b"PK"), "matrix-excel": ("study-matrix.xlsx", b"PK"),
    "codebook-word": ("study-codebook.docx", b"PK"), "codebook-qdc": ("study-codebook.qdc", b"<?xml"),
    "refi-qdpx": ("study.qdpx", b"PK"), "memos-word": ("study-memos.docx", b"PK"),
}


@pytest.mark.parametrize("fmt", FILES)
def test_every_format_is_written_under_the_pages_file_name(team, tmp_path, fmt):
    name, start = FILES[fmt]
    result = cli("export", "Study", fmt)
    assert result.exit_code == 0 and f"wrote {name}" in result.stdout, result.stderr
    assert (tmp_path / name).read_bytes().startswith(start)


def test_out_names_the_file_and_the_older_subcommands_still_work(team, tmp_path):
    out = tmp_path / "mine.docx"
    assert cli("export", str(team["project"]), "word-quotes", "--out", str(out), "--code", "safety").exit_code == 0
    quotes = WordDocument(io.BytesIO(out.read_bytes()))
    assert quotes.paragraphs[0].text == "Study: coded quotes"
    assert cli("export", "file", "Study", "csv", "-o", str(tmp_path / "a.csv")).exit_code == 0
    older = cli("export", "quotes", "--project", "Study", "--format", "csv", "-o", str(tmp_path / "b.csv"))
    assert older.exit_code == 0 and (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()


def test_a_blind_coder_exports_only_their_own_layer(team, cli_url, tmp_path):
    with opened(cli_url) as session:
        store.set_blind(session, project=store.get_project(session, project_id=team["project"]),
                        user=store.ensure_user(session, name="local"), blind=True)
    assert cli("export", "Study", "csv", "--layer", "all", "--out", "all.csv").exit_code == 0
    assert cli("export", "Study", "csv", "--layer", "all", "--as", "kim", "--out", "kim.csv").exit_code == 0
    everyone, kims = (tmp_path / "all.csv").read_text("utf-8-sig"), (tmp_path / "kim.csv").read_text("utf-8-sig")
    assert "A friend told me." in everyone and "A friend told me." not in kims and "Nobody judges you" in kims


def test_refusals_write_no_file(team, tmp_path):
    (tmp_path / "broken.docx").write_bytes(b"not a Word file")
    for args, code, message in (
        (("export", "Study", "pdf"), 2, "there is no export format 'pdf'; the formats are: word-quotes, excel"),
        (("export", "Nope", "csv"), 2, "no project called 'Nope'"),
        (("export", "Study", "refi-qdpx", "--as", "sam"), 1, "needs the lead role in 'Study'; sam is a coder"),
        (("export", "Study", "csv", "--as", "out"), 2, "no project called 'Study'"),
        (("export", "Study", "csv", "--query", "nope"), 2, "'Study' has no saved query called 'nope'"),
        (("export", "Study", "report-word", "--template", "broken.docx"), 1, "broken.docx"),
        (("export", "Study", "report-word", "--template", "missing.docx"), 1, "missing.docx: cannot be read"),
    ):
        result = cli(*args, "--out", "refused.out")
        assert result.exit_code == code and message in result.stderr, (args, result.stderr)
    assert not (tmp_path / "refused.out").exists()
