"""Time each supervisor report against the bare SQL it runs, on the generated province history.

    .venv/bin/python bench/report_generate.py     # once: 2,000,000 dossiers into onestop_bench_reports
    .venv/bin/python bench/report_bench.py

For each report the function the page calls (its queries and the Python that assembles the
figures) is run as the city supervisor, whose scope is the whole tree, while every statement it
sends is recorded; the recorded statements are then replayed on a raw psycopg connection with the
same transaction settings. The report and its bare SQL are timed side by side, a run of one then a
run of the other, so that both see the same load on the machine (on a shared machine the ratio is
the figure that counts); each is the median of ``--runs`` runs after a warm-up. The page itself
(rendered HTML through the test client) is timed too. Targets at 2,000,000 dossiers: overdue for
the city tree < 100 ms, one month of statistics < 300 ms, one year < 1 s, the bottlenecks of a
month (read from the step visits) < 300 ms, each within 1.5x its bare SQL.
"""
from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report_generate import DEFAULT_URL, DEFAULT_WORKDIR  # noqa: E402

TARGETS_MS = {"overdue (city tree)": 100, "statistics, one month": 300, "statistics, one year": 1000,
              "bottlenecks, one month": 300}
#: a report may cost at most this multiple of the bare SQL it sends
MAX_RATIO = 1.5


def median_ms(fn, runs: int) -> float:
    fn()
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return stats.median(samples)


def side_by_side(fn, bare, runs: int) -> tuple[float, float]:
    """Medians (ms) of ``fn`` and ``bare``, run in turn after a warm-up of each."""
    for _ in range(2):
        fn()
        bare()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for out, f in zip(samples, (fn, bare), strict=True):
            started = time.perf_counter()
            f()
            out.append((time.perf_counter() - started) * 1000)
    return stats.median(samples[0]), stats.median(samples[1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    if args.url.rstrip("/").rsplit("/", 1)[-1] == "test":
        parser.error("refusing the 'test' database: the test suite drops its schema")

    os.environ["ONESTOP_INSTANCE_PATH"] = str(args.workdir / "instance")
    import psycopg
    from flask_login import login_user
    from sqlalchemy import event, select

    from onestop import create_app
    from onestop.agencies.models import Agency
    from onestop.auth.models import Role, User
    from onestop.core import clock
    from onestop.dossiers.models import Dossier, DossierEvent
    from onestop.extensions import db
    from onestop.reports import bottlenecks, queries, statistics, trends
    from onestop.reports.periods import Period, local_today
    from onestop.reports.workclock import analytic_transaction, working_clock

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "ONESTOP_CATALOGUE_DIR": args.workdir / "catalogue", "WTF_CSRF_ENABLED": False,
                      "ONESTOP_DISPATCH_ON_COMMIT": False})
    now = clock.now()
    today = local_today(now)
    last_month = Period.month(today.year, today.month).shifted(-1)
    last_year = Period.year(today.year - 1)

    with app.test_request_context():
        root = db.session.scalar(select(Agency).where(Agency.parent_id.is_(None)))
        user = db.session.scalar(select(User).where(User.agency_id == root.id, User.role == Role.SUPERVISOR))
        login_user(user)
        counts = db.session.execute(select(
            select(db.func.count()).select_from(Dossier).scalar_subquery(),
            select(db.func.count()).select_from(DossierEvent).scalar_subquery(),
            select(db.func.count()).select_from(Agency).scalar_subquery(),
            select(db.func.count(db.distinct(Dossier.procedure_code))).scalar_subquery())).one()
        print(f"data: {counts[0]:,} dossiers, {counts[1]:,} events, {counts[2]} agencies, {counts[3]} procedures; "
              f"as {user.username} ({root.name}); now {now:%Y-%m-%d %H:%M} UTC; median of {args.runs} runs\n")
        working_clock()  # fill the working-day table once, as the first report of the day does
        db.session.commit()

        def fresh():
            """Each run in a transaction of its own, as each request is."""
            db.session.rollback()
            from flask import g
            g.pop("_report_clock", None)
            g.pop("_onestop_calendar", None)
            analytic_transaction(db.session)

        def overdue():
            fresh()
            return queries.build(db.session, user, clock.now(), working_clock())

        def stats_of(period):
            def run():
                fresh()
                return statistics.build(db.session, user, period, clock.now())
            return run

        def bottlenecks_of(period):
            def run():
                fresh()
                now_ = clock.now()
                load = db.session.execute(queries.load_query(user, now_, queries.due_soon_horizon(now_))).all()
                return bottlenecks.build(db.session, user, statistics.Window.of(period, now_), load)
            return run

        def trend():
            fresh()
            return trends.build(db.session, user, clock.now())

        reports = [("overdue (city tree)", overdue, "/reports/overdue"),
                   ("statistics, one month", stats_of(last_month), f"/reports/statistics?p={last_month.token}"),
                   ("statistics, one year", stats_of(last_year), f"/reports/statistics?p={last_year.token}"),
                   ("bottlenecks, one month", bottlenecks_of(last_month), f"/reports/bottlenecks?p={last_month.token}"),
                   ("trends, 12 months", trend, "/reports/trends")]

        engine = db.engine
        raw = psycopg.connect(args.url)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        print(f"{'report':<26}{'report ms':>11}{'bare SQL ms':>13}{'ratio':>7}{'page ms':>9}{'target':>9}  ok")
        failures = 0
        for name, fn, url in reports:
            recorded: list[tuple[str, object]] = []

            def record(conn, cursor, statement, parameters, context, executemany, recorded=recorded):
                recorded.append((statement, parameters))
            event.listen(engine, "before_cursor_execute", record)
            fn()
            event.remove(engine, "before_cursor_execute", record)
            statements = [(s, p) for s, p in recorded if not s.lstrip().upper().startswith(("SET ", "SAVEPOINT"))]

            def bare(statements=statements):
                with raw.transaction():
                    cur = raw.cursor()
                    cur.execute("SET LOCAL jit = off")
                    cur.execute("SET LOCAL plan_cache_mode = force_custom_plan")
                    cur.execute("SET LOCAL work_mem = '64MB'")
                    for statement, parameters in statements:
                        cur.execute(statement, parameters)
                        cur.fetchall()

            report_ms, bare_ms = side_by_side(fn, bare, args.runs)

            def page(url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
            page_ms = median_ms(page, max(3, args.runs // 3))
            target = TARGETS_MS.get(name)
            ratio = report_ms / bare_ms if bare_ms else float("nan")
            ok = "" if target is None else ("yes" if report_ms < target and ratio <= MAX_RATIO else "NO")
            failures += ok == "NO"
            print(f"{name:<26}{report_ms:>11.1f}{bare_ms:>13.1f}{ratio:>7.2f}{page_ms:>9.1f}"
                  f"{(str(target) + ' ms') if target else '':>9}  {ok}  ({len(statements)} statements)")
        raw.close()
    print(f"\n{failures} target(s) missed" if failures else "\nall targets met")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
