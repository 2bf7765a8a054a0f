"""suggestions cached per transcript block and scorer; indexes for reading a screenful of turns and codings

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestioncache",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("scorer_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("document_id", "scorer_key", "block"),
    )
    op.create_index("ix_suggestioncache_document_id", "suggestioncache", ["document_id"])
    op.create_index("ix_turn_document_seq", "turn", ["document_id", "seq"])
    op.create_index("ix_coding_document_start", "coding", ["document_id", "start"])


def downgrade() -> None:
    op.drop_index("ix_coding_document_start", table_name="coding")
    op.drop_index("ix_turn_document_seq", table_name="turn")
    op.drop_index("ix_suggestioncache_document_id", table_name="suggestioncache")
    op.drop_table("suggestioncache")
