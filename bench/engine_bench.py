"""Engine overhead per transition, without the database.

    .venv/bin/python bench/engine_bench.py [--number 300] [--repeat 5] [--target-us 100]

For each procedure of the catalogue, every transition it declares (each action of each step) is
fired in turn with ``Engine.fire`` on a plain stand-in object (the three attributes the engine
reads and writes: procedure code, step, documents), with a note and every document, so guards
pass. ``timeit`` runs the whole round ``--number`` times, ``--repeat`` times over; the best round
gives microseconds per transition. Also timed: loading and validating the catalogue files, and
compiling them into machines. Exits 1 when a procedure is over the target.
"""
import argparse
import statistics
import sys
import time
import timeit
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from onestop.workflows.definition import load_catalogue  # noqa: E402
from onestop.workflows.engine import Engine  # noqa: E402

NOTE = "Ý kiến của cán bộ"


@dataclass(slots=True)
class Case:
    """Stand-in for a dossier row."""
    procedure_code: str
    step: str
    documents: list[str] = field(default_factory=list)


def time_catalogue(repeat: int) -> tuple[float, float, Engine]:
    loads, compiles = [], []
    engine = None
    for _ in range(repeat):
        started = time.perf_counter()
        catalogue = load_catalogue()
        loaded = time.perf_counter()
        engine = Engine(catalogue)
        compiles.append(time.perf_counter() - loaded)
        loads.append(loaded - started)
    return min(loads), min(compiles), engine


def bench_procedure(engine: Engine, code: str, number: int, repeat: int) -> tuple[int, float, float]:
    """(transitions per round, best µs per transition, median µs per transition)."""
    procedure = engine.procedure(code)
    pairs = [(s.key, a.name, a.target) for s in procedure.steps for a in s.actions]
    case = Case(code, procedure.start.key, [d.key for d in procedure.documents])
    fire = engine.fire

    def one_round() -> None:
        for source, action, _target in pairs:
            case.step = source
            fire(case, action, NOTE)

    for source, action, target in pairs:  # every transition lands where the definition says
        case.step = source
        fire(case, action, NOTE)
        assert case.step == target, (code, source, action, case.step)
    rounds = timeit.Timer(one_round).repeat(repeat=repeat, number=number)
    per = [r / (number * len(pairs)) * 1e6 for r in rounds]
    assert engine.compiled[code].machine.models == [], "the compiled machine must hold no models"
    return len(pairs), min(per), statistics.median(per)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=300, help="rounds of every transition per timing")
    parser.add_argument("--repeat", type=int, default=5, help="timings per procedure (the best counts)")
    parser.add_argument("--target-us", type=float, default=100.0, help="limit per transition, µs")
    args = parser.parse_args(argv)

    load_s, compile_s, engine = time_catalogue(args.repeat)
    print(f"catalogue: {len(engine.compiled)} procedures, "
          f"{sum(len(c.procedure.steps) for c in engine.compiled.values())} steps; "
          f"load+validate {load_s * 1e3:.1f} ms, compile {compile_s * 1e3:.1f} ms (best of {args.repeat})")
    print(f"{'procedure':<10} {'transitions':>11} {'best µs':>9} {'median µs':>10}  fired")
    worst, total_fired = 0.0, 0
    for code in sorted(engine.compiled):
        count, best, median = bench_procedure(engine, code, args.number, args.repeat)
        fired = count * args.number * args.repeat
        total_fired += fired
        worst = max(worst, best)
        print(f"{code:<10} {count:>11} {best:>9.1f} {median:>10.1f}  {fired:,}")
    verdict = "OK" if worst < args.target_us else "OVER TARGET"
    print(f"worst procedure: {worst:.1f} µs per transition (target < {args.target_us:g} µs): {verdict}; "
          f"{total_fired:,} transitions fired")
    return 0 if worst < args.target_us else 1


if __name__ == "__main__":
    sys.exit(main())
