"""Time a reorganisation plan on the benchmark database built by ``generate_dossiers.py``.

    createdb -h 127.0.0.1 -U postgres onestop_bench_reorganise
    export ONESTOP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/onestop_bench_reorganise
    .venv/bin/python bench/generate_dossiers.py --open 50000 --closed 10000
    .venv/bin/python bench/reorganise_bench.py

Seeds the two-tier tree beside the demo's three-tier one, then runs the sample plan
(``onestop/demo/reorganise_three_to_two_tier.toml``) as a dry run several times: every move (the
history lines, holders, desks, staff, requests, code numbers) and every check, then the rollback,
so the database is left as it was. Prints the open dossiers moved and the median time; the target
is under 60 s for 50,000 moved dossiers (a weekend cut-over, one statement per kind of move).
The generated dossiers sit at random steps and desks, so the tree check may refuse the plan: its
time is counted all the same (the refusal comes after every move).
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

from generate_dossiers import make_app  # noqa: E402

TARGET_SECONDS_PER_50K = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL",
                                                                 "postgresql://postgres@127.0.0.1:5432/onestop_bench"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = make_app(args.database_url)
    from sqlalchemy import func, select

    from onestop.demo.seed import TWO_TIER_FILE, seed_demo
    from onestop.dossiers.models import Dossier
    from onestop.extensions import db
    from onestop.reorganisation.apply import run
    from onestop.reorganisation.plan import PlanError, read_plan

    plan_file = ROOT / "onestop" / "demo" / "reorganise_three_to_two_tier.toml"
    with app.app_context():
        seed_demo(TWO_TIER_FILE)
        db.session.commit()
        open_count = db.session.scalar(select(func.count()).select_from(Dossier).where(Dossier.is_open))
        samples, moved, refused = [], 0, None
        for _ in range(args.runs):
            plan = read_plan(plan_file)
            started = timer.perf_counter()
            try:
                moved = run(plan, apply=False).dossiers
            except PlanError as exc:
                refused = str(exc)
            samples.append(timer.perf_counter() - started)
            db.session.rollback()
        median = statistics.median(samples)
    scale = max(moved or open_count, 1) / 50_000
    target = TARGET_SECONDS_PER_50K * max(scale, 1)
    print(f"open dossiers: {open_count}; moved by the plan: {moved if not refused else 'all moves done, then refused'}")
    if refused:
        print(f"refused by the check (expected on random data): {refused[:160]}")
    print(f"dry run (moves + checks + rollback): median {median:.2f} s of {len(samples)} runs "
          f"({', '.join(f'{s:.2f}' for s in samples)}); target {target:.0f} s")
    return 0 if median <= target else 1


if __name__ == "__main__":
    raise SystemExit(main())
