"""step visits: one row per stay of a dossier in a step; the reminder state moves there from dossiers

The visits are backfilled from the history in one INSERT … SELECT: each move event opens a visit
that the next move event of the same dossier closes (``LEAD``), the last move of a finished dossier
(its final step) opens none. The working hours of each closed visit come from a small table of
local days built here from the calendar in force (weekends, holidays, admin overrides, office
hours), joined twice, as the reports' working clock does. The open visit takes the dossier's step
due time and its reminder state; then the reminder columns leave ``dossiers``.

Revision ID: b7d41c9e2a63
Revises: c52e8f3b1d47
Create Date: 2026-12-01 16:40:00.000000

"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op
from flask import current_app

import onestop.core.models

# revision identifiers, used by Alembic.
revision = 'b7d41c9e2a63'
down_revision = 'c52e8f3b1d47'
branch_labels = None
depends_on = None

#: history lines that do not move a dossier (``dossiers.models.STAY_ACTIONS`` when this was written)
STAY_ACTIONS = ("assign", "extend", "consult", "consult_answer", "attach", "detach", "refusal_handed", "fee", "refund",
                "e_result")
OPEN = "left_at IS NULL"
RUNNING = "left_at IS NULL AND due_at IS NOT NULL"


def _sql_dialect():
    return op.get_bind().dialect.name


def _local_date(column: str) -> str:
    if _sql_dialect() == "postgresql":
        return f"CAST({column} + INTERVAL '7 hours' AS DATE)"
    return f"date({column}, '+7 hours')"


def _local_minutes(column: str) -> str:
    if _sql_dialect() == "postgresql":
        return f"(EXTRACT(EPOCH FROM CAST({column} + INTERVAL '7 hours' AS TIME)) / 60.0)"
    shift = "'+7 hours'"
    return (f"(CAST(strftime('%H', {column}, {shift}) AS INTEGER) * 60"
            f" + CAST(strftime('%M', {column}, {shift}) AS INTEGER)"
            f" + CAST(strftime('%f', {column}, {shift}) AS REAL) / 60.0)")


def _working_clock(column: str, day: str, periods) -> str:
    """SQL: office hours before the local day of ``column`` plus those elapsed on it."""
    minutes = _local_minutes(column)
    within = " + ".join(f"(CASE WHEN {minutes} <= {s} THEN 0.0 WHEN {minutes} >= {e} THEN {float(e - s)}"
                        f" ELSE {minutes} - {s} END)" for s, e in periods)
    return f"({day}.hours_before + CASE WHEN {day}.is_working THEN ({within}) / 60.0 ELSE 0.0 END)"


def _calendar():
    from onestop.core.calendar import OfficeHours, WorkingCalendar
    bind = op.get_bind()
    overrides = dict(bind.execute(sa.text(
        "SELECT day, is_working FROM calendar_overrides WHERE removed_at IS NULL")).all())
    overrides = {d if isinstance(d, date) else date.fromisoformat(d): bool(w) for d, w in overrides.items()}
    return WorkingCalendar(OfficeHours.parse(current_app.config["ONESTOP_OFFICE_HOURS"]), overrides)


def _fill_days(calendar) -> list[tuple[int, int]]:  # office periods in minutes
    """The local days the history spans, as (day, is_working, hours_before) in a scratch table."""
    bind = op.get_bind()
    periods = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in calendar.office_hours.periods]
    daily = sum(e - s for s, e in periods) / 60
    op.create_table("_visit_days", sa.Column("day", sa.Date(), primary_key=True),
                    sa.Column("is_working", sa.Boolean(), nullable=False),
                    sa.Column("hours_before", sa.Float(), nullable=False))
    span = bind.execute(sa.text("SELECT min(at), max(at) FROM dossier_events")).one()
    if span[0] is None:
        return periods
    first, last = (date.fromisoformat(str(v)[:10]) for v in span)
    rows, total, day = [], 0.0, first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        working = calendar.is_working_day(day)
        rows.append({"day": day, "is_working": working, "hours_before": total})
        total += daily if working else 0.0
        day += timedelta(days=1)
    days = sa.table("_visit_days", sa.column("day", sa.Date), sa.column("is_working", sa.Boolean),
                    sa.column("hours_before", sa.Float))
    for i in range(0, len(rows), 1000):
        op.bulk_insert(days, rows[i:i + 1000])
    return periods


def _fill_supplement_steps() -> None:
    """The (procedure, step) pairs of the catalogue that wait for the citizen (the clock is stopped)."""
    from onestop.workflows.engine import engine
    op.create_table("_visit_pauses", sa.Column("procedure_code", sa.String(20), primary_key=True),
                    sa.Column("step", sa.String(60), primary_key=True))
    rows = [{"procedure_code": p.code, "step": s.key} for p in engine().procedures() for s in p.steps
            if s.kind == "supplement"]
    if rows:
        op.bulk_insert(sa.table("_visit_pauses", sa.column("procedure_code"), sa.column("step")), rows)


#: (name, column, table, ondelete) of the visits' foreign keys
FOREIGN_KEYS = (("fk_step_visits_agency_id_agencies", "agency_id", "agencies", None),
                ("fk_step_visits_assignee_id_users", "assignee_id", "users", None),
                ("fk_step_visits_dossier_id_dossiers", "dossier_id", "dossiers", "CASCADE"))


def _foreign_keys() -> list:
    return [sa.ForeignKeyConstraint([column], [f"{table}.id"], name=op.f(name), ondelete=ondelete)
            for name, column, table, ondelete in FOREIGN_KEYS]


def upgrade():
    # PostgreSQL: the keys and the unique constraint come after the backfill, each checked in one
    # pass over the table instead of a trigger and an index probe per inserted row
    postgresql = _sql_dialect() == "postgresql"
    op.create_table('step_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('step_seq', sa.Integer(), nullable=False),
    sa.Column('procedure_code', sa.String(length=20), nullable=False),
    sa.Column('step', sa.String(length=60), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', onestop.core.models.UTCDateTime(), nullable=False),
    sa.Column('left_at', onestop.core.models.UTCDateTime(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('paused_hours', sa.Float(), server_default='0', nullable=False),
    sa.Column('due_at', onestop.core.models.UTCDateTime(), nullable=True),
    sa.Column('remind_at', onestop.core.models.UTCDateTime(), nullable=True),
    sa.Column('reminded_day', sa.SmallInteger(), server_default='-1', nullable=False),
    sa.Column('escalated', sa.SmallInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_visits')),
    *([] if postgresql else [*_foreign_keys(), sa.UniqueConstraint('dossier_id', 'step_seq',
                                                                   name='uq_step_visits_dossier_seq')])
    )
    if postgresql:
        op.execute("SET LOCAL work_mem = '256MB'")  # the window over the history sorts in memory
    periods = _fill_days(_calendar())
    _fill_supplement_steps()
    stays = ", ".join(f"'{a}'" for a in STAY_ACTIONS)
    entered = _working_clock("m.at", "d1", periods)
    left = _working_clock("m.left_at", "d2", periods)
    op.execute(f"""
        INSERT INTO step_visits (dossier_id, step_seq, procedure_code, step, agency_id, assignee_id, entered_at,
                                 left_at, hours, paused_hours, due_at, remind_at, reminded_day, escalated)
        SELECT m.dossier_id, d.step_seq - (m.n - m.rn), d.procedure_code, m.to_step, m.to_agency_id,
               CASE WHEN m.left_at IS NULL THEN d.assignee_id ELSE m.left_by END,
               m.at, m.left_at,
               CASE WHEN m.left_at IS NULL THEN NULL ELSE {left} - {entered} END,
               CASE WHEN m.left_at IS NOT NULL AND p.step IS NOT NULL THEN {left} - {entered} ELSE 0 END,
               CASE WHEN m.left_at IS NULL THEN d.step_due_at END,
               CASE WHEN m.left_at IS NULL THEN d.remind_at END,
               CASE WHEN m.left_at IS NULL THEN d.reminded_day ELSE -1 END,
               CASE WHEN m.left_at IS NULL THEN d.escalated ELSE 0 END
        FROM (SELECT e.dossier_id, e.to_step, e.to_agency_id, e.at,
                     LEAD(e.at) OVER (PARTITION BY e.dossier_id ORDER BY e.id) AS left_at,
                     LEAD(e.actor_id) OVER (PARTITION BY e.dossier_id ORDER BY e.id) AS left_by,
                     ROW_NUMBER() OVER (PARTITION BY e.dossier_id ORDER BY e.id) AS rn,
                     COUNT(*) OVER (PARTITION BY e.dossier_id) AS n
              FROM dossier_events e WHERE e.action NOT IN ({stays})) m
        JOIN dossiers d ON d.id = m.dossier_id
        JOIN _visit_days d1 ON d1.day = {_local_date("m.at")}
        LEFT JOIN _visit_days d2 ON d2.day = {_local_date("m.left_at")}
        LEFT JOIN _visit_pauses p ON p.procedure_code = d.procedure_code AND p.step = m.to_step
        WHERE m.left_at IS NOT NULL OR d.status IN ('processing', 'supplement')
    """)
    op.drop_table("_visit_pauses")
    op.drop_table("_visit_days")
    if postgresql:
        op.create_unique_constraint('uq_step_visits_dossier_seq', 'step_visits', ['dossier_id', 'step_seq'])
        for name, column, table, ondelete in FOREIGN_KEYS:
            op.create_foreign_key(op.f(name), 'step_visits', table, [column], ['id'], ondelete=ondelete)
    with op.batch_alter_table('step_visits', schema=None) as batch_op:
        batch_op.create_index('ix_step_visits_open_dossier', ['dossier_id'], unique=True,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_step_visits_remind_at', ['remind_at'], unique=False,
                              postgresql_where=sa.text('remind_at IS NOT NULL'),
                              sqlite_where=sa.text('remind_at IS NOT NULL'))
        batch_op.create_index('ix_step_visits_reminded_day_due', ['reminded_day', 'due_at'], unique=False,
                              postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))
        batch_op.create_index('ix_step_visits_escalated_due', ['escalated', 'due_at'], unique=False,
                              postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))
        batch_op.create_index('ix_step_visits_left', ['left_at'], unique=False, postgresql_include=[
            'agency_id', 'procedure_code', 'step', 'hours', 'dossier_id', 'step_seq'])
        batch_op.create_index('ix_step_visits_open_agency_due', ['agency_id', 'due_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_step_visits_open_assignee', ['assignee_id'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    if _sql_dialect() == "postgresql":
        op.execute("ANALYZE step_visits")
    for index in ('ix_dossiers_reminded_day_due', 'ix_dossiers_remind_at', 'ix_dossiers_escalated_due'):
        op.drop_index(index, table_name='dossiers')
    # a plain ALTER on both databases (SQLite 3.35+): a batch copy of ``dossiers`` would take as long
    # as the table is big, and SQLite refuses to drop a table other rows refer to
    for column in ('escalated', 'reminded_day', 'remind_at'):
        op.execute(f"ALTER TABLE dossiers DROP COLUMN {column}")


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('remind_at', onestop.core.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_day', sa.SmallInteger(), server_default='-1', nullable=False))
        batch_op.add_column(sa.Column('escalated', sa.SmallInteger(), server_default='0', nullable=False))
    op.execute("""
        UPDATE dossiers SET
          remind_at = (SELECT v.remind_at FROM step_visits v WHERE v.dossier_id = dossiers.id AND v.left_at IS NULL),
          reminded_day = COALESCE((SELECT v.reminded_day FROM step_visits v
                                   WHERE v.dossier_id = dossiers.id AND v.left_at IS NULL), -1),
          escalated = COALESCE((SELECT v.escalated FROM step_visits v
                                WHERE v.dossier_id = dossiers.id AND v.left_at IS NULL), 0)
        WHERE status IN ('processing', 'supplement')
    """)
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_escalated_due', ['escalated', 'step_due_at'], unique=False,
                              postgresql_where=sa.text("status = 'processing'"),
                              sqlite_where=sa.text("status = 'processing'"))
        batch_op.create_index('ix_dossiers_remind_at', ['remind_at'], unique=False,
                              postgresql_where=sa.text('remind_at IS NOT NULL'),
                              sqlite_where=sa.text('remind_at IS NOT NULL'))
        batch_op.create_index('ix_dossiers_reminded_day_due', ['reminded_day', 'step_due_at'], unique=False,
                              postgresql_where=sa.text("status = 'processing'"),
                              sqlite_where=sa.text("status = 'processing'"))
    op.drop_table('step_visits')
