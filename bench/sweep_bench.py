"""Time the deadline sweep on the benchmark database built by ``generate_dossiers.py``.

    .venv/bin/python bench/generate_dossiers.py        # once: 1,000,000 open dossiers
    .venv/bin/python bench/sweep_bench.py

With the clock frozen at the generator's ``NOW`` it measures, medians of several runs:

1. a sweep that finds nothing new, as the beat task runs it (a fresh application context, the lock,
   the rules, the calendar, every rule's statement, the commit), against the bare SQL it issues:
   the same statements with the same parameters, captured from a sweep and replayed on a raw
   psycopg connection in one transaction; the two alternate, so both see the same machine load;
2. a sweep that finds the ``--due-now`` dossiers (10,000) due: their notifications, the outbox rows
   that hand them to the mailer in batches, the commit and the publication of those batches to the
   broker (Redis; the queue is emptied afterwards, no worker consumes it). The state of their open
   step visits is reset between runs.

Targets (issue 4): (1) under 200 ms and within 2x of the bare SQL; (2) under 5 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time as timer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_dossiers import DEFAULT_URL, DUE_NOW_NOTE, NOW, make_app  # noqa: E402

DEFAULT_BROKER = "redis://127.0.0.1:6379/11"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker-url", default=os.environ.get("ONESTOP_BENCH_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--runs", type=int, default=31, help="runs of the nothing-new sweep and of the bare SQL")
    parser.add_argument("--due-runs", type=int, default=5, help="runs of the sweep that finds the due dossiers")
    args = parser.parse_args()

    os.environ["ONESTOP_BROKER_URL"] = args.broker_url
    app = make_app(args.database_url)
    app.config["ONESTOP_DISPATCH_ON_COMMIT"] = True

    import psycopg
    import redis
    from sqlalchemy import event, func, select, text

    from onestop.core import clock
    from onestop.core.outbox import OutboxMessage
    from onestop.core.tasks import Task
    from onestop.dossiers.models import Dossier
    from onestop.extensions import db
    from onestop.notifications.sweep import sweep

    queue = app.config["CELERY"].get("task_default_queue", "celery")
    broker = redis.Redis.from_url(args.broker_url)

    def one_sweep() -> tuple[float, dict]:
        """A sweep as the beat task runs it: its own application context, then the commit."""
        started = timer.perf_counter()
        with app.app_context():
            counts = sweep()
            db.session.commit()
            db.session.remove()
        return timer.perf_counter() - started, counts

    with clock.frozen(NOW):
        with app.app_context():
            open_count = db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.is_open))
            due_ids = list(db.session.scalars(select(Dossier.id).where(Dossier.note == DUE_NOW_NOTE)))
            db.session.commit()
        print(f"{open_count:,} open dossiers; {len(due_ids):,} due since the last sweep")

        def reset_due() -> None:
            with app.app_context():
                db.session.execute(text("UPDATE step_visits SET reminded_day = -1 WHERE dossier_id = ANY(:ids) "
                                        "AND left_at IS NULL"), {"ids": due_ids})
                db.session.execute(text("DELETE FROM notifications WHERE dossier_id = ANY(:ids)"), {"ids": due_ids})
                db.session.execute(text("DELETE FROM outbox"))
                db.session.commit()
                db.session.remove()
            broker.delete(queue)

        # -- 2. the sweep that finds the due dossiers (first, while they are there) ----------------
        due_times, due_counts, batches = [], None, 0
        for _ in range(args.due_runs):
            reset_due()
            elapsed, due_counts = one_sweep()
            due_times.append(elapsed)
            with app.app_context():
                outbox = db.session.execute(select(func.count(), func.count(OutboxMessage.sent_at)).where(
                    OutboxMessage.task == Task.SEND_NOTIFICATION_MAIL)).one()
                batches = outbox[0]
                assert outbox[0] == outbox[1], "every batch published after the commit"
                db.session.remove()
            published = broker.llen(queue)
            broker.delete(queue)
        found = sum(due_counts.values())
        # the resets above left 100,000 dead index entries behind, far more than a day of sweeps
        # does; let autovacuum's work happen now rather than at a random moment of the timing below
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE step_visits")

        # -- 1. the sweep that finds nothing new, and the bare SQL it issues -------------------------
        statements: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", capture)
        _, counts = one_sweep()
        event.remove(engine, "before_cursor_execute", capture)
        assert not any(counts.values()), counts
        with psycopg.connect(args.database_url) as conn:

            def bare_sql() -> float:
                started = timer.perf_counter()
                with conn.cursor() as cur:
                    for statement, parameters in statements:
                        cur.execute(statement, parameters)
                        if cur.description is not None:
                            cur.fetchall()
                conn.commit()
                return timer.perf_counter() - started

            for _ in range(3):  # warm both
                bare_sql()
                one_sweep()
            # alternate the two so that both see the same load on the machine
            empty_times, bare_times = [], []
            for _ in range(args.runs):
                empty_times.append(one_sweep()[0])
                bare_times.append(bare_sql())

        with app.app_context():
            db.session.execute(text("DELETE FROM notifications WHERE kind <> 'assigned'"))
            db.session.execute(text("DELETE FROM outbox"))
            db.session.commit()
            db.session.remove()
        broker.delete(queue)

    empty, bare = median_ms(empty_times), median_ms(bare_times)
    print()
    print(f"sweep finding nothing new   median {empty:7.1f} ms  (min {min(empty_times) * 1000:.1f}, "
          f"max {max(empty_times) * 1000:.1f}; {args.runs} runs)   target < 200 ms")
    print(f"the bare SQL it issues      median {bare:7.1f} ms  ({len(statements)} statements incl. commit; "
          f"{args.runs} runs)")
    print(f"ratio sweep / bare SQL              {empty / bare:5.2f}x                     target <= 2x")
    print(f"sweep finding {found:,} reminders  median {median_ms(due_times):7.1f} ms  (min {min(due_times) * 1000:.1f}, "
          f"max {max(due_times) * 1000:.1f}; {args.due_runs} runs)   target < 5000 ms")
    print(f"   handed to the mailer in {batches} batch tasks ({published} published to the broker); "
          f"counts {dict((k, v) for k, v in due_counts.items() if v)}")
    print()
    print("statements of the nothing-new sweep:")
    for statement, _ in statements:
        print("  ", " ".join(statement.split())[:150])


if __name__ == "__main__":
    main()
