"""recordings: one audio or video file per transcript, kept in the media folder

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("file_id"),
    )
    op.create_index("ix_recording_document_id", "recording", ["document_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_recording_document_id", table_name="recording")
    op.drop_table("recording")
