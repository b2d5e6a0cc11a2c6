"""Time routing's choice of the least-loaded officer as the city grows around one agency.

    .venv/bin/python bench/routing_bench.py                          # 250,000 then 1,000,000 open
    .venv/bin/python bench/routing_bench.py --sizes 100000,1000000 --runs 21

For each size it loads a city of its own database (``generate_dossiers.py``: the demo tree, the
open dossiers spread over every agency holding work) except one district, Hồng Bàng, which gets a
fixed load of its own: ``--officers`` officers sharing ``--agency-load`` open dossiers, and
``--runs`` new land dossiers at its district check waiting for an officer. It vacuums and analyses,
then times, medians of ``--runs``:

1. the officer query of ``operations.route`` (``least_loaded``) for Hồng Bàng, as its SQL alone;
2. the whole ``route()`` of one waiting dossier: the locked load, the query, the assignment, its
   history line and notice, the commit (each routed dossier is a new one);
3. the same query for the agency the generator gave the most work, at its natural share of the city.

Each query is also run as bare SQL on a psycopg connection, and under ``EXPLAIN ANALYZE`` for the
database's own time, which does not carry the client's share of a busy machine.

Targets: (1) and (3) under 10 ms at 1,000,000 open dossiers, and (1) flat as the city grows: the
database's time at the largest size within 1.5x (plus 0.5 ms) of the smallest. Exits non-zero when
one is missed.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time as timer
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_dossiers import COLUMNS, NOW, generate, make_app, naive, write_open_visits  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_routing"
AGENCY = "HB"
PROCEDURE, STEP = "1.013978", "district_check"
TARGET_MS = 10.0
FLAT_RATIO, FLAT_SLACK_MS = 1.5, 0.5


def load_agency(url: str, officers: int, load: int, waiting: int, seed: int) -> list[int]:
    """Hồng Bàng's own officers and work; returns the ids of the dossiers waiting to be routed."""
    import psycopg

    rng = random.Random(seed)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        agency_id, desk_id = cur.execute("SELECT id, id FROM agencies WHERE code = %s", (AGENCY,)).fetchone()
        clerk = cur.execute("SELECT id FROM users WHERE agency_id = %s AND role = 'clerk' LIMIT 1",
                            (agency_id,)).fetchone()[0]
        ids = [r[0] for r in cur.execute("SELECT id FROM users WHERE agency_id = %s AND role = 'officer'",
                                         (agency_id,)).fetchall()]
        for i in range(len(ids), officers):
            ids.append(cur.execute(
                "INSERT INTO users (username, full_name, password_hash, role, agency_id, active, session_version,"
                " must_change_password, created_at) VALUES (%s, %s, 'x', 'officer', %s, true, 0, false, now())"
                " RETURNING id", (f"bench.hb.officer{i}", f"Cán bộ thử {i}", agency_id)).fetchone()[0])
        first_id = cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM dossiers").fetchone()[0]
        with cur.copy(f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(load + waiting):
                due = NOW + timedelta(minutes=rng.randint(-10 * 24 * 60, 40 * 24 * 60))
                started = due - timedelta(hours=132)
                assignee = rng.choice(ids) if i < load else None
                copy.write_row((
                    f"BENCH-R-{i:08d}", PROCEDURE, STEP, "processing", 1, desk_id, agency_id, assignee, clerk,
                    "Nguyễn Văn Thử", f"{rng.randrange(10**11, 10**12):012d}", "0912345678",
                    "1 Lạch Tray, Ngô Quyền, Hải Phòng", "[]", "desk", naive(started), naive(due + timedelta(days=5)),
                    naive(started), naive(due), None, 0.0, None, naive(started),
                    "bench: to route" if i >= load else None))
        write_open_visits(cur, first_id=first_id)
        conn.commit()
        waiting_ids = [r[0] for r in cur.execute("SELECT id FROM dossiers WHERE note = 'bench: to route' ORDER BY id")]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE dossiers")
        conn.execute("VACUUM ANALYZE users")
    return waiting_ids


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(url: str, waiting: list[int], runs: int) -> dict[str, float]:
    from sqlalchemy import func, select

    from onestop.agencies.models import Agency
    from onestop.core import clock
    from onestop.dossiers.models import Dossier
    from onestop.dossiers.operations import least_loaded, route
    from onestop.extensions import db

    app = make_app(url)
    figures: dict[str, float] = {}
    with clock.frozen(NOW), app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == AGENCY))
        busiest, busiest_open = db.session.execute(
            select(Dossier.holder_agency_id, func.count()).where(Dossier.is_open, Dossier.holder_agency_id != agency_id)
            .group_by(Dossier.holder_agency_id).order_by(func.count().desc()).limit(1)).one()
        figures["city_open"] = db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.is_open))
        figures["agency_open"] = db.session.scalar(select(func.count()).select_from(Dossier).where(
            Dossier.is_open, Dossier.holder_agency_id == agency_id))
        figures["busiest_open"] = busiest_open
        db.session.commit()

        import psycopg

        bare_conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

        def query(agency: int) -> float:
            """The statement through the session, in a transaction already begun (as in ``route``)."""
            db.session.connection()
            started = timer.perf_counter()
            officer = db.session.execute(least_loaded(agency, "officer")).first()
            elapsed = timer.perf_counter() - started
            db.session.rollback()
            assert officer is not None
            return elapsed

        def bare(agency: int) -> float:
            compiled = least_loaded(agency, "officer").compile(db.engine)
            started = timer.perf_counter()
            bare_conn.execute(str(compiled), compiled.params).fetchone()
            elapsed = timer.perf_counter() - started
            bare_conn.rollback()
            return elapsed

        for _ in range(3):
            query(agency_id)
            query(busiest)
            bare(agency_id)
        def server(agency: int) -> float:
            """The database's own execution time (EXPLAIN ANALYZE): what the city's size could change,
            apart from the client's share of a busy machine."""
            compiled = least_loaded(agency, "officer").compile(db.engine)
            lines = [r[0] for r in bare_conn.execute("EXPLAIN (ANALYZE, TIMING OFF) " + str(compiled), compiled.params)]
            bare_conn.rollback()
            return float(next(line for line in lines if line.startswith("Execution Time")).split()[2]) / 1000

        samples: dict[str, list[float]] = {"query_ms": [], "busiest_ms": [], "bare_ms": [], "server_ms": [],
                                           "busiest_server_ms": []}
        for _ in range(runs):  # interleaved, so that all of them see the same machine
            samples["query_ms"].append(query(agency_id))
            samples["bare_ms"].append(bare(agency_id))
            samples["busiest_ms"].append(query(busiest))
            samples["server_ms"].append(server(agency_id))
            samples["busiest_server_ms"].append(server(busiest))
        figures.update({k: median_ms(v) for k, v in samples.items()})
        bare_conn.close()
        compiled = least_loaded(agency_id, "officer").compile(db.engine)
        plan = "\n".join(r[0] for r in db.session.connection().exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params))
        db.session.rollback()
        figures["plan"] = plan  # type: ignore[assignment]

        route_times = []
        for dossier_id in waiting[:runs]:
            started = timer.perf_counter()
            officer = route(dossier_id, 1)
            db.session.commit()
            route_times.append(timer.perf_counter() - started)
            assert officer is not None, dossier_id
        figures["route_ms"] = median_ms(route_times)
        db.session.remove()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ONESTOP_BENCH_ROUTING_URL", DEFAULT_URL))
    parser.add_argument("--sizes", default="250000,1000000", help="open dossiers of the city, comma-separated")
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--agency-load", type=int, default=5000, help="Hồng Bàng's own open dossiers")
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.database_url.rsplit("/", 1)[-1] in ("test", "onestop", "postgres"):
        parser.error("use a database of its own for the benchmark (e.g. onestop_bench_routing)")
    from api_bench import ensure_database

    ensure_database(args.database_url)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for size in sizes:
        generate(args.database_url, size, 0, 0, args.seed, exclude_holders={AGENCY})
        waiting = load_agency(args.database_url, args.officers, args.agency_load, args.runs, args.seed)
        figures = measure(args.database_url, waiting, args.runs)
        results.append(figures)
        print(f"{figures['city_open']:>9,} open in the city; {AGENCY}: {figures['agency_open']:,} open, "
              f"{args.officers} officers   officer query {figures['query_ms']:6.2f} ms (bare SQL {figures['bare_ms']:5.2f}, "
              f"in the database {figures['server_ms']:5.2f})   "
              f"whole route() {figures['route_ms']:6.2f} ms   busiest agency ({figures['busiest_open']:,} open) "
              f"{figures['busiest_ms']:6.2f} ms (in the database {figures['busiest_server_ms']:5.2f})")
    print()
    print("plan of the officer query at the largest size:")
    print("  " + results[-1]["plan"].replace("\n", "\n  "))
    first, last = results[0], results[-1]
    missed = []
    if last["query_ms"] >= TARGET_MS:
        missed.append(f"officer query {last['query_ms']:.2f} ms >= {TARGET_MS} ms")
    if last["busiest_ms"] >= TARGET_MS:
        missed.append(f"busiest agency's query {last['busiest_ms']:.2f} ms >= {TARGET_MS} ms")
    if last["server_ms"] > first["server_ms"] * FLAT_RATIO + FLAT_SLACK_MS:
        missed.append(f"not flat: {first['server_ms']:.2f} ms in the database at {first['city_open']:,}, "
                      f"{last['server_ms']:.2f} ms at {last['city_open']:,}")
    print()
    print(f"targets: < {TARGET_MS} ms at the largest size; flat: the database's time at the largest size "
          f"<= {FLAT_RATIO}x + {FLAT_SLACK_MS} ms of the smallest")
    if missed:
        print("MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
