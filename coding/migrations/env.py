"""Alembic environment: runs migrations on the engine the application passes in."""

from alembic import context
from sqlmodel import SQLModel

import coding.models  # noqa: F401  (registers the tables)

config = context.config


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    with config.attributes["engine"].begin() as connection:
        run(connection)
