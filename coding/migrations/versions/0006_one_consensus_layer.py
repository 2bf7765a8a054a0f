"""one consensus layer per project, even when two reconciliations start at once

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_layer_consensus", "layer", ["project_id"], unique=True,
                    sqlite_where=sa.text("kind = 'consensus'"), postgresql_where=sa.text("kind = 'consensus'"))


def downgrade() -> None:
    op.drop_index("uq_layer_consensus", table_name="layer")
