"""chapter picks and code memos: quotes selected for the findings chapter, the team's reflections on a code

Revision ID: 0027
Revises: 0026
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("code", sa.Column("memo", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "chapterpick",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("coding_id", sa.Integer(), sa.ForeignKey("coding.id"), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_chapterpick_project_id", "chapterpick", ["project_id"])
    op.create_index("ix_chapterpick_document_id", "chapterpick", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_chapterpick_document_id", table_name="chapterpick")
    op.drop_index("ix_chapterpick_project_id", table_name="chapterpick")
    op.drop_table("chapterpick")
    op.drop_column("code", "memo")
