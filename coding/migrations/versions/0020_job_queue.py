"""job queue: jobs wait in the database, with their parameters and files, until a worker process claims one

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False,
                                   server_default=""))
    op.create_table(
        "jobinput",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Text(), sa.ForeignKey("job.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_jobinput_job_id", "jobinput", ["job_id"])


def downgrade() -> None:
    op.drop_index("ix_jobinput_job_id", table_name="jobinput")
    op.drop_table("jobinput")
    with op.batch_alter_table("job") as batch:
        for column in ("worker", "attempts", "params"):
            batch.drop_column(column)
