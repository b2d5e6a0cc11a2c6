"""reports: channel of reception, working-day table, open-dossier and event-time indexes

Revision ID: f5f8a3fd8df2
Revises: a53407faff4c
Create Date: 2026-11-26 05:39:20.038242

"""
from alembic import op
import sqlalchemy as sa
import onestop.core.models


# revision identifiers, used by Alembic.
revision = 'f5f8a3fd8df2'
down_revision = 'a53407faff4c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_working_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_working', sa.Boolean(), nullable=False),
    sa.Column('hours_before', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_report_working_days'))
    )
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_at', ['at'], unique=False)

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('desk', 'online', 'interconnection', name='channel', native_enum=False, length=20), server_default='desk', nullable=False))
        batch_op.create_index('ix_dossiers_report_open', ['holder_agency_id'], unique=False, postgresql_include=['id', 'procedure_code', 'due_at', 'step_due_at', 'assignee_id'], postgresql_where=sa.text("status = 'processing'"), sqlite_where=sa.text("status = 'processing'"))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_report_open', sqlite_where=sa.text("status = 'processing'"), postgresql_where=sa.text("status = 'processing'"))
        batch_op.drop_column('channel')

    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_at')

    op.drop_table('report_working_days')
