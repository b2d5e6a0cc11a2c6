"""submissions: one-time keys of forms and API calls, with the answer given to each

Revision ID: 7c2e3f4a5b61
Revises: 6b1d2e3f4a50
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import onestop.core.models


# revision identifiers, used by Alembic.
revision = '7c2e3f4a5b61'
down_revision = '6b1d2e3f4a50'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submissions',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', onestop.core.models.UTCDateTime(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_created_at'))
    op.drop_table('submissions')
