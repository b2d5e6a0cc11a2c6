"""caches' version stamps; routing's count of open dossiers per officer within the holding agency

Revision ID: b7d4e2a9c1f3
Revises: 9d4e2b7c1f3a
Create Date: 2026-12-01 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d4e2a9c1f3'
down_revision = '9d4e2b7c1f3a'
branch_labels = None
depends_on = None

OPEN = "status IN ('processing','supplement')"


def upgrade():
    table = op.create_table('cache_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions'))
    )
    op.bulk_insert(table, [{"name": name, "version": "initial"}
                           for name in ("agencies", "calendar", "reminder_rules", "webhooks")])
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_open_holder_assignee', ['holder_agency_id', 'assignee_id'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_open_holder_assignee', postgresql_where=sa.text(OPEN),
                            sqlite_where=sa.text(OPEN))
    op.drop_table('cache_versions')
