"""reports: covering indexes for the period statistics

Revision ID: c17b8f36ecad
Revises: 7054b95c2f26
Create Date: 2026-11-26 06:15:57.846870

"""
from alembic import op
import sqlalchemy as sa
import onestop.core.models


# revision identifiers, used by Alembic.
revision = 'c17b8f36ecad'
down_revision = '7054b95c2f26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_report_finished', ['finished_at'], unique=False, postgresql_include=['id', 'receiving_agency_id', 'procedure_code', 'channel', 'status', 'due_at', 'original_due_at', 'received_at'])
        batch_op.create_index('ix_dossiers_report_received', ['received_at'], unique=False, postgresql_include=['id', 'receiving_agency_id', 'procedure_code', 'channel', 'status', 'due_at', 'original_due_at', 'finished_at'])

    if op.get_bind().dialect.name == 'postgresql':
        # "open at an instant" for the period statistics: the span (received, finished] of each
        # dossier, unbounded while open; the expression must stay the one in reports/workclock.py
        op.execute("CREATE INDEX ix_dossiers_report_open_span ON dossiers USING gist "
                   "(tsrange(received_at, CASE WHEN finished_at < received_at THEN received_at "
                   "ELSE finished_at END, '(]'))")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_dossiers_report_open_span")
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_report_received')
        batch_op.drop_index('ix_dossiers_report_finished')
