"""sentence vectors: the optional encoder's vectors of a transcript's sentences and of a codebook's codes

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentencevectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id"), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("document_id", "model", "block"),
    )
    op.create_index("ix_sentencevectors_document_id", "sentencevectors", ["document_id"])
    op.create_table(
        "codebookvectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id"), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("project_id", "fingerprint", "model"),
    )
    op.create_index("ix_codebookvectors_project_id", "codebookvectors", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_codebookvectors_project_id", table_name="codebookvectors")
    op.drop_table("codebookvectors")
    op.drop_index("ix_sentencevectors_document_id", table_name="sentencevectors")
    op.drop_table("sentencevectors")
