"""Guards on the code's shape: the domain never imports the web layer, its parts import each other only one way,
no two modules share a name, and migrations match the models."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from coding.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
CODING = ROOT / "coding"

# What each part of coding/ may import: a part is a package (coding/text/) or a top-level module (coding/models.py).
# Arrows point down only (the table is checked to have no cycle); server/ may import any part.
BASE = {"models", "db", "limits", "recent"}
MAY_IMPORT = {
    "models": set(),
    "db": {"models"},
    "limits": set(),
    "recent": set(),
    "migrations": {"models", "db"},
    "text": {"limits"},
    "codebook": set(),
    "store": BASE | {"text", "codebook"},
    "team": BASE | {"store", "text", "codebook"},
    "suggest": BASE | {"store", "text", "codebook"},
    "workspace": BASE | {"store", "text", "codebook", "team", "suggest"},
    "analysis": BASE | {"store", "text", "codebook", "team"},
    "erasure": BASE | {"store", "suggest", "workspace", "jobs"},
    "exchange": BASE | {"store", "text", "codebook", "team", "analysis"},
    "demo": BASE | {"store", "text", "codebook"},
}
# Long operations run any part's work; erasing a project withdraws its jobs' result files.
MAY_IMPORT["jobs"] = set(MAY_IMPORT) - {"demo", "migrations", "erasure"}
CHEAP_PACKAGES = ["text", "codebook", "workspace", "suggest", "team", "analysis", "exchange"]


def _modules():
    """(dotted name, path) of every module in coding/ but the migration revisions."""
    for path in sorted(CODING.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "versions" in relative.parts or "__pycache__" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _part(dotted: str) -> str:
    return dotted.split(".")[1] if dotted.count(".") else ""


def _imported(dotted: str, path: Path):
    """(line, dotted name) of every coding module a module imports, at the top or inside a function."""
    package = dotted if path.name == "__init__.py" else dotted.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "coding")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] != "coding":
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                is_module = (ROOT / Path(*full.split("."))).with_suffix(".py").is_file() or \
                    (ROOT / Path(*full.split(".")) / "__init__.py").is_file()
                yield node.lineno, full if is_module else base


def test_coding_never_imports_the_web_layer():
    offenders = []
    for path in (ROOT / "coding").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("server", "fastapi", "starlette", "jinja2")]
    assert offenders == []


def test_migrations_build_exactly_the_schema_of_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == []
    assert set(inspect(engine).get_table_names()) >= {"document", "turn", "coding", "layer", "event"}


def test_every_module_of_coding_sits_in_a_part_the_import_table_knows():
    unknown = [f"{path.relative_to(ROOT)}: put it in a package of MAY_IMPORT (or add its part there)"
               for dotted, path in _modules() if dotted != "coding" and _part(dotted) not in MAY_IMPORT]
    assert unknown == []


def test_the_parts_of_coding_import_each_other_only_along_the_table():
    offenders = []
    for dotted, path in _modules():
        source = _part(dotted)
        for line, target in _imported(dotted, path):
            part = _part(target)
            if part and part != source and part not in MAY_IMPORT.get(source, set()):
                allowed = ", ".join(sorted(MAY_IMPORT.get(source, set()))) or "nothing in coding/"
                offenders.append(f"{path.relative_to(ROOT)}:{line}: imports {target}, "
                                 f"but {source or 'coding'} may import only {allowed}")
    assert offenders == []


def test_the_import_table_points_one_way_only():
    def reaches(start, goal, seen=()):
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen + (nxt,)))
                   for nxt in MAY_IMPORT.get(start, ()))
    assert [part for part in MAY_IMPORT if reaches(part, part)] == []
    assert all(target in MAY_IMPORT for targets in MAY_IMPORT.values() for target in targets)


def test_the_import_table_check_catches_a_backward_arrow(tmp_path):
    """The arrow test reads what a module really imports: a store module that imports the team package is caught."""
    module = tmp_path / "leaky.py"
    module.write_text("def f():\n    from coding.team import accounts\n\nfrom coding import models, store\n")
    imported = sorted(target for _, target in _imported("coding.store.leaky", module))
    assert imported == ["coding.models", "coding.store", "coding.team.accounts"]
    assert "team" not in MAY_IMPORT["store"]


def _stem(name: str) -> str:
    """A module name without its plural: `documents` and `document`, `queries` and `query` read the same."""
    name = name.lower()
    for suffix, instead in (("ies", "y"), ("sses", "ss"), ("ses", "s"), ("s", "")):
        if name.endswith(suffix) and not name.endswith("ss"):
            return name[: len(name) - len(suffix)] + instead
    return name


@pytest.mark.parametrize("names, clash", [
    (["documents", "document_status"], False), (["documents", "document"], True), (["queries", "query"], True),
    (["progress", "progress"], True), (["codes", "codings"], False), (["class", "classes"], True),
])
def test_near_synonym_names_are_recognised(names, clash):
    assert (len({_stem(n) for n in names}) < len(names)) is clash


def test_no_two_modules_in_coding_share_a_name_or_its_plural():
    seen: dict[str, list[str]] = {}
    for dotted, path in _modules():
        if dotted == "coding":
            continue
        seen.setdefault(_stem(dotted.rpartition(".")[2]), []).append(str(path.relative_to(ROOT)))
    assert {stem: paths for stem, paths in seen.items() if len(paths) > 1} == {}


def test_capability_packages_say_what_they_own_and_import_nothing():
    """Importing coding or a capability package stays cheap: its __init__ is a docstring and nothing else."""
    for name in CHEAP_PACKAGES:
        tree = ast.parse((CODING / name / "__init__.py").read_text(encoding="utf-8"))
        docstring = ast.get_docstring(tree)
        assert docstring and re.search(r"\bMay import\b|\bimports nothing\b|\bmay import only\b", docstring), name
        assert len(tree.body) == 1, f"coding/{name}/__init__.py does more than state what it owns"


def test_importing_the_packages_loads_no_heavy_library():
    code = ("import sys, coding, " + ", ".join(f"coding.{name}" for name in CHEAP_PACKAGES) + "\n"
            "print(sorted(m for m in ('spacy', 'docx', 'openpyxl', 'lxml', 'numpy', 'PIL', 'sqlmodel') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
