"""The `peerframe` command starts without loading spaCy, Word, Excel or XML libraries it may not need."""

import subprocess
import sys
from pathlib import Path

HEAVY = ("spacy", "docx", "openpyxl", "lxml")
ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_command_line_loads_no_heavy_library():
    probe = f"import sys, server.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert loaded == ""


def test_python_dash_m_runs_the_same_command():
    shown = subprocess.run([sys.executable, "-m", "server.cli", "frameworks", "list"], capture_output=True, text=True,
                           cwd=ROOT)
    assert shown.returncode == 0
    assert [line.split("\t")[0] for line in shown.stdout.splitlines()] == [
        "enrich-principles", "imroc", "peer-support-charter", "side-by-side-draft-1", "side-by-side", "srn-values"]
