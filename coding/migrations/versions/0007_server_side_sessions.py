"""server-side sessions that sign-out, password changes and administrators can end; one-time claims

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usersession",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_usersession_user_id", "usersession", ["user_id"])
    op.create_index("ix_usersession_token_hash", "usersession", ["token_hash"], unique=True)
    op.create_table(
        "serverclaim",
        sa.Column("name", sa.String(length=40), primary_key=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("serverclaim")
    op.drop_index("ix_usersession_token_hash", table_name="usersession")
    op.drop_index("ix_usersession_user_id", table_name="usersession")
    op.drop_table("usersession")
