"""suggestions: code profiles, decisions, learned models, preferences

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:30:30.514381
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suggestionmodel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('trained_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('signals_seen', sa.Integer(), nullable=False),
    sa.Column('bags', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('suggestionmodel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestionmodel_project_id'), ['project_id'], unique=False)

    op.create_table('suggestiondecision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('coding_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['code.id'], ),
    sa.ForeignKeyConstraint(['coding_id'], ['coding.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('suggestiondecision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestiondecision_code_id'), ['code_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestiondecision_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestiondecision_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestiondecision_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('aliases', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preferences', sa.JSON(), server_default='{}', nullable=False))

    _copy_profiles_from_frameworks()


def _copy_profiles_from_frameworks() -> None:
    """Projects made before this revision get the profiles and aliases of the framework they came from."""
    from coding.codebook.frameworks import available_frameworks

    connection = op.get_bind()
    code = sa.table("code", sa.column("id"), sa.column("project_id"), sa.column("key"),
                    sa.column("profile", sa.Text()), sa.column("aliases", sa.JSON()))
    project = sa.table("project", sa.column("id"), sa.column("framework_id"))
    frameworks = available_frameworks()
    for project_id, framework_id in connection.execute(sa.select(project.c.id, project.c.framework_id)):
        framework = frameworks.get(framework_id)
        if framework is None:
            continue
        shipped = {c.id: c for c in framework.walk()}
        rows = connection.execute(sa.select(code.c.id, code.c.key).where(code.c.project_id == project_id))
        for code_id, key in rows.all():
            if key in shipped:
                connection.execute(code.update().where(code.c.id == code_id).values(
                    profile=shipped[key].profile, aliases=list(shipped[key].aliases)))



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('preferences')

    with op.batch_alter_table('code', schema=None) as batch_op:
        batch_op.drop_column('aliases')
        batch_op.drop_column('profile')

    with op.batch_alter_table('suggestiondecision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestiondecision_user_id'))
        batch_op.drop_index(batch_op.f('ix_suggestiondecision_project_id'))
        batch_op.drop_index(batch_op.f('ix_suggestiondecision_document_id'))
        batch_op.drop_index(batch_op.f('ix_suggestiondecision_code_id'))

    op.drop_table('suggestiondecision')
    with op.batch_alter_table('suggestionmodel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestionmodel_project_id'))

    op.drop_table('suggestionmodel')
