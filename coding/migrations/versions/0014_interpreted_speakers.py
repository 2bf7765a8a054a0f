"""documents say which speakers spoke through an interpreter

Revision ID: 0014
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("interpreted_speakers", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("interpreted_speakers")
