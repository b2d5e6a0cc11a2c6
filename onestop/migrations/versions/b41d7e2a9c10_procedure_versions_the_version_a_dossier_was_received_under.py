"""procedure versions: the version a dossier was received under

Revision ID: b41d7e2a9c10
Revises: b7d4e2a9c1f3
Create Date: 2026-12-01 16:55:00

Every dossier received before this change ran the only definition there was, which is version 1
of its procedure now (the files without a version, or the district-era files marked version 1).
"""
from alembic import op
import sqlalchemy as sa


revision = 'b41d7e2a9c10'
down_revision = 'b7d4e2a9c1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('procedure_version', sa.SmallInteger(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('procedure_version')
