"""Online application submission through the API against a bare insert, on the same gunicorn and
PostgreSQL, side by side.

    .venv/bin/python bench/api_bench.py                  # creates onestop_bench_api if missing
    .venv/bin/python bench/api_bench.py --seconds 5      # shorter rounds

It resets the schema of its own database (``--url``, never a test database), applies the
migrations, loads the demo tree and registers an API client; then it starts gunicorn (two sync
workers, as the Procfile does) on ``bench/api_app.py``: onestop itself, plus ``POST
/bench/bare-insert``, which takes the same body and only parses it, decodes and writes the files,
inserts the application's row and its files' rows and commits. Both are driven by the same
``--clients`` keep-alive HTTP connections with the same body (a birth registration at the Minh Khai
desk, its two checklist documents as small PDFs); each API call carries its own Idempotency-Key, so
every call files an application, as a portal's would. The rounds alternate (bare, API, bare, API…)
so both see the same machine; the figure of each is the median of its rounds' requests per second.

The API call does the whole job: the token's look-up, the rate limit in Redis, the body's validation,
the desk's scope and the procedure's offer, the key's claim and its stored answer, the files' checks
and storage, the application's rows, the audit line, one commit.

Target: the API at >= 60 % of the bare insert's requests per second, and every answer a 201. Exits
non-zero if missed.
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_api"
DEFAULT_BROKER = "redis://127.0.0.1:6379/3"
TARGET_RATIO = 0.60
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"%" * 2000


def body() -> bytes:
    content = base64.b64encode(PDF).decode()
    return json.dumps({
        "procedure_code": "1.001193", "desk": "HBMK", "delivery_method": "desk",
        "applicant": {"name": "Trần Thị Bình", "id_number": "031190004321", "phone": "0987654321",
                      "address": "5 Lê Lợi, Máy Tơ, Ngô Quyền", "email": "binh@example.vn"},
        "files": [{"document": "declaration", "filename": "To khai.pdf", "content": content},
                  {"document": "birth_notice", "filename": "Giay chung sinh.pdf", "content": content}],
    }, ensure_ascii=False).encode()


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rstrip("/").rsplit("/", 1)[-1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def load(url: str, instance: Path) -> str:
    """A fresh schema, the demo tree, one API client; returns its token."""
    os.environ.update(ONESTOP_DATABASE_URL=url, ONESTOP_INSTANCE_PATH=str(instance))
    from flask_migrate import upgrade
    from sqlalchemy import text

    from onestop import create_app
    from onestop.extensions import db

    app = create_app({"ONESTOP_DISPATCH_ON_COMMIT": False})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=app.extensions["migrate"].directory)
        from onestop.demo.seed import seed_demo

        seed_demo()
        db.session.commit()
        from tests.api.helpers import make_client

        token = make_client("HP", ["applications:write"], days=1, name="Bench")[1]
        db.session.remove()
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, env: dict, target: str = "bench.api_app:app", workers: int = 2) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--no-control-socket", "--log-level", "warning", target], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def drive(port: int, path: str, headers: dict, payload: bytes, seconds: float, clients: int,
          keyed: bool) -> tuple[float, dict[int, int]]:
    """``clients`` connections posting for ``seconds``; returns (requests per second, statuses)."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    done = [0]

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: dict[int, int] = {}
        count = 0
        while time.monotonic() < stop:
            extra = {"Idempotency-Key": f"bench-{n}-{count}-{time.monotonic_ns()}"} if keyed else {}
            conn.request("POST", path, body=payload, headers={**headers, **extra})
            answer = conn.getresponse()
            answer.read()
            mine[answer.status] = mine.get(answer.status, 0) + 1
            count += 1
        conn.close()
        with lock:
            done[0] += count
            for status, k in mine.items():
                statuses[status] = statuses.get(status, 0) + k

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / (time.monotonic() - started), statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--broker", default=DEFAULT_BROKER, help="Redis: the rate limit's counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of one round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, alternating")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections")
    args = parser.parse_args()

    ensure_database(args.url)
    instance = Path(tempfile.mkdtemp(prefix="onestop-bench-api-"))
    token = load(args.url, instance)
    port = free_port()
    env = {**os.environ, "ONESTOP_DATABASE_URL": args.url, "ONESTOP_BROKER_URL": args.broker,
           "ONESTOP_INSTANCE_PATH": str(instance), "ONESTOP_DISPATCH_ON_COMMIT": "0",
           "ONESTOP_API_RATE_LIMIT": "10000000/minute", "PYTHONPATH": str(ROOT)}
    server = start_gunicorn(port, env)
    payload = body()
    json_headers = {"Content-Type": "application/json"}
    api_headers = {**json_headers, "Authorization": f"Bearer {token}"}
    results: dict[str, list[float]] = {"bare": [], "api": []}
    statuses: dict[str, dict[int, int]] = {"bare": {}, "api": {}}
    try:
        drive(port, "/bench/bare-insert", json_headers, payload, 2, args.clients, False)  # warm-up
        drive(port, "/api/v1/applications", api_headers, payload, 2, args.clients, True)
        for _ in range(args.rounds):
            for name, path, headers, keyed in (("bare", "/bench/bare-insert", json_headers, False),
                                               ("api", "/api/v1/applications", api_headers, True)):
                rps, seen = drive(port, path, headers, payload, args.seconds, args.clients, keyed)
                results[name].append(rps)
                for status, n in seen.items():
                    statuses[name][status] = statuses[name].get(status, 0) + n
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    bare, api = statistics.median(results["bare"]), statistics.median(results["api"])
    ratio = api / bare
    print(f"bare insert        {bare:8.1f} req/s   rounds {', '.join(f'{r:.1f}' for r in results['bare'])}"
          f"   statuses {statuses['bare']}")
    print(f"API submission     {api:8.1f} req/s   rounds {', '.join(f'{r:.1f}' for r in results['api'])}"
          f"   statuses {statuses['api']}")
    print(f"API / bare         {ratio:8.1%}   (target >= {TARGET_RATIO:.0%})")
    failed = []
    if ratio < TARGET_RATIO:
        failed.append(f"the API is at {ratio:.1%} of the bare insert, under {TARGET_RATIO:.0%}")
    for name in ("bare", "api"):
        if set(statuses[name]) != {201}:
            failed.append(f"{name}: answers other than 201: {statuses[name]}")
    for problem in failed:
        print("MISSED:", problem)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
