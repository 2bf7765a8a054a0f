"""recode marks: a coder's word that they revisited a transcript's codings under a new codebook version

Revision ID: 0032
Revises: 0031
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recodemark",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("codebookversion.id"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("version_id", "document_id", "user_id"),
    )
    for column in ("project_id", "version_id", "document_id"):
        op.create_index(f"ix_recodemark_{column}", "recodemark", [column])


def downgrade() -> None:
    for column in ("project_id", "version_id", "document_id"):
        op.drop_index(f"ix_recodemark_{column}", table_name="recodemark")
    op.drop_table("recodemark")
