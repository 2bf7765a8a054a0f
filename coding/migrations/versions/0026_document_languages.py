"""document languages: a transcript's language, whether it was interpreted or translated, its original;
the project's pattern for new participants' tags

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("project", sa.Column("tag_pattern", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False,
                                       server_default=""))
    op.add_column("document", sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False,
                                        server_default=""))
    op.add_column("document", sa.Column("mediation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False,
                                        server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        # as for participant.site_id (0025): SQLite takes REFERENCES in ADD COLUMN, which Alembic does not write
        op.execute("ALTER TABLE document ADD COLUMN original_id INTEGER REFERENCES document (id)")
    else:
        op.add_column("document", sa.Column("original_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=True))


def downgrade() -> None:
    op.drop_column("project", "tag_pattern")
    op.drop_column("document", "original_id")
    op.drop_column("document", "mediation")
    op.drop_column("document", "language")
