"""inbox: indexes for the waiting-for-supplement tab

Revision ID: e3f1a7c9b5d2
Revises: b2c4e6a8d0f1
Create Date: 2026-11-26 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa
import onestop.core.models


# revision identifiers, used by Alembic.
revision = 'e3f1a7c9b5d2'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_events_supplement_from', ['from_agency_id', 'dossier_id'], unique=False, postgresql_where=sa.text("action = 'request_supplement'"), sqlite_where=sa.text("action = 'request_supplement'"))

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_supplement_holder', ['holder_agency_id', 'id'], unique=False, postgresql_where=sa.text("status = 'supplement'"), sqlite_where=sa.text("status = 'supplement'"))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_supplement_holder', postgresql_where=sa.text("status = 'supplement'"), sqlite_where=sa.text("status = 'supplement'"))

    with op.batch_alter_table('dossier_events', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_events_supplement_from', postgresql_where=sa.text("action = 'request_supplement'"), sqlite_where=sa.text("action = 'request_supplement'"))
