"""dossiers: index of the open ones nobody is assigned to, for the beat that routes them again

Revision ID: 9d4e2b7c1f3a
Revises: b7d2c4e6f8a1
Create Date: 2026-12-01 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4e2b7c1f3a'
down_revision = 'b7d2c4e6f8a1'
branch_labels = None
depends_on = None

WHERE = "assignee_id IS NULL AND status IN ('processing','supplement')"


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_open_unassigned', ['step_started_at'], unique=False,
                              postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_open_unassigned', postgresql_where=sa.text(WHERE),
                            sqlite_where=sa.text(WHERE))
