"""journals: researchers' reflexive journal entries, and the milestones at which the lead asks for them

Revision ID: 0028
Revises: 0027
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journalentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("milestone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("framework_version", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("earlier", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_journalentry_project_id", "journalentry", ["project_id"])
    op.create_index("ix_journalentry_author_id", "journalentry", ["author_id"])
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("reached_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.UniqueConstraint("project_id", "key"),
    )
    op.create_index("ix_milestone_project_id", "milestone", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_milestone_project_id", table_name="milestone")
    op.drop_table("milestone")
    op.drop_index("ix_journalentry_author_id", table_name="journalentry")
    op.drop_index("ix_journalentry_project_id", table_name="journalentry")
    op.drop_table("journalentry")
