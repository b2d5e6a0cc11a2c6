"""dossiers: the competent unit, when a desk received a dossier another unit decides

Decree 118/2025 has dossiers received regardless of administrative boundary: a commune's desk may
take in a dossier that another commune is competent for. ``competent_agency_id`` is that unit; NULL
(every dossier until now) means the receiving desk's own unit is competent.

Revision ID: d3a9c5e7f1b2
Revises: b7d41c9e2a63
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd3a9c5e7f1b2'
down_revision = 'b7d41c9e2a63'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    # plain ALTERs: a batch copy of ``dossiers`` would take as long as the table is big, and SQLite
    # refuses to drop a table other rows refer to. SQLite gets no constraint: it could not drop the
    # column again (SQLite 3.35+ drops only columns no constraint uses)
    op.add_column('dossiers', sa.Column('competent_agency_id', sa.Integer(), nullable=True))
    if _postgresql():
        op.create_foreign_key('fk_dossiers_competent_agency_id_agencies', 'dossiers', 'agencies',
                              ['competent_agency_id'], ['id'])
    op.create_index('ix_dossiers_competent_agency_id', 'dossiers', ['competent_agency_id'],
                    postgresql_where=sa.text('competent_agency_id IS NOT NULL'),
                    sqlite_where=sa.text('competent_agency_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_dossiers_competent_agency_id', table_name='dossiers')
    if _postgresql():
        op.drop_constraint('fk_dossiers_competent_agency_id_agencies', 'dossiers', type_='foreignkey')
    op.execute("ALTER TABLE dossiers DROP COLUMN competent_agency_id")
