"""suggestion threshold: the calibrated score from which a project's coders are shown a suggestion

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite has one): rebuilding the table would trip the keys that point at projects
    op.add_column("project", sa.Column("suggest_threshold", sa.Float(), nullable=False, server_default="0.1"))


def downgrade() -> None:
    op.execute("ALTER TABLE project DROP COLUMN suggest_threshold")  # SQLite 3.35 and later, and PostgreSQL
