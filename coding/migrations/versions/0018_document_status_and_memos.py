"""document status per coder (in progress, done) and memos on transcripts and on the project

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documentstatus",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("document_id", "user_id"),
    )
    op.create_index("ix_documentstatus_document_id", "documentstatus", ["document_id"])
    op.create_index("ix_documentstatus_user_id", "documentstatus", ["user_id"])
    op.create_table(
        "memo",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    for column in ("project_id", "document_id", "author_id"):
        op.create_index(f"ix_memo_{column}", "memo", [column])
    op.create_index("uq_memo_document_author", "memo", ["document_id", "author_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_memo_document_author", table_name="memo")
    for column in ("project_id", "document_id", "author_id"):
        op.drop_index(f"ix_memo_{column}", table_name="memo")
    op.drop_table("memo")
    op.drop_index("ix_documentstatus_user_id", table_name="documentstatus")
    op.drop_index("ix_documentstatus_document_id", table_name="documentstatus")
    op.drop_table("documentstatus")
