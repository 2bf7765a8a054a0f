"""consent and sensitive flags: what participants agreed to, document types, passages marked sensitive

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("participant", sa.Column("consent", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("document", sa.Column("consent", sa.JSON(), nullable=False, server_default="{}"))
    op.add_column("document", sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                        server_default="interview"))
    op.create_table(
        "sensitiveflag",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_sensitiveflag_document_id", "sensitiveflag", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_sensitiveflag_document_id", table_name="sensitiveflag")
    op.drop_table("sensitiveflag")
    op.drop_column("document", "kind")
    op.drop_column("document", "consent")
    op.drop_column("participant", "consent")
