"""agreement figures: a project's agreement kept until the project changes

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreementfigures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("marker", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("project_id", "unit"),
    )
    op.create_index("ix_agreementfigures_project_id", "agreementfigures", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_agreementfigures_project_id", table_name="agreementfigures")
    op.drop_table("agreementfigures")
