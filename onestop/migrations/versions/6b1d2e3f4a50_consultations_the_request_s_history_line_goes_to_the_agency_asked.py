"""consultations: the request's history line goes to the agency asked

The scope of a dossier is its holder, its receiving desk and every agency a history line went to.
A request for an opinion now writes its line to the agency asked (it was written to the holder,
and the scope asked the consultations table separately); the lines already written are pointed
at the agency each request asked: the n-th consult line of a dossier is its n-th consultation,
as both were written by the same verb in the same transaction.

Revision ID: 6b1d2e3f4a50
Revises: 5c1e9a7b3d20
Create Date: 2026-12-01 14:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '6b1d2e3f4a50'
down_revision = '5c1e9a7b3d20'
branch_labels = None
depends_on = None

_PAIRS = """
    WITH asked AS (
        SELECT id, dossier_id, row_number() OVER (PARTITION BY dossier_id ORDER BY id) AS n
        FROM dossier_events WHERE action = 'consult'
    ), requests AS (
        SELECT dossier_id, {agency} AS agency_id, row_number() OVER (PARTITION BY dossier_id ORDER BY id) AS n
        FROM consultations
    )
    UPDATE dossier_events SET to_agency_id = (
        SELECT r.agency_id FROM asked a JOIN requests r ON r.dossier_id = a.dossier_id AND r.n = a.n
        WHERE a.id = dossier_events.id)
    WHERE action = 'consult' AND id IN (
        SELECT a.id FROM asked a JOIN requests r ON r.dossier_id = a.dossier_id AND r.n = a.n)
"""


def upgrade():
    op.execute(_PAIRS.format(agency="to_agency_id"))


def downgrade():
    op.execute(_PAIRS.format(agency="from_agency_id"))
