"""codebook versions: drafts of changes with reasons, published in turn, and each coding's code as of a version

Revision ID: 0029
Revises: 0028
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "codebookversion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.UniqueConstraint("project_id", "number"),
    )
    op.create_index("ix_codebookversion_project_id", "codebookversion", ["project_id"])
    op.create_table(
        "codebookchange",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("codebookversion.id"), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_codebookchange_project_id", "codebookchange", ["project_id"])
    op.create_index("ix_codebookchange_version_id", "codebookchange", ["version_id"])
    op.create_table(
        "codingasof",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("codebookversion.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("coding_id", sa.Integer(), sa.ForeignKey("coding.id"), nullable=False),
        sa.Column("code_id", sa.Integer(), sa.ForeignKey("code.id"), nullable=False),
    )
    for column in ("project_id", "version_id", "document_id", "coding_id"):
        op.create_index(f"ix_codingasof_{column}", "codingasof", [column])


def downgrade() -> None:
    for column in ("project_id", "version_id", "document_id", "coding_id"):
        op.drop_index(f"ix_codingasof_{column}", table_name="codingasof")
    op.drop_table("codingasof")
    op.drop_index("ix_codebookchange_version_id", table_name="codebookchange")
    op.drop_index("ix_codebookchange_project_id", table_name="codebookchange")
    op.drop_table("codebookchange")
    op.drop_index("ix_codebookversion_project_id", table_name="codebookversion")
    op.drop_table("codebookversion")
