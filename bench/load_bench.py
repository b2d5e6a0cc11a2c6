"""Fifty people at once on gunicorn + PostgreSQL + a real Celery worker: nothing fails, nothing is lost.

    .venv/bin/python bench/load_bench.py                 # 50 users for 60 s (creates onestop_bench_load)
    .venv/bin/python bench/load_bench.py --seconds 15    # shorter

It resets the schema of its own database (``--url``; it refuses a test database), applies the
migrations and loads the demo tree (``api_bench.load``), then starts, on 127.0.0.1 only, gunicorn
with the Procfile's two sync workers (``intake_bench.start_server``) and a ``celery worker`` of two
processes on its own Redis database. The users log in through the real login form and use the pages
as people do, each waiting ``--think`` seconds (on average) between two requests:

* clerks of the Hồng Bàng desk log land dossiers through the intake form (its CSRF token and
  one-time submission key, the citizen from ``people.py``) and forward each to the district;
* officers of the district open their inbox and press the step's action on a dossier of theirs;
* supervisors read the statistics and the overdue report;
* citizens look up the dossiers logged so far and file birth registrations online (two PDFs),
  each filing from an address of its own (``X-Forwarded-For``, one proxy hop trusted), as citizens
  at home do.

It prints requests per second, p50/p95/p99 per kind of request and the errors; then it lets the
worker finish and checks that every dossier a receipt was shown for exists once, with its
history, and was routed at each step it entered (no open dossier left unassigned), and that every
online filing answered with a redirect is one application. Exits 1 on any error or loss.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api_bench import ensure_database, free_port, load  # noqa: E402
from bench.intake_bench import start_server  # noqa: E402
from bench.people import People  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/5"
PASSWORD = "demo1234"
LAND = "1.013978"
BIRTH = "1.001193"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" + b"%" * 2000
#: users of each kind per 50 (scaled to --users)
MIX = {"clerk": 12, "officer": 12, "supervisor": 6, "citizen": 20}
#: actions an officer presses to move a dossier on (never a refusal or a send-back)
FORWARD_ACTIONS = ("forward", "approve", "confirm", "submit", "sign", "send", "transfer", "done", "complete")
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')


class Failed(Exception):
    pass


class Log:
    """What every user saw: request times per kind, errors, and what was created."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.dossiers: dict[str, str] = {}  # code -> the ID's last four digits
        self.dossier_ids: list[int] = []
        self.filed = 0

    def timed(self, kind: str, call, expect=(200,)):
        started = time.perf_counter()
        try:
            answer = call()
        except requests.RequestException as exc:
            self.error(f"{kind}: {type(exc).__name__}: {exc}")
            raise Failed from exc
        took = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(took)
        if answer.status_code not in expect:
            problems = re.findall(r'class="error"[^>]*>([^<]+)<', answer.text)[:3]
            self.error(f"{kind}: HTTP {answer.status_code} {answer.url} {problems}")
            raise Failed
        return answer

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def hidden(html: str, after: str = "") -> dict:
    """The CSRF token and the one-time key of the first form after ``after`` in the page."""
    start = html.find(after) if after else 0
    fields = {}
    for tag in INPUT.findall(html[max(start, 0):]):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("name") in ("csrf_token", "_once"):
            fields.setdefault(attributes["name"], attributes.get("value", ""))
    if "csrf_token" not in fields:
        raise Failed("no CSRF token in the page")
    return fields


def login(log: Log, session: requests.Session, base: str, username: str) -> None:
    page = log.timed("login", lambda: session.get(f"{base}/login"))
    answer = log.timed("login", lambda: session.post(f"{base}/login", data={
        **hidden(page.text), "username": username, "password": PASSWORD}, allow_redirects=False), expect=(302, 303))
    if "/login" in answer.headers.get("Location", ""):
        log.error(f"login refused for {username}")
        raise Failed


class User(threading.Thread):
    def __init__(self, kind: str, n: int, base: str, log: Log, stop: float, think: float, desk_id: int):
        super().__init__(daemon=True)
        self.kind, self.n, self.base, self.log, self.stop, self.think = kind, n, base, log, stop, think
        self.desk_id = desk_id
        self.session = requests.Session()
        self.rng = random.Random(n)
        self.people = People(1000 + n)
        self.count = 0
        #: (the user's index among those of its kind, how many there are)
        self.of_kind = (0, 1)

    def person(self) -> tuple[str, str, str]:
        """A name and phone from ``people.py``; an ID that the ID check takes (Hải Phòng's code, born
        in the 20th century)."""
        name, _, _, phone = self.people.next()
        return name, f"031{self.rng.randrange(2)}{self.rng.randrange(40, 100):02d}{self.rng.randrange(10**6):06d}", phone

    def pause(self) -> None:
        time.sleep(self.rng.expovariate(1 / self.think) if self.think > 0 else 0)

    def run(self) -> None:
        username = {"clerk": "hb.clerk", "officer": "hb.officer",
                    "supervisor": "hb.supervisor" if self.n % 2 else "hp.supervisor"}.get(self.kind)
        try:
            if username:
                login(self.log, self.session, self.base, username)
        except Failed as exc:
            self.log.error(f"{self.kind} {username}: could not log in {exc.args}")
            return
        step = getattr(self, self.kind)
        while time.monotonic() < self.stop:
            try:
                step()
            except Failed as exc:
                if exc.args:
                    self.log.error(f"{self.kind}: {exc.args[0]}")
            self.count += 1
            self.pause()

    # --- the kinds of users -------------------------------------------------------------------

    def clerk(self) -> None:
        base, log = self.base, self.log
        form = log.timed("intake form", lambda: self.session.get(f"{base}/desk/new?procedure={LAND}"))
        name, id_number, phone = self.person()
        answer = log.timed("intake", lambda: self.session.post(f"{base}/desk/new", data={
            **hidden(form.text, 'action="/desk/new'), "procedure_code": LAND, "applicant_kind": "person",
            "applicant_name": name, "applicant_id_number": id_number, "applicant_phone": phone,
            "applicant_address": "12 Minh Khai, Hồng Bàng, Hải Phòng",
            "documents": ["application", "land_papers", "cadastral_extract", "fee_declaration"],
            "detail_parcel_number": str(self.rng.randrange(1, 999)), "detail_map_sheet": "14",
            "detail_area": "86,5", "delivery_method": "desk"}, allow_redirects=False), expect=(302, 303))
        found = re.search(r"/desk/dossiers/(\d+)/receipt", answer.headers.get("Location", ""))
        if not found:
            log.error(f"intake: no receipt in {answer.headers.get('Location')}")
            raise Failed
        dossier_id = int(found.group(1))
        receipt = log.timed("receipt", lambda: self.session.get(f"{base}{answer.headers['Location']}"))
        code = re.search(r'data-testid="dossier-code"[^>]*>([^<]+)<', receipt.text)
        with log.lock:
            log.dossier_ids.append(dossier_id)
            if code:
                log.dossiers[code.group(1).strip()] = id_number[-4:]
        self.pause()
        self.act(dossier_id, ("forward",), "forward")

    def act(self, dossier_id: int, names, kind: str) -> bool:
        page = self.log.timed(f"{kind} page", lambda: self.session.get(f"{self.base}/dossiers/{dossier_id}"))
        offered = re.findall(r'name="action" value="(\w+)"', page.text)
        choice = next((a for a in names if a in offered), None)
        if choice is None:
            return False
        self.log.timed(kind, lambda: self.session.post(f"{self.base}/dossiers/{dossier_id}/action", data={
            **hidden(page.text, "/action\""), "action": choice, "note": ""}, allow_redirects=False), expect=(302, 303))
        return True

    def officer(self) -> None:
        inbox = self.log.timed("inbox", lambda: self.session.get(f"{self.base}/inbox"))
        # the officers share one login (one person in many tabs would race themselves): each takes
        # its own share of the inbox, so that no two press a button on the same dossier at once
        ids = sorted({int(i) for i in re.findall(r'href="/dossiers/(\d+)"', inbox.text)
                      if int(i) % self.of_kind[1] == self.of_kind[0]})
        if ids:
            self.pause()
            self.act(self.rng.choice(ids), FORWARD_ACTIONS, "officer action")

    def supervisor(self) -> None:
        path = self.rng.choice(["/reports/statistics", "/reports/overdue", "/inbox"])
        self.log.timed("reports", lambda: self.session.get(f"{self.base}{path}"))

    def citizen(self) -> None:
        with self.log.lock:
            known = list(self.log.dossiers.items())
        if known and self.rng.random() < 0.7:
            code, tail = self.rng.choice(known)
            form = self.log.timed("look-up form", lambda: self.session.get(f"{self.base}/tra-cuu/"))
            answer = self.log.timed("look-up", lambda: self.session.post(f"{self.base}/tra-cuu/", data={
                **hidden(form.text), "code": code, "id_tail": tail}))
            if code not in answer.text:
                self.log.error(f"look-up: {code} not shown")
            return
        address = f"10.{self.n}.{self.count // 250 % 250}.{self.count % 250 + 1}"
        headers = {"X-Forwarded-For": address}
        form = self.log.timed("online form", lambda: self.session.get(
            f"{self.base}/nop-truc-tuyen/?procedure={BIRTH}", headers=headers))
        name, id_number, phone = self.person()
        self.log.timed("online filing", lambda: self.session.post(f"{self.base}/nop-truc-tuyen/", headers=headers, data={
            **hidden(form.text, 'enctype="multipart/form-data"'), "procedure_code": BIRTH, "desk_id": str(self.desk_id),
            "applicant_name": name, "applicant_id_number": id_number, "applicant_phone": phone,
            "applicant_email": "", "applicant_address": "5 Lê Lợi, Máy Tơ, Ngô Quyền", "delivery_method": "desk",
            "detail_child_name": "Trần Minh Khang", "detail_child_sex": "Nam", "detail_child_birth_date": "02/11/2026",
            "detail_child_birth_place": "Bệnh viện Phụ sản Hải Phòng"},
            files={"file_declaration": ("To khai.pdf", PDF, "application/pdf"),
                   "file_birth_notice": ("Giay chung sinh.pdf", PDF, "application/pdf")},
            allow_redirects=False), expect=(302, 303))
        with self.log.lock:
            self.log.filed += 1


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "worker.app", "worker", "--concurrency=2",
                             "--loglevel=warning", "-n", "load-bench@%h"], cwd=ROOT, env=env, start_new_session=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def check(url: str, log: Log, drain_seconds: float) -> list[str]:
    """Every dossier shown on a receipt exists once, with its history, and was routed at each step."""
    os.environ["ONESTOP_DATABASE_URL"] = url
    from sqlalchemy import func, select

    from onestop import create_app
    from onestop.core import clock
    from onestop.dossiers.models import Dossier, DossierEvent
    from onestop.dossiers.reroute import stranded
    from onestop.extensions import db
    from onestop.online.models import OnlineApplication

    problems = []
    app = create_app({"ONESTOP_DISPATCH_ON_COMMIT": False})
    with app.app_context():
        deadline = time.monotonic() + drain_seconds
        while (left := stranded(clock.now(), 0, limit=10_000)) and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.5)
        if left:
            problems.append(f"{len(left)} open dossiers never routed: {left[:10]}")
        ids = log.dossier_ids
        total = db.session.scalar(select(func.count()).select_from(Dossier))
        if total != len(ids) or len(set(ids)) != len(ids):
            problems.append(f"{len(ids)} receipts shown, {len(set(ids))} distinct, {total} dossiers stored")
        codes = db.session.execute(select(Dossier.code, func.count()).group_by(Dossier.code)
                                   .having(func.count() > 1)).all()
        if codes:
            problems.append(f"codes given twice: {codes[:10]}")
        received = set(db.session.scalars(select(DossierEvent.dossier_id).where(DossierEvent.action == "receive")))
        forwarded = set(db.session.scalars(select(DossierEvent.dossier_id).where(DossierEvent.action == "forward")))
        routed = set(db.session.scalars(select(DossierEvent.dossier_id).where(
            DossierEvent.action == "assign", DossierEvent.actor_id.is_(None))))
        missing = [i for i in ids if i not in received]
        if missing:
            problems.append(f"{len(missing)} dossiers without their receive event: {missing[:10]}")
        unrouted = sorted(forwarded - routed)
        if unrouted:
            problems.append(f"{len(unrouted)} forwarded dossiers never routed: {unrouted[:10]}")
        applications = db.session.scalar(select(func.count()).select_from(OnlineApplication))
        if applications != log.filed:
            problems.append(f"{log.filed} online filings answered, {applications} applications stored")
        print(f"\nchecked: {total} dossiers ({len(forwarded)} forwarded, {len(routed)} routed by the worker), "
              f"{applications} online applications")
        db.session.remove()
        db.engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL database of its own (its schema is reset)")
    parser.add_argument("--broker", default=DEFAULT_BROKER, help="Redis database of its own")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a user waits between requests")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds the worker may take to finish afterwards")
    args = parser.parse_args()
    name = args.url.rstrip("/").rsplit("/", 1)[-1]
    if name.startswith("test") or name in ("postgres", "onestop"):
        parser.error(f"refusing {name}: the bench resets its schema; give it a database of its own")

    ensure_database(args.url)
    instance = Path(tempfile.mkdtemp(prefix="onestop-bench-load-"))
    load(args.url, instance)
    import redis

    redis.Redis.from_url(args.broker).flushdb()
    env = {"ONESTOP_DATABASE_URL": args.url, "ONESTOP_BROKER_URL": args.broker, "ONESTOP_INSTANCE_PATH": str(instance),
           "ONESTOP_SECRET_KEY": secrets.token_hex(16), "ONESTOP_SECURE_COOKIES": "0", "ONESTOP_HSTS": "0",
           "ONESTOP_PROXY_HOPS": "1", "ONESTOP_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    worker = start_worker({**os.environ, **env})
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    desk_id = int(re.search(r'<option value="(\d+)"[^>]*>[^<]*Minh Khai',
                            requests.get(f"{base}/nop-truc-tuyen/?procedure={BIRTH}", timeout=30).text).group(1))
    log = Log()
    scale = args.users / sum(MIX.values())
    kinds = [k for k, n in MIX.items() for _ in range(max(1, round(n * scale)))]
    stop = time.monotonic() + args.seconds
    users = [User(kind, n, base, log, stop, args.think, desk_id) for n, kind in enumerate(kinds)]
    for user in users:
        same = [u for u in users if u.kind == user.kind]
        user.of_kind = (same.index(user), len(same))
    started = time.monotonic()
    try:
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        problems = check(args.url, log, args.drain)
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)

    total = sum(len(v) for v in log.times.values())
    print(f"\nonestop load bench: {len(users)} users ({', '.join(f'{kinds.count(k)} {k}s' for k in MIX)}), "
          f"{elapsed:.0f} s, think {args.think:g} s; gunicorn 2 sync workers + PostgreSQL + a Celery worker (2)")
    print(f"  {'kind':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind in sorted(log.times):
        values = log.times[kind]
        print(f"  {kind:<22}{len(values):>9}{len(values) / elapsed:>8.1f}{statistics.median(values) * 1000:>9.0f}"
              f"{percentile(values, 0.95) * 1000:>9.0f}{percentile(values, 0.99) * 1000:>9.0f}")
    print(f"  {'all':<22}{total:>9}{total / elapsed:>8.1f}")
    kinds_of_error = defaultdict(int)
    for error in log.errors:
        kinds_of_error[error] += 1
    print(f"  errors: {len(log.errors)}" + "".join(f"\n    {n} x {e}" for e, n in list(kinds_of_error.items())[:20]))
    for problem in problems:
        print("  LOST:", problem)
    return 1 if log.errors or problems else 0


if __name__ == "__main__":
    sys.exit(main())
