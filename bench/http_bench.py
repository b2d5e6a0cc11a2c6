"""The two busiest writes over HTTP, onestop beside a bare app of the same stack, on gunicorn and
PostgreSQL, side by side.

    .venv/bin/python bench/http_bench.py                  # creates onestop_bench_http if missing
    .venv/bin/python bench/http_bench.py --seconds 5      # shorter rounds

It resets the schema of its own database (``--url``, never a test database), applies the
migrations, loads the demo tree and two pools of copy-certification dossiers at the Minh Khai
ward's justice check, given to its officer (one pool for each app, each dossier forwarded once).
Then it starts two gunicorns (sync, ``--workers`` each, 4 by default) on ``bench/http_app.py``:
onestop itself, and the bare app (Flask + Flask-SQLAlchemy doing only the same writes: the intake's
dossier row and history line; the forward's UPDATE, history line and outbox row; one commit each).

Both are driven by the same ``--clients`` keep-alive connections (threads and ``http.client``; wrk
is used by nobody here, so the driver stays in Python for both sides alike) with the same form
bodies:

* **intake**: a birth registration typed into the desk's real form (``POST /desk/new``, the
  clerk's session, its CSRF token and a new one-time key per request), against ``POST
  /bare/intake`` with the same body;
* **action**: the officer's forward from the dossier page (``POST /dossiers/<id>/action``), which
  moves the dossier to the leader's signature and hands it to routing through the outbox, against
  ``POST /bare/dossiers/<id>/forward``.

The rounds alternate (bare intake, onestop intake, bare action, onestop action, again…) so all see
the same machine; each figure is the median of its rounds' requests per second, with p50 and p99
of the latencies of all its requests and the statements per request (each app counts them and
says so in a header: ``http_app.py``). Outbox messages are left for the relay (no broker publish
after the commit: ``ONESTOP_DISPATCH_ON_COMMIT`` off) unless ``--dispatch`` is given.

Targets: onestop's intake >= 60 % and its action >= 60 % of the bare app's requests per second,
and every answer a redirect (302). Exits non-zero when one is missed.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import re
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_bench import ensure_database, free_port, load, start_gunicorn  # noqa: E402
from generate_dossiers import COLUMNS, naive, write_open_visits  # noqa: E402
from http_app import HEADER  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_http"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
TARGET_RATIO = 0.60
PASSWORD = "demo1234"
DESK = "HBMK"
COPY = "2.000815"
BIRTH = {
    "procedure_code": "1.001193", "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
    "applicant_phone": "0987654321", "applicant_address": "5 Lê Lợi, Máy Tơ, Ngô Quyền", "applicant_email": "",
    "documents": ["declaration", "birth_notice"], "delivery_method": "desk", "note": "",
    "detail_child_name": "Trần Minh Khang", "detail_child_sex": "Nam", "detail_child_birth_date": "02/11/2026",
    "detail_child_birth_place": "Bệnh viện Phụ sản Hải Phòng",
}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def load_pools(url: str, size: int) -> dict:
    """The ids the apps need and two pools of dossiers at the justice check (onestop's, the bare app's)."""
    import psycopg

    from onestop.core import clock

    rng = random.Random(11)
    now = clock.now()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        desk = cur.execute("SELECT id FROM agencies WHERE code = %s", (DESK,)).fetchone()[0]
        clerk, officer = (cur.execute("SELECT id FROM users WHERE username = %s", (name,)).fetchone()[0]
                          for name in (f"{DESK.lower()}.clerk", f"{DESK.lower()}.officer"))
        with cur.copy(f"COPY dossiers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(2 * size):
                due = now + timedelta(days=rng.randint(1, 5))
                copy.write_row((
                    f"BENCH-H-{i:08d}", COPY, "justice_check", "processing", 2, desk, desk, officer, clerk,
                    "Nguyễn Văn Thử", f"{rng.randrange(10**11, 10**12):012d}", "0912345678",
                    "1 Lạch Tray, Ngô Quyền, Hải Phòng", '["copy", "original"]', "desk", naive(now - timedelta(hours=2)),
                    naive(due + timedelta(days=1)), naive(now - timedelta(hours=1)), naive(due), None, 0.0, None,
                    naive(now - timedelta(hours=2)), "bench: onestop" if i < size else "bench: bare"))
        write_open_visits(cur)
        conn.commit()
        pools = {name: [r[0] for r in cur.execute("SELECT id FROM dossiers WHERE note = %s ORDER BY id",
                                                  (f"bench: {name}",))] for name in ("onestop", "bare")}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"desk": desk, "clerk": clerk, "officer": officer, "pools": pools}


class Browser:
    """One keep-alive connection with a logged-in session (its cookie and CSRF token)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""
        self.csrf = ""

    def send(self, method: str, path: str, body: bytes | None = None, keep_cookie: bool = True):
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        answer = self.conn.getresponse()
        data = answer.read()
        if keep_cookie:
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
        return answer, data

    def login(self, username: str, page: str) -> Browser:
        _, html = self.send("GET", "/login")
        self.csrf = _CSRF.search(html.decode()).group(1)
        answer, _ = self.send("POST", "/login", urlencode(
            {"username": username, "password": PASSWORD, "csrf_token": self.csrf}).encode())
        if answer.status != 302:
            raise SystemExit(f"could not log in as {username}: {answer.status}")
        _, html = self.send("GET", page)
        self.csrf = _CSRF.search(html.decode()).group(1)
        return self


def drive(browsers: list[Browser], make, seconds: float) -> dict:
    """Every browser posts ``make(browser)`` (method, path, body) for ``seconds``; the session cookie of
    the login is kept (the answers' flashes are never read). Returns requests per second, statuses,
    latencies and the statement counts the app reported."""
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    out = {"statuses": {}, "latencies": [], "statements": [], "commits": [], "done": 0}

    def run(browser: Browser) -> None:
        statuses, latencies, statements, commits = {}, [], [], []
        while time.monotonic() < stop:
            method, path, body = make(browser)
            started = time.perf_counter()
            answer, _ = browser.send(method, path, body, keep_cookie=False)
            latencies.append(time.perf_counter() - started)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
            counted = (answer.getheader(HEADER) or "0 0").split()
            statements.append(int(counted[0]))
            commits.append(int(counted[1]))
        with lock:
            out["done"] += len(latencies)
            out["latencies"] += latencies
            out["statements"] += statements
            out["commits"] += commits
            for status, n in statuses.items():
                out["statuses"][status] = out["statuses"].get(status, 0) + n

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["rps"] = out["done"] / (time.monotonic() - started)
    return out


def _rounds(rounds: list[dict]) -> str:
    return ", ".join(f"{r['rps']:.1f}" for r in rounds)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--broker", default=DEFAULT_BROKER)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, interleaved")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers of each app")
    parser.add_argument("--pool", type=int, default=30000, help="dossiers to forward, for each app")
    parser.add_argument("--dispatch", action="store_true", help="publish outbox messages to the broker after commit")
    args = parser.parse_args()
    if args.url.rsplit("/", 1)[-1] in ("test", "onestop", "postgres"):
        parser.error("use a database of its own for the benchmark (e.g. onestop_bench_http)")

    ensure_database(args.url)
    instance = Path(tempfile.mkdtemp(prefix="onestop-bench-http-"))
    load(args.url, instance)
    ids = load_pools(args.url, args.pool)
    env = {**os.environ, "ONESTOP_DATABASE_URL": args.url, "ONESTOP_BROKER_URL": args.broker,
           "ONESTOP_INSTANCE_PATH": str(instance), "ONESTOP_DISPATCH_ON_COMMIT": "1" if args.dispatch else "0",
           "ONESTOP_SECRET_KEY": secrets.token_hex(16), "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
           "BENCH_DESK_ID": str(ids["desk"]), "BENCH_CLERK_ID": str(ids["clerk"]),
           "BENCH_OFFICER_ID": str(ids["officer"])}
    ports = {"onestop": free_port(), "bare": free_port()}
    servers = [start_gunicorn(ports["onestop"], env, "bench.http_app:onestop()", args.workers),
               start_gunicorn(ports["bare"], env, "bench.http_app:bare()", args.workers)]
    pools = {name: iter(pool) for name, pool in ids["pools"].items()}
    pool_lock = threading.Lock()

    def next_id(name: str) -> int:
        with pool_lock:
            return next(pools[name])

    def intake_body(browser: Browser) -> bytes:
        return urlencode({**BIRTH, "csrf_token": browser.csrf, "_once": secrets.token_urlsafe(18)}, doseq=True).encode()

    def action_body(browser: Browser) -> bytes:
        return urlencode({"action": "forward", "note": "", "csrf_token": browser.csrf,
                          "_once": secrets.token_urlsafe(18)}).encode()

    paths = {
        ("bare", "intake"): lambda b: ("POST", "/bare/intake", intake_body(b)),
        ("onestop", "intake"): lambda b: ("POST", "/desk/new", intake_body(b)),
        ("bare", "action"): lambda b: ("POST", f"/bare/dossiers/{next_id('bare')}/forward", action_body(b)),
        ("onestop", "action"): lambda b: ("POST", f"/dossiers/{next_id('onestop')}/action", action_body(b)),
    }
    results: dict[tuple[str, str], list[dict]] = {key: [] for key in paths}
    try:
        browsers = {
            ("onestop", "intake"): [Browser(ports["onestop"]).login(f"{DESK.lower()}.clerk", "/desk/new")
                                    for _ in range(args.clients)],
            ("onestop", "action"): [Browser(ports["onestop"]).login(f"{DESK.lower()}.officer", "/inbox")
                                    for _ in range(args.clients)],
            ("bare", "intake"): [Browser(ports["bare"]) for _ in range(args.clients)],
            ("bare", "action"): [Browser(ports["bare"]) for _ in range(args.clients)],
        }
        for key, b in browsers.items():  # the bare app's forms carry the same token-sized field
            if key[0] == "bare":
                for one, like in zip(b, browsers[("onestop", key[1])], strict=True):
                    one.csrf = like.csrf
        for key in paths:  # warm every worker
            drive(browsers[key], paths[key], 2)
        for _ in range(args.rounds):
            for key in paths:
                results[key].append(drive(browsers[key], paths[key], args.seconds))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)

    failed = []
    figures = {}
    print(f"{args.clients} connections, gunicorn sync x{args.workers} each, {args.rounds} rounds of {args.seconds:g} s, "
          f"broker publish after commit {'on' if args.dispatch else 'off'}")
    for key, rounds in results.items():
        rps = statistics.median(r["rps"] for r in rounds)
        latencies = list(itertools.chain.from_iterable(r["latencies"] for r in rounds))
        statements = list(itertools.chain.from_iterable(r["statements"] for r in rounds))
        commits = list(itertools.chain.from_iterable(r["commits"] for r in rounds))
        statuses: dict[int, int] = {}
        for r in rounds:
            for status, n in r["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        figures[key] = rps
        print(f"{key[1]:7s} {key[0]:8s} {rps:7.1f} req/s   rounds {_rounds(rounds)}   "
              f"p50 {percentile(latencies, 0.5) * 1000:6.1f} ms  p99 {percentile(latencies, 0.99) * 1000:6.1f} ms   "
              f"statements {statistics.median(statements):g} + {statistics.median(commits):g} commit   "
              f"statuses {statuses}")
        if set(statuses) != {302}:
            failed.append(f"{key[0]} {key[1]}: answers other than 302: {statuses}")
    for path in ("intake", "action"):
        ratio = figures[("onestop", path)] / figures[("bare", path)]
        print(f"{path:7s} onestop / bare {ratio:7.1%}   (target >= {TARGET_RATIO:.0%})")
        if ratio < TARGET_RATIO:
            failed.append(f"{path}: onestop at {ratio:.1%} of the bare app, under {TARGET_RATIO:.0%}")
    for problem in failed:
        print("MISSED:", problem)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
