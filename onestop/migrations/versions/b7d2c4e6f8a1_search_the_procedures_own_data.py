"""The header search reads the procedure's own data: a trigram index on its folded text (PostgreSQL)

Revision ID: b7d2c4e6f8a1
Revises: a3be8408e52f
Create Date: 2026-12-01 17:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2c4e6f8a1'
down_revision = 'a3be8408e52f'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.create_index('ix_dossiers_details_trgm', 'dossiers', ['details_text'], unique=False,
                        postgresql_using='gin', postgresql_ops={'details_text': 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_dossiers_details_trgm', table_name='dossiers', postgresql_using='gin')
