"""role labels: a team's own names for the lead, coder and viewer roles

Revision ID: 0031
Revises: 0030
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("project", sa.Column("role_labels", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    op.drop_column("project", "role_labels")
