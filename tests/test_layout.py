"""Guards on the code's shape: the domain never imports the web layer; migrations match the models."""

import ast
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from coding.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent


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
