"""suggestion models per blind coder

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:10:01.546957
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('suggestionmodel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_suggestionmodel_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('fk_suggestionmodel_user_id_user', 'user', ['user_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('suggestionmodel', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('fk_suggestionmodel_user_id_user', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_suggestionmodel_user_id'))
        batch_op.drop_column('user_id')

