"""Time a Prometheus scrape of ``/metrics`` (and a ``/readyz`` probe) at 1,000,000 open dossiers.

    createdb -h 127.0.0.1 -U postgres onestop_bench_metrics
    .venv/bin/python bench/generate_dossiers.py --database-url postgresql://postgres@127.0.0.1:5432/onestop_bench_metrics
    .venv/bin/python bench/metrics_bench.py --database-url postgresql://postgres@127.0.0.1:5432/onestop_bench_metrics

The database is brought to the migration head first (a load made before the operations tables existed
gets them) and the dossiers table vacuumed, as autovacuum leaves it on a running system (the
visibility map lets the counts come from the indexes alone). Each scrape is a whole request through
the app (routing, the address check, the request metrics, the exposition), as Prometheus makes it.
Measured:

1. the first scrape of a process, which counts the open dossiers in line (reported, target < 2 s);
2. scrapes while the counts are kept (``ONESTOP_METRICS_CACHE_SECONDS``): the live reads (outbox,
   online applications, counters, heartbeats) and the exposition;
3. scrapes while the counts are being recounted by the background thread (the cache just expired);
4. ``/readyz`` with every check.

Targets (issue 16): (2) and (3) median and 95th percentile under 20 ms; (4) median under 100 ms; the
gauges equal to a direct count. Exits 1 when one is missed.
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

from generate_dossiers import DEFAULT_URL, make_app  # noqa: E402

TARGET_SCRAPE_MS = 20.0
TARGET_READY_MS = 100.0
TARGET_FIRST_S = 2.0


def ms(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000, ordered[-1] * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scrapes", type=int, default=200)
    args = parser.parse_args()
    if args.database_url.rsplit("/", 1)[-1] in ("test", "onestop", "postgres"):
        parser.error("use a database of its own for the benchmark")

    from flask_migrate import upgrade
    from prometheus_client.parser import text_string_to_metric_families
    from sqlalchemy import func, select

    from onestop.dossiers.models import Dossier, Status
    from onestop.extensions import db
    from onestop.ops import heartbeat

    app = make_app(args.database_url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) dossiers")
        expected = dict(db.session.execute(select(Dossier.status, func.count()).where(Dossier.is_open)
                                           .group_by(Dossier.status)).all())
        overdue = db.session.scalar(select(func.count()).where(Dossier.is_overdue))
        db.session.rollback()
    for kind in heartbeat.KINDS:
        heartbeat.beat(app, kind, f"{kind}@bench", heartbeat.utcnow())
    client = app.test_client()

    cpu: list[float] = []

    def scrape() -> tuple[float, str]:
        started, cpu_started = timer.perf_counter(), timer.process_time()
        response = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
        elapsed = timer.perf_counter() - started
        cpu.append(timer.process_time() - cpu_started)
        assert response.status_code == 200, response.status_code
        return elapsed, response.get_data(as_text=True)

    app.extensions.pop("onestop_dossier_counts", None)
    first, text = scrape()
    found = {(s.name, tuple(sorted(s.labels.items()))): s.value
             for family in text_string_to_metric_families(text) for s in family.samples}
    gauges = {
        "processing": found[("onestop_dossiers_open", (("status", "processing"),))],
        "supplement": found[("onestop_dossiers_open", (("status", "supplement"),))],
        "overdue": found[("onestop_dossiers_overdue", ())],
    }
    direct = {"processing": expected.get(Status.PROCESSING, 0), "supplement": expected.get(Status.SUPPLEMENT, 0),
              "overdue": overdue}
    print(f"open dossiers: {direct['processing']:,} processing, {direct['supplement']:,} supplement, "
          f"{direct['overdue']:,} overdue")
    print(f"first scrape (counts in line): {first * 1000:.0f} ms")

    for _ in range(10):
        scrape()  # warm up
    kept = [scrape()[0] for _ in range(args.scrapes)]

    recounting = []
    cache = app.extensions["onestop_dossier_counts"]
    for _ in range(max(args.scrapes // 20, 5)):
        app.config["ONESTOP_METRICS_CACHE_SECONDS"] = 0.0
        recounting.append(scrape()[0])  # starts the recount
        app.config["ONESTOP_METRICS_CACHE_SECONDS"] = 30.0
        while cache.refreshing:
            recounting.append(scrape()[0])
    ready = []
    for _ in range(50):
        started = timer.perf_counter()
        assert client.get("/readyz").status_code == 200
        ready.append(timer.perf_counter() - started)

    print(f"CPU of this process per scrape: median {statistics.median(cpu) * 1000:.1f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    failures = []
    for name, samples in (("scrape, counts kept", kept), ("scrape during a recount", recounting)):
        median, p95, worst = ms(samples)
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms ({len(samples)} scrapes)")
        if median >= TARGET_SCRAPE_MS or p95 >= TARGET_SCRAPE_MS:
            failures.append(f"{name} over {TARGET_SCRAPE_MS:g} ms")
    median, p95, worst = ms(ready)
    print(f"/readyz: median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
    if median >= TARGET_READY_MS:
        failures.append(f"/readyz over {TARGET_READY_MS:g} ms")
    if first >= TARGET_FIRST_S:
        failures.append(f"first scrape over {TARGET_FIRST_S:g} s")
    if gauges != direct:
        failures.append(f"gauges {gauges} differ from a direct count {direct}")
    for failure in failures:
        print("MISSED:", failure)
    print("all targets met" if not failures else f"{len(failures)} targets missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
