"""reorganisation: dissolved agencies and their successors, the desk that received a moved dossier

Revision ID: c52e8f3b1d47
Revises: b41d7e2a9c10
Create Date: 2026-12-01 17:25:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c52e8f3b1d47'
down_revision = 'b41d7e2a9c10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dissolved_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_agencies_successor_id'), ['successor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_agencies_successor_id_agencies'), 'agencies', ['successor_id'], ['id'])
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_desk_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_original_desk_id_agencies'), 'agencies', ['original_desk_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossiers_original_desk_id_agencies'), type_='foreignkey')
        batch_op.drop_column('original_desk_id')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agencies_successor_id_agencies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_agencies_successor_id'))
        batch_op.drop_column('successor_id')
        batch_op.drop_column('dissolved_on')
