"""Bulk-load synthetic dossiers into PostgreSQL for the deadline-sweep benchmark (``sweep_bench.py``).

Everything goes into a database of its own; the script resets its schema, so never point it at the
test database or at one you care about::

    createdb -h 127.0.0.1 -U postgres onestop_bench
    .venv/bin/python bench/generate_dossiers.py                  # 1,000,000 open + 200,000 closed
    .venv/bin/python bench/sweep_bench.py

The schema comes from the migrations, the agencies and staff from the demo seed (a Hải Phòng-like
tree, a clerk, an officer and a supervisor per agency), the procedures and steps from the real
catalogue. Open dossiers are spread over the agencies with their step due times from 25 days
before the benchmark's "now" (``NOW``) to 60 days after, and carry the reminder state a sweep at
``NOW`` leaves behind (``notifications/sweep.py``) on their open step visit (``step_visits``, one
per open dossier), so a sweep then finds nothing new, except for ``--due-now`` dossiers (10,000 by
default) whose step fell due within the last working hours and which no sweep has seen yet. Rows go
in with ``COPY`` (psycopg 3 ``cursor.copy``), the visits by one ``INSERT … SELECT`` from the dossiers
and the reminder states copied beside them; the tables are analysed afterwards.
"""
from __future__ import annotations

import argparse
import bisect
import os
import random
import sys
import tempfile
import time as timer
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench"
#: the benchmark's "now": Wednesday 16 Dec 2026, 10:00 in Hải Phòng
NOW = datetime(2026, 12, 16, 3, 0, tzinfo=UTC)
MAX_DAYS = 60

COLUMNS = ("code", "procedure_code", "step", "status", "step_seq", "receiving_agency_id", "holder_agency_id",
           "assignee_id", "received_by_id", "applicant_name", "applicant_id_number", "applicant_phone",
           "applicant_address", "documents", "delivery_method", "received_at", "due_at", "step_started_at",
           "step_due_at", "paused_at", "paused_hours", "finished_at", "created_at", "note")
#: marks the dossiers no sweep has seen due yet, so the benchmark can put them back between runs
DUE_NOW_NOTE = "bench: due now"


#: the open step visit of every open dossier the loader wrote (its reminder state from ``bench_visit_state``
#: when the loader put one there, else a visit no sweep has seen)
OPEN_VISITS_SQL = """
INSERT INTO step_visits (dossier_id, step_seq, procedure_code, step, agency_id, assignee_id, entered_at, due_at,
                         remind_at, reminded_day, escalated)
SELECT d.id, d.step_seq, d.procedure_code, d.step, d.holder_agency_id, d.assignee_id, d.step_started_at,
       d.step_due_at, s.remind_at, COALESCE(s.reminded_day, -1), COALESCE(s.escalated, 0)
  FROM dossiers d LEFT JOIN bench_visit_state s ON s.dossier_id = d.id
 WHERE d.status IN ('processing', 'supplement') AND d.id >= %(first_id)s
"""


def write_open_visits(cur, states=(), first_id: int = 0) -> None:
    """Give the open dossiers from ``first_id`` on their open visit; ``states``: (dossier id, remind_at,
    reminded_day, escalated) of those whose reminders have started."""
    cur.execute("CREATE TEMPORARY TABLE IF NOT EXISTS bench_visit_state (dossier_id integer PRIMARY KEY, "
                "remind_at timestamp, reminded_day smallint, escalated smallint)")
    with cur.copy("COPY bench_visit_state FROM STDIN") as copy:
        for row in states:
            copy.write_row(row)
    cur.execute("ANALYZE bench_visit_state")
    cur.execute(OPEN_VISITS_SQL, {"first_id": first_id})
    cur.execute("DROP TABLE bench_visit_state")


def make_app(url: str):
    os.environ["ONESTOP_DATABASE_URL"] = url
    os.environ.setdefault("ONESTOP_INSTANCE_PATH", str(Path(tempfile.gettempdir()) / "onestop-bench-sweep"))
    from onestop import create_app

    return create_app({"ONESTOP_DISPATCH_ON_COMMIT": False})


def cutoffs(cal, now: datetime, days: int) -> list[datetime]:
    """``[now, now - 1 working day, …]``, as the sweep computes them."""
    out = [now]
    for _ in range(days):
        out.append(cal.subtract_working_hours(out[-1], 8))
    return out


def day_of(due: datetime, cuts: list[datetime]) -> int:
    """Working days ``due`` is overdue at ``cuts[0]``: the largest n with due <= cuts[n]; -1 if not due."""
    if due > cuts[0]:
        return -1
    ascending = cuts[::-1]  # oldest first
    n_not_reached = bisect.bisect_left(ascending, due)  # cutoffs strictly older than due
    return min(len(cuts) - 1 - n_not_reached, MAX_DAYS)


def naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def generate(url: str, open_count: int, closed_count: int, due_now: int, seed: int,
             exclude_holders: Collection[str] = ()) -> None:
    """Reset the schema, seed the demo tree and load the dossiers; no open one is held by an agency
    whose code is in ``exclude_holders`` (a benchmark that loads those agencies' work itself)."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from onestop.agencies.models import Agency
    from onestop.auth.models import Role, User
    from onestop.core.workdays import current_calendar
    from onestop.demo.seed import seed_demo
    from onestop.extensions import db

    rng = random.Random(seed)
    app = make_app(url)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        seed_demo()
        db.session.commit()
        agencies = db.session.scalars(select(Agency)).all()
        staff: dict[tuple[int, str], list[int]] = {}
        for u in db.session.scalars(select(User).where(User.role != Role.ADMIN)):
            staff.setdefault((u.agency_id, u.role.value), []).append(u.id)
        desks = [(a.id, a.code) for a in agencies if a.has_desk and (a.id, "clerk") in staff]
        holders = [a.id for a in agencies if (a.id, "officer") in staff]
        open_holders = [a.id for a in agencies if (a.id, "officer") in staff and a.code not in exclude_holders]
        procedures = [p for p in app.extensions["onestop_engine"].procedures()]
        work_steps = {p.code: [s for s in p.steps if s.kind == "work" and s.hours > 0] for p in procedures}
        cal = current_calendar()
        cuts = cutoffs(cal, NOW, MAX_DAYS)
        recent = cal.subtract_working_hours(NOW, 3)  # the --due-now dossiers fell due after this
        db.session.rollback()

    started = timer.perf_counter()
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    states = []
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        first_id = cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM dossiers").fetchone()[0]
        with cur.copy(f"COPY dossiers (id, {', '.join(COLUMNS)}) FROM STDIN") as copy:
            total = open_count + closed_count
            for i in range(total):
                procedure = procedures[i % len(procedures)]
                step = rng.choice(work_steps[procedure.code])
                desk_id, desk_code = desks[i % len(desks)]
                pool = open_holders if i < open_count else holders
                holder = pool[rng.randrange(len(pool))]
                role = step.role if (holder, step.role) in staff else "officer"
                assignee = rng.choice(staff[(holder, role)])
                clerk = staff[(desk_id, "clerk")][0]
                if i < due_now:
                    due = recent + (NOW - recent) * rng.random()
                    due = max(due, recent + timedelta(seconds=1))
                else:
                    due = NOW + timedelta(minutes=rng.randint(-25 * 24 * 60, 60 * 24 * 60))
                started_at = due - timedelta(hours=step.hours * 3, minutes=rng.randint(0, 600))
                received = started_at - timedelta(days=rng.randint(0, 20))
                appointment = due + timedelta(days=rng.randint(0, 30))
                status, paused, finished, step_due = "processing", None, None, due
                remind_at, reminded_day, escalated = None, -1, 0
                if i >= open_count:
                    status, finished, step_due = "done", NOW - timedelta(days=rng.randint(1, 400)), None
                elif i >= due_now and i % 20 == 19:
                    status, paused, step_due = "supplement", NOW - timedelta(days=rng.randint(1, 30)), None
                elif i >= due_now:
                    n = day_of(due, cuts)
                    if n < 0:
                        threshold = started_at + (due - started_at) * 0.75
                        remind_at = threshold if threshold > NOW else None
                    else:
                        reminded_day, escalated = n, 2 if n >= 3 else (1 if n >= 1 else 0)
                if remind_at is not None or reminded_day >= 0:
                    states.append((first_id + i, naive(remind_at), reminded_day, escalated))
                copy.write_row((
                    first_id + i, f"BENCH-{desk_code}-{i:08d}", procedure.code, step.key, status, 1, desk_id, holder,
                    assignee, clerk, "Nguyễn Văn Thử", f"{rng.randrange(10**11, 10**12):012d}", "0912345678",
                    "1 Lạch Tray, Ngô Quyền, Hải Phòng", "[]", "desk", naive(received), naive(appointment),
                    naive(started_at), naive(step_due), naive(paused), 0.0, naive(finished), naive(received),
                    DUE_NOW_NOTE if i < due_now else None))
        cur.execute("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT max(id) FROM dossiers))")
        write_open_visits(cur, states, first_id)
        cur.execute("ANALYZE dossiers")
        cur.execute("ANALYZE step_visits")
        conn.commit()
    print(f"loaded {open_count:,} open and {closed_count:,} closed dossiers "
          f"({due_now:,} newly due) in {timer.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--open", type=int, default=1_000_000, help="open dossiers")
    parser.add_argument("--closed", type=int, default=200_000, help="finished dossiers")
    parser.add_argument("--due-now", type=int, default=10_000, help="open dossiers no sweep has seen due yet")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if args.database_url.rsplit("/", 1)[-1] in ("test", "onestop", "postgres"):
        parser.error("use a database of its own for the benchmark (e.g. onestop_bench)")
    generate(args.database_url, args.open, args.closed, args.due_now, args.seed)


if __name__ == "__main__":
    main()
