"""saved queries and pseudonyms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 01:04:04.005015
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pseudonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('original', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('replacement', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'original')
    )
    with op.batch_alter_table('pseudonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pseudonym_project_id'), ['project_id'], unique=False)

    op.create_table('savedquery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'name')
    )
    with op.batch_alter_table('savedquery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_savedquery_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('savedquery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_savedquery_project_id'))

    op.drop_table('savedquery')
    with op.batch_alter_table('pseudonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pseudonym_project_id'))

    op.drop_table('pseudonym')
