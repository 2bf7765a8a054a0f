"""sites: hubs and peer support projects as cases above participants

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("hub_id", sa.Integer(), sa.ForeignKey("site.id"), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("project_id", "label"),
    )
    op.create_index("ix_site_project_id", "site", ["project_id"])
    if op.get_bind().dialect.name == "sqlite":
        # SQLite takes a REFERENCES clause in ADD COLUMN, which Alembic does not write; a batch rebuild of the
        # table would drop it, which SQLite refuses while transcripts refer to its rows
        op.execute("ALTER TABLE participant ADD COLUMN site_id INTEGER REFERENCES site (id)")
    else:
        op.add_column("participant", sa.Column("site_id", sa.Integer(), sa.ForeignKey("site.id"), nullable=True))
    op.create_index("ix_participant_site_id", "participant", ["site_id"])


def downgrade() -> None:
    op.drop_index("ix_participant_site_id", table_name="participant")
    op.drop_column("participant", "site_id")
    op.drop_index("ix_site_project_id", table_name="site")
    op.drop_table("site")
