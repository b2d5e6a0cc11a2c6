"""Time the staff inbox and the reception desk queue of agencies holding thousands of open dossiers.

    createdb -h 127.0.0.1 -U postgres onestop_bench_inbox
    .venv/bin/python bench/inbox_bench.py                # loads the database once, then times the pages
    .venv/bin/python bench/inbox_bench.py --scale 0.1    # a quick check on a tenth of the load

The load (into a database of its own, whose schema it resets; never the test database): the demo
agency tree and the real catalogue, a city-wide history of finished dossiers and open ones at every
agency (``generate_dossiers.generate``), then the work of the busiest district (HB) and of a
department (STNMT), each holding ``5,000 x scale`` open dossiers spread as their work really is:
the steps each agency holds for the desks that send it work (its own desk's reception and return of
results, the district's checks of dossiers received at its wards, the department's appraisals of
land dossiers from every district), assignees among eight officers, two supervisors and three
clerks, step due times from two weeks late to a month ahead (about one in eight overdue, one in
eight due within the working day), one in ten waiting for the citizen's supplement (and more asked
by the agency but waiting at another desk), unread assignments, open and answered consultations,
and the dossiers' history of events. The load is marked on the table, so later runs at the same
scale reuse it (``--reload`` forces a new one).

With the clock frozen at the load's "now", it signs in (session cookie through the Flask test
client) as the officer, the supervisor and the desk clerk of each agency, and times every inbox tab
(officer, supervisor) and every desk tab (clerk), page 2 and the last page of the longest tabs, the
reversed order and a procedure filter: the full HTTP page, rendered. Every statement a page sends is
recorded; the time the page spends in them (cursor execute, through SQLAlchemy) is compared with the
same statements and parameters replayed as bare SQL on a raw psycopg connection, in one
transaction. Each figure is the median of ``--runs`` runs after a warm-up, page and bare SQL in
turn so both see the same machine load.

Targets: each inbox and desk page rendered in < 150 ms; its SQL within 2x of the bare SQL; the
number of statements a page sends constant, whatever the tab, page, order or filter: never more
than ``MAX_STATEMENTS``, while a full page lists 50 dossiers, so a query per row (or per assignee,
per agency) would show. A page may send fewer when there is nothing to load (an empty list, no
assignee on it). The script exits non-zero if any target is missed.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time as timer
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_dossiers import COLUMNS, NOW, generate, make_app, naive, write_open_visits  # noqa: E402
from bench.report_generate import PASSWORD_HASH  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_inbox"
#: the agencies whose inbox and desk are timed
TARGETS = ("HB", "STNMT")
OPEN_PER_AGENCY = 5_000
#: open dossiers of the other agencies, city-wide
BACKGROUND_OPEN = 40_000
#: finished dossiers, city-wide
CLOSED = 400_000
#: staff of each timed agency (the demo seed gives one of each)
STAFF = {"officer": 8, "supervisor": 2, "clerk": 3}
#: share of a timed agency's open dossiers by the role of the step they stand at; ``supplement``:
#: waiting for the citizen at the agency's own desk
MIX = {"clerk": 0.22, "officer": 0.55, "supervisor": 0.13, "supplement": 0.10}
#: supplement requests of the agency waiting at other desks, per open dossier it holds
ASKED_ELSEWHERE = 0.05
PAGE_MS = 150
SQL_RATIO = 2.0
MAX_STATEMENTS = 8
MARK = "inbox bench load"
DOSSIER_COLUMNS = ("id",) + COLUMNS


def database_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# -- the load ----------------------------------------------------------------------------------
def load(url: str, scale: float, seed: int, mark: str) -> None:
    """Load the database and write ``mark`` on it (what ``main`` compares to reuse the load)."""
    started = timer.perf_counter()
    generate(url, open_count=round(BACKGROUND_OPEN * scale), closed_count=round(CLOSED * scale), due_now=0,
             seed=seed, exclude_holders=TARGETS)
    import psycopg
    from sqlalchemy import func, select

    from onestop.agencies.models import Agency
    from onestop.auth.models import Role, User
    from onestop.dossiers.models import Dossier
    from onestop.extensions import db
    from onestop.workflows.holders import AgencyTree

    rng = random.Random(seed + 1)
    app = make_app(url)
    with app.app_context():
        agencies = {a.code: a for a in db.session.scalars(select(Agency))}
        for code in TARGETS:
            agency = agencies[code]
            for role, wanted in STAFF.items():
                for n in range(2, wanted + 1):
                    db.session.add(User(username=f"{code.lower()}.{role}{n}", full_name=f"{role.title()} {n} {code}",
                                        role=Role(role), agency=agency, password_hash=PASSWORD_HASH,
                                        email=f"{code.lower()}.{role}{n}@onestop.example"))
        db.session.commit()
        staff: dict[tuple[int, str], list[int]] = {}
        for u in db.session.scalars(select(User).where(User.role != Role.ADMIN).order_by(User.id)):
            staff.setdefault((u.agency_id, u.role.value), []).append(u.id)
        engine = app.extensions["onestop_engine"]
        tree = AgencyTree.load()
        first_id = (db.session.scalar(select(func.max(Dossier.id))) or 0) + 1
        background = db.session.execute(select(Dossier.id, Dossier.holder_agency_id).where(
            Dossier.status == "processing").order_by(Dossier.id)).all()
        db.session.rollback()

    dossiers, events, notifications, consultations = [], [], [], []
    sequence: Counter = Counter()
    next_id = first_id
    for code in TARGETS:
        agency = tree.by_code[code]
        work = agency_work(agency, tree, engine)
        held = round(OPEN_PER_AGENCY * scale)
        classes = [k for k in MIX if work[k]]
        weights = [MIX[k] for k in classes]
        plan = rng.choices(classes, weights=weights, k=held) + ["asked"] * round(held * ASKED_ELSEWHERE * bool(work["asked"]))
        for kind in plan:
            procedure, step, desk = rng.choice(work[kind])
            row = make_dossier(rng, next_id, kind, procedure, step, desk, agency, staff, sequence)
            dossiers.append(row.values)
            events.extend(row.events)
            notifications.extend(row.notifications)
            next_id += 1
        others = [(i, h) for i, h in background if h != agency.id]
        asked_by = staff[(agency.id, "officer")]
        for n, (dossier_id, holder_id) in enumerate(rng.sample(others, min(len(others), round(held * 0.045)))):
            asked = NOW - timedelta(hours=rng.uniform(2, 24 * 12))
            answered = None if n % 3 == 0 else asked + timedelta(hours=rng.uniform(1, 48))
            officers = staff.get((holder_id, "officer")) or asked_by
            consultations.append((dossier_id, "check", holder_id, agency.id, rng.choice(officers),
                                  "Đề nghị cho ý kiến về hồ sơ.", naive(asked),
                                  rng.choice(asked_by) if answered else None, "Thống nhất." if answered else None,
                                  naive(answered) if answered else None))

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY dossiers ({', '.join(DOSSIER_COLUMNS)}) FROM STDIN") as copy:
            for values in dossiers:
                copy.write_row(values)
        cur.execute("SELECT setval(pg_get_serial_sequence('dossiers', 'id'), (SELECT max(id) FROM dossiers))")
        cur.execute(FINISHED_SQL)
        cur.execute(HISTORY_SQL, {"first_id": first_id})
        write_open_visits(cur, first_id=first_id)
        with cur.copy("COPY dossier_events (dossier_id, at, action, actor_id, from_step, to_step, from_agency_id, "
                      "to_agency_id, note) FROM STDIN") as copy:
            for values in events:
                copy.write_row(values)
        with cur.copy("COPY notifications (user_id, dossier_id, kind, message, key, read_at, created_at) "
                      "FROM STDIN") as copy:
            for values in notifications:
                copy.write_row(values)
        with cur.copy("COPY consultations (dossier_id, step, from_agency_id, to_agency_id, asked_by_id, question, "
                      "asked_at, answered_by_id, answer, answered_at) FROM STDIN") as copy:
            for values in consultations:
                copy.write_row(values)
        cur.execute(f"COMMENT ON TABLE dossiers IS '{mark}'")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) dossiers, dossier_events, step_visits, notifications, consultations, users")
        counts = conn.execute("SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossiers "
                              "WHERE status IN ('processing', 'supplement')), (SELECT count(*) FROM dossier_events), "
                              "(SELECT count(*) FROM notifications)").fetchone()
    print(f"loaded {counts[0]:,} dossiers ({counts[1]:,} open), {counts[2]:,} events, {counts[3]:,} notifications "
          f"in {timer.perf_counter() - started:.0f} s", flush=True)


#: the history of every dossier the load did not write itself: received at its desk, moved to where
#: it stands, finished (and the supplement request of those waiting for one, and of one in ten
#: finished ones)
HISTORY_SQL = """
INSERT INTO dossier_events (dossier_id, at, action, actor_id, from_step, to_step, from_agency_id, to_agency_id)
SELECT id, received_at, 'receive', received_by_id, NULL, 'reception', NULL, receiving_agency_id FROM dossiers
UNION ALL
SELECT id, step_started_at, 'forward', received_by_id, 'reception', step, receiving_agency_id, holder_agency_id
  FROM dossiers WHERE step <> 'reception'
UNION ALL
SELECT id, finished_at, 'return_result', received_by_id, step, 'done', receiving_agency_id, receiving_agency_id
  FROM dossiers WHERE status = 'done'
UNION ALL
SELECT id, paused_at, 'request_supplement', assignee_id, step, step, holder_agency_id, holder_agency_id
  FROM dossiers WHERE status = 'supplement' AND id < %(first_id)s
UNION ALL
SELECT id, step_started_at, 'request_supplement', NULL, step, 'supplement', holder_agency_id, receiving_agency_id
  FROM dossiers WHERE status = 'done' AND id %% 10 = 3
"""
#: a finished dossier has nobody assigned (``operations._move``)
FINISHED_SQL = "UPDATE dossiers SET assignee_id = NULL WHERE finished_at IS NOT NULL"


def agency_work(agency, tree, engine) -> dict[str, list]:
    """(procedure, step, receiving desk) of the steps ``agency`` holds, by kind of work.

    ``clerk``/``officer``/``supervisor``: a work step of that role; ``supplement``: a step of
    another or the same agency asking for a supplement that then waits at this agency's desk;
    ``asked``: a step of this agency asking for a supplement that waits at another desk.
    """
    work: dict[str, list] = {"clerk": [], "officer": [], "supervisor": [], "supplement": [], "asked": []}
    desks = [n for n in tree.nodes.values() if n.has_desk]
    for procedure in engine.procedures():
        pause = next((s for s in procedure.steps if s.kind == "supplement"), None)
        for desk in desks:
            if desk.level != procedure.level or procedure.code in engine.intake_problems(desk, tree):
                continue
            for step in procedure.steps:
                if step.kind != "work":
                    continue
                holder = tree.resolve(step.holder, desk)
                if holder.id == agency.id and step.hours > 0:
                    work[step.role].append((procedure, step, desk))
                if pause is not None and step.action("request_supplement"):
                    if desk.id == agency.id:
                        work["supplement"].append((procedure, step, desk))
                    elif holder.id == agency.id:
                        work["asked"].append((procedure, step, desk))
    return work


class Row:
    __slots__ = ("values", "events", "notifications")


def make_dossier(rng, dossier_id, kind, procedure, step, desk, agency, staff, sequence) -> Row:
    """One open dossier of ``agency`` standing at ``step`` (or waiting for a supplement it asked)."""
    row = Row()
    row.events, row.notifications = [], []
    index = procedure.steps.index(step)
    paused = None
    if kind in ("supplement", "asked"):
        status, at_step, holder = "supplement", next(s for s in procedure.steps if s.kind == "supplement"), desk
        paused = NOW - timedelta(hours=rng.uniform(1, 24 * 20))
        step_due = None
        started = paused
        due = NOW + timedelta(hours=rng.uniform(-24 * 3, 24 * 30))
    else:
        status, at_step, holder = "processing", step, agency
        r = rng.random()
        if r < 0.12:
            step_due = NOW - timedelta(hours=rng.uniform(0.5, 24 * 14))
        elif r < 0.24:
            step_due = NOW + timedelta(hours=rng.uniform(0.1, 20))
        else:
            step_due = NOW + timedelta(hours=rng.uniform(24, 24 * 30))
        started = step_due - timedelta(hours=step.hours * 1.5 + rng.uniform(0, 12))
        due = (NOW - timedelta(hours=rng.uniform(1, 24 * 5)) if rng.random() < 0.04
               else step_due + timedelta(hours=rng.uniform(0, 24 * 25)))
    received = started if index == 0 else started - timedelta(hours=rng.uniform(1, 24 * 15))
    role = "clerk" if status == "supplement" else at_step.role
    people = staff.get((holder.id, role), [])
    assignee = rng.choice(people) if people and rng.random() < 0.9 else None
    local_day = (received + timedelta(hours=7)).strftime("%y%m%d")
    sequence[(desk.code, local_day)] += 1
    clerk = staff[(desk.id, "clerk")][0]
    row.values = (
        dossier_id, f"{desk.code}-{local_day}-{sequence[(desk.code, local_day)]:04d}", procedure.code, at_step.key,
        status, index + 1, desk.id, holder.id, assignee, clerk, "Nguyễn Văn Thử",
        f"{rng.randrange(10**11, 10**12):012d}", "0912345678", "1 Lạch Tray, Ngô Quyền, Hải Phòng", "[]", "desk",
        naive(received), naive(due), naive(started), naive(step_due), naive(paused), 0.0, None, naive(received),
        None)
    if status == "supplement":
        asker = agency.id if kind == "asked" else None
        row.events.append((dossier_id, naive(paused), "request_supplement", None, step.key, at_step.key,
                           asker or holder.id, holder.id, "Đề nghị bổ sung giấy tờ."))
    if assignee is not None:
        unread = rng.random() < 0.07
        row.notifications.append((assignee, dossier_id, "assigned", f"Hồ sơ {row.values[1]} được giao cho bạn.",
                                  f"assigned:{dossier_id}:{index + 1}:{assignee}",
                                  None if unread else naive(started + timedelta(minutes=rng.uniform(5, 600))),
                                  naive(started)))
        if step_due is not None and step_due <= NOW:
            row.notifications.append((assignee, dossier_id, "overdue", f"Hồ sơ {row.values[1]} đã quá hạn.",
                                      f"overdue:{dossier_id}:{index + 1}:{assignee}",
                                      None if rng.random() < 0.5 else naive(NOW), naive(step_due)))
    return row


def schema_head() -> str:
    """The migrations' head: a load made under another schema is made again."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "onestop" / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def load_mark(scale: float, seed: int) -> str:
    """What a load is marked with (a comment on the table) and a later run compares: the same
    scale, seed and schema reuse it."""
    return f"{MARK}: scale={scale:g} seed={seed} schema={schema_head()}"


def loaded_mark(url: str) -> str | None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('public.dossiers') IS NOT NULL").fetchone()[0]
        return conn.execute("SELECT obj_description('dossiers'::regclass, 'pg_class')").fetchone()[0] if found else None


# -- the timing ----------------------------------------------------------------------------------
COUNT_RE = re.compile(r'data-tab="(\w+)">[^<]*<span class="tab-count">(\d+)<')
ROW_RE = re.compile(r'<td><a href="/dossiers/\d+">')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", type=float, default=1.0, help="share of the full load (1.0: 5,000 open per agency)")
    parser.add_argument("--seed", type=int, default=20261216)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--reload", action="store_true", help="load the database again even if it holds this load")
    args = parser.parse_args(argv)
    if database_name(args.url) in ("test", "onestop", "postgres"):
        parser.error("refusing that database: the benchmark resets its schema; use one of its own (onestop_bench_inbox)")
    os.environ.setdefault("ONESTOP_INSTANCE_PATH", str(Path(tempfile.gettempdir()) / "onestop-bench-inbox"))

    mark = load_mark(args.scale, args.seed)
    if args.reload or loaded_mark(args.url) != mark:
        load(args.url, args.scale, args.seed, mark)
    else:
        print(f"reusing the load in {database_name(args.url)} ({mark})")

    import psycopg
    from sqlalchemy import event, func, select

    from onestop.agencies.models import Agency
    from onestop.auth.models import User
    from onestop.core import clock
    from onestop.dossiers.models import OPEN_STATUSES, Dossier
    from onestop.extensions import db

    app = make_app(args.url)
    app.config.update(WTF_CSRF_ENABLED=False)
    probe = {"on": False, "statements": [], "sql": 0.0}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = timer.perf_counter()
        if probe["on"]:
            probe["statements"].append((statement, parameters))

    def after(conn, cursor, statement, parameters, context, executemany):
        probe["sql"] += timer.perf_counter() - conn.info.pop("bench_started")

    failures = 0
    raw = psycopg.connect(args.url)
    with clock.frozen(NOW):
        with app.app_context():
            engine = db.engine
            total, open_total = db.session.execute(select(func.count(), func.count().filter(
                Dossier.status.in_(OPEN_STATUSES))).select_from(Dossier)).one()
            print(f"data: {total:,} dossiers, {open_total:,} open; now {NOW:%Y-%m-%d %H:%M} UTC; "
                  f"page size {app.config['PAGE_SIZE']}; median of {args.runs} runs\n")
            personas = []
            for code in TARGETS:
                agency = db.session.scalar(select(Agency).where(Agency.code == code))
                top = db.session.scalar(select(Dossier.procedure_code).where(
                    Dossier.holder_agency_id == agency.id, Dossier.status.in_(OPEN_STATUSES)).group_by(
                    Dossier.procedure_code).order_by(func.count().desc(), Dossier.procedure_code).limit(1))
                for role in ("officer", "supervisor", "clerk"):
                    user = db.session.scalar(select(User).where(User.username == f"{code.lower()}.{role}"))
                    personas.append((user.id, user.username, user.role.value, top))
            db.session.rollback()

        # the requests run outside any application context of ours, each in its own as in production
        # (a context kept across requests would keep the session's identity map and the signed-in user)
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        header = (f"{'user':<18}{'page':<30}{'rows':>6}{'page ms':>9}{'SQL ms':>8}{'bare ms':>9}{'ratio':>7}"
                  f"{'stmts':>7}  ok")
        print(header)
        print("-" * len(header))
        for user_id, username, role, procedure in personas:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(user_id)
                session["_fresh"] = True
            desk = role == "clerk"
            base = "/desk/" if desk else "/inbox"
            first = client.get(base)
            assert first.status_code == 200, (username, first.status_code)
            counts = {k: int(v) for k, v in COUNT_RE.findall(first.get_data(as_text=True))}
            size = app.config["PAGE_SIZE"]
            pages = [(f"tab {key}", {"tab": key}) for key in counts]
            longest = max(counts, key=lambda k: counts[k])
            second = "to_forward" if desk else "mine"
            pages += [(f"{longest} page 2", {"tab": longest, "page": 2}),
                      (f"{longest} last page ({max(1, -(-counts[longest] // size))})",
                       {"tab": longest, "page": max(1, -(-counts[longest] // size))}),
                      (f"{second} page 2", {"tab": second, "page": 2}),
                      (f"{longest} latest due first", {"tab": longest, "order": "desc"}),
                      (f"{longest} procedure {procedure}", {"tab": longest, "procedure": procedure}),
                      (f"{second} procedure {procedure}", {"tab": second, "procedure": procedure})]
            results = []
            for name, query in pages:
                url = f"{base}?{urlencode(query)}"

                def page(url=url, client=client):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                    return response

                page()
                probe.update(on=True, statements=[])
                rows = len(ROW_RE.findall(page().get_data(as_text=True)))
                probe["on"] = False
                statements = [(s, p) for s, p in probe["statements"]
                              if not s.lstrip().upper().startswith(("SET ", "SAVEPOINT"))]

                def bare(statements=statements):
                    with raw.transaction():
                        cur = raw.cursor()
                        for statement, parameters in statements:
                            cur.execute(statement, parameters)
                            if cur.description is not None:
                                cur.fetchall()

                bare()
                page_samples, sql_samples, bare_samples = [], [], []
                for _ in range(args.runs):
                    probe["sql"] = 0.0
                    t0 = timer.perf_counter()
                    page()
                    page_samples.append((timer.perf_counter() - t0) * 1000)
                    sql_samples.append(probe["sql"] * 1000)
                    t0 = timer.perf_counter()
                    bare()
                    bare_samples.append((timer.perf_counter() - t0) * 1000)
                page_ms, sql_ms, bare_ms = (statistics.median(s) for s in (page_samples, sql_samples, bare_samples))
                results.append((name, rows, page_ms, sql_ms, bare_ms, len(statements)))
            for name, rows, page_ms, sql_ms, bare_ms, n in results:
                ratio = sql_ms / bare_ms if bare_ms else float("nan")
                ok = page_ms < PAGE_MS and ratio <= SQL_RATIO and n <= MAX_STATEMENTS
                failures += not ok
                print(f"{username:<18}{name[:29]:<30}{rows:>6}{page_ms:>9.1f}{sql_ms:>8.1f}{bare_ms:>9.1f}"
                      f"{ratio:>7.2f}{n:>7}  {'yes' if ok else 'NO'}")
            counts_text = ", ".join(f"{k} {v:,}" for k, v in counts.items())
            sent = sorted({n for *_, n in results})
            print(f"{'':<18}tab counts: {counts_text}; statements per page: {', '.join(map(str, sent))}")
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    raw.close()
    print(f"\ntargets: page < {PAGE_MS} ms, SQL <= {SQL_RATIO:g}x bare, at most {MAX_STATEMENTS} statements a page")
    print(f"{failures} page(s) missed a target" if failures else "all targets met")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
