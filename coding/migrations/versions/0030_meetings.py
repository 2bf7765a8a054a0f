"""meetings: analysis meeting records (present, transcripts reviewed, decisions and the changes they caused) and
members' input before a meeting is closed

Revision ID: 0030
Revises: 0029
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("present", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_meeting_project_id", "meeting", ["project_id"])
    op.create_table(
        "meetinginput",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meeting.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_meetinginput_project_id", "meetinginput", ["project_id"])
    op.create_index("ix_meetinginput_meeting_id", "meetinginput", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meetinginput_meeting_id", table_name="meetinginput")
    op.drop_index("ix_meetinginput_project_id", table_name="meetinginput")
    op.drop_table("meetinginput")
    op.drop_index("ix_meeting_project_id", table_name="meeting")
    op.drop_table("meeting")
