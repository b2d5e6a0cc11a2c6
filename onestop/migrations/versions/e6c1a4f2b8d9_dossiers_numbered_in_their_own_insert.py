"""dossiers: on PostgreSQL a dossier is numbered in its own INSERT

A trigger takes the receiving agency's next number of the local day (``daily_sequences``) and
writes the code when the INSERT gives none: the intake sends one statement less, and the row lock
on the desk's day, which two clerks saving at once queue on, is held from the dossier's own INSERT
to the commit instead of from a statement before it. The format is the one
``onestop/dossiers/codes.py`` gives on SQLite: ``{agency code}-{yyMMdd}-{number, 4 digits or more}``.

Revision ID: e6c1a4f2b8d9
Revises: d3a9c5e7f1b2
Create Date: 2026-12-02 02:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e6c1a4f2b8d9'
down_revision = 'd3a9c5e7f1b2'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION onestop_number_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    local_day date := ((NEW.received_at AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
    taken integer;
BEGIN
    IF NEW.code IS NULL THEN
        INSERT INTO daily_sequences AS s (agency_id, day, last_value) VALUES (NEW.receiving_agency_id, local_day, 1)
        ON CONFLICT (agency_id, day) DO UPDATE SET last_value = s.last_value + 1
        RETURNING s.last_value INTO taken;
        NEW.code := (SELECT a.code FROM agencies AS a WHERE a.id = NEW.receiving_agency_id)
                    || '-' || to_char(local_day, 'YYMMDD') || '-' || lpad(taken::text, greatest(4, length(taken::text)), '0');
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("CREATE TRIGGER dossiers_numbered BEFORE INSERT ON dossiers FOR EACH ROW"
               " EXECUTE FUNCTION onestop_number_dossier()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER dossiers_numbered ON dossiers")
    op.execute("DROP FUNCTION onestop_number_dossier()")
