"""Generate several province-years of dossier history for the report benchmark.

Everything goes into a database of its own (never the test database: the test suite drops its
schema)::

    createdb -h 127.0.0.1 -U postgres onestop_bench_reports
    .venv/bin/python bench/report_generate.py            # 2,000,000 dossiers over 4 years
    .venv/bin/python bench/report_bench.py

What it builds: an agency tree of a province (city committee, departments, districts, wards:
86 agencies, 4-5 staff each), a catalogue of 120 procedures written as procedure files (ward,
district, department and interconnected ones crossing district, department and city), and
dossiers arriving evenly over the working hours of the years up to now, each walked through its
procedure (its history and its step visits): step times drawn around each step's budget (a fifth of steps overrun), supplement
requests with the clock stopped, refusals and withdrawals, officers assigned at each agency. Dossiers
still running at the present moment are left open where they stand, so the overdue report has work.

Rows go in with ``COPY`` (psycopg 3 ``cursor.copy``) with the secondary indexes and foreign keys
dropped, which are then rebuilt from their own definitions, and the tables are analysed.
"""
from __future__ import annotations

import argparse
import bisect
import io
import os
import random
import sys
import tempfile
import time as timer
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.people import People  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/onestop_bench_reports"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "onestop-bench-reports"
HOURS_PER_DAY = 8
PASSWORD_HASH = "scrypt:32768:8:1$bench$" + "0" * 128  # nobody logs in to the bench database


# -- the agency tree ---------------------------------------------------------------------------
DEPARTMENTS = [
    ("STNMT", "Sở Tài nguyên và Môi trường", "land,environment", True),
    ("SXD", "Sở Xây dựng", "construction", True),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "investment,business", True),
    ("STP", "Sở Tư pháp", "justice", True),
    ("CTHUE", "Cục Thuế", "tax", False),
    ("CAT", "Công an thành phố", "police", True),
    ("BHXH", "Bảo hiểm xã hội thành phố", "social_insurance", True),
    ("SYT", "Sở Y tế", "health", True),
    ("SNV", "Sở Nội vụ", "home_affairs", True),
    ("STC", "Sở Tài chính", "finance", True),
]
DISTRICTS = ["Hồng Bàng", "Lê Chân", "Ngô Quyền", "Kiến An", "Hải An", "Đồ Sơn", "Dương Kinh", "An Dương",
             "Thủy Nguyên", "An Lão", "Kiến Thụy", "Tiên Lãng", "Vĩnh Bảo", "Cát Hải", "Bạch Long Vĩ"]
WARDS_PER_DISTRICT = 4


@dataclass
class Node:
    id: int
    code: str
    name: str
    level: str
    sectors: str
    has_desk: bool
    parent: Node | None
    path: str = ""
    staff: dict = field(default_factory=dict)  # role -> [user ids]

    def chain(self) -> list[Node]:
        out, node = [], self
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]


def build_tree() -> list[Node]:
    nodes: list[Node] = []

    def add(code, name, level, sectors, desk, parent):
        node = Node(len(nodes) + 1, code, name, level, sectors, desk, parent)
        node.path = (parent.path if parent else "/") + f"{node.id}/"
        nodes.append(node)
        return node

    city = add("HP", "Ủy ban nhân dân thành phố", "city", "general", True, None)
    for code, name, sectors, desk in DEPARTMENTS:
        add(code, name, "department", sectors, desk, city)
    for i, name in enumerate(DISTRICTS, 1):
        district = add(f"Q{i:02d}", f"Ủy ban nhân dân quận {name}", "district", "general", True, city)
        for j in range(1, WARDS_PER_DISTRICT + 1):
            add(f"Q{i:02d}P{j}", f"Ủy ban nhân dân phường {j}, {name}", "ward", "general,civil_status", True, district)
    return nodes


def resolve(spec: str, receiving: Node, nodes: list[Node]) -> Node:
    """The same rules as ``onestop.workflows.holders.resolve_holder``, on the in-memory tree."""
    if spec == "desk":
        return receiving
    kind, _, value = spec.split(":")[0], None, spec.split(":")[1]
    chain = receiving.chain()
    if kind == "level":
        return [n for n in chain if n.level == value][-1]
    matching = [n for n in nodes if value in n.sectors.split(",")]
    on_chain = [n for n in matching if n in chain]
    return on_chain[-1] if on_chain else min(matching, key=lambda n: (len(n.path), n.id))


# -- the procedure catalogue --------------------------------------------------------------------
# (template key, level, receiving level, [(step key, name, holder, role)], service level choices)
TEMPLATES = {
    "ward": ("ward", "ward", [("reception", "Tiếp nhận", "desk", "clerk"),
                              ("check", "Công chức phường kiểm tra", "level:ward", "officer"),
                              ("sign", "Lãnh đạo phường ký", "level:ward", "supervisor"),
                              ("result", "Trả kết quả", "desk", "clerk")]),
    "ward_district": ("ward", "ward", [("reception", "Tiếp nhận", "desk", "clerk"),
                                       ("check", "Phường kiểm tra, xác nhận", "level:ward", "officer"),
                                       ("district", "Phòng chuyên môn quận giải quyết", "level:district", "officer"),
                                       ("sign", "Lãnh đạo quận ký", "level:district", "supervisor"),
                                       ("result", "Trả kết quả tại phường", "desk", "clerk")]),
    "district": ("district", "district", [("reception", "Tiếp nhận", "desk", "clerk"),
                                          ("check", "Phòng chuyên môn quận thẩm định", "level:district", "officer"),
                                          ("sign", "Lãnh đạo quận ký", "level:district", "supervisor"),
                                          ("result", "Trả kết quả", "desk", "clerk")]),
    "land": ("district", "district", [("reception", "Tiếp nhận", "desk", "clerk"),
                                      ("check", "Chi nhánh văn phòng đăng ký đất đai kiểm tra", "level:district", "officer"),
                                      ("appraisal", "Sở Tài nguyên và Môi trường thẩm định", "sector:land", "officer"),
                                      ("city_sign", "Lãnh đạo thành phố ký", "level:city", "supervisor"),
                                      ("result", "Trả kết quả tại quận", "desk", "clerk")]),
    "department": ("department", "department", [("reception", "Tiếp nhận", "desk", "clerk"),
                                                ("check", "Phòng chuyên môn của Sở thẩm định", "sector:{sector}", "officer"),
                                                ("sign", "Lãnh đạo Sở ký", "sector:{sector}", "supervisor"),
                                                ("result", "Trả kết quả", "desk", "clerk")]),
}
DEPARTMENT_SECTORS = ["construction", "investment", "justice", "police", "social_insurance", "health",
                      "home_affairs", "finance", "environment"]


@dataclass
class Proc:
    code: str
    template: str
    level: str
    service_level: int
    budget_days: int
    steps: list  # [(key, name, holder, role, hours)]
    sector: str = ""

    @property
    def budget_hours(self) -> float:
        return self.budget_days * HOURS_PER_DAY


def build_catalogue(rng: random.Random, count: int = 120) -> list[Proc]:
    kinds = ["ward"] * 35 + ["ward_district"] * 15 + ["district"] * 35 + ["land"] * 5 + ["department"] * 30
    procs = []
    for i in range(count):
        template = kinds[i % len(kinds)]
        level, _, steps = TEMPLATES[template]
        sector = DEPARTMENT_SECTORS[i % len(DEPARTMENT_SECTORS)] if template == "department" else ""
        budget_days = {"ward": rng.choice([1, 2, 3, 5]), "ward_district": rng.choice([7, 10, 15]),
                       "district": rng.choice([5, 7, 10, 15]), "land": rng.choice([20, 27, 30]),
                       "department": rng.choice([5, 10, 15, 20])}[template]
        hours = budget_days * HOURS_PER_DAY
        desk_hours = 2 if hours <= 24 else 4
        work = len(steps) - 2
        middle = (hours - 2 * desk_hours) / work
        split = [desk_hours] + [middle] * work + [desk_hours]
        procs.append(Proc(f"B.{i + 1:06d}", template, level, rng.choice([2, 3, 4]), budget_days,
                          [(k, n, h.format(sector=sector), r, split[j]) for j, (k, n, h, r) in enumerate(steps)],
                          sector))
    return procs


def write_catalogue(procs: list[Proc], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.toml"):
        old.unlink()
    for p in procs:
        keys = [s[0] for s in p.steps]
        lines = [f'code = "{p.code}"', f'name = "Thủ tục thử nghiệm {p.code} ({p.template})"',
                 'field = "Thử nghiệm"', f'level = "{p.level}"', f"service_level = {p.service_level}",
                 f"budget_days = {p.budget_days}", 'fee = ""', "",
                 "[[documents]]", 'key = "application"', 'name = "Đơn đề nghị"', ""]
        for j, (key, name, holder, role, hours) in enumerate(p.steps):
            nxt = keys[j + 1] if j + 1 < len(keys) else "done"
            if key == "reception":
                actions = [f'{{ name = "forward", to = "{nxt}" }}', '{ name = "refuse", to = "refused" }',
                           '{ name = "withdraw", to = "withdrawn" }']
            elif key == "result":
                actions = ['{ name = "return_result", to = "done" }']
            elif key == "check":
                actions = [f'{{ name = "forward", to = "{nxt}" }}', '{ name = "request_supplement", to = "supplement" }',
                           '{ name = "refuse", to = "refused" }']
            else:
                actions = [f'{{ name = "{"sign" if role == "supervisor" else "forward"}", to = "{nxt}" }}']
            lines += ["[[steps]]", f'key = "{key}"', f'name = "{name}"', f'holder = "{holder}"', f'role = "{role}"',
                      f"hours = {hours:g}", "actions = [" + ", ".join(actions) + "]", ""]
        lines += ["[[steps]]", 'key = "supplement"', 'name = "Chờ bổ sung"', 'holder = "desk"', 'role = "clerk"',
                  'kind = "supplement"',
                  'actions = [{ name = "supplement_received", to = "check" }, { name = "withdraw", to = "withdrawn" }]', ""]
        for key, outcome in (("done", "done"), ("refused", "refused"), ("withdrawn", "withdrawn")):
            lines += ["[[steps]]", f'key = "{key}"', f'name = "{key}"', 'holder = "desk"', 'role = "clerk"',
                      'kind = "final"', f'outcome = "{outcome}"', ""]
        (directory / f"{p.code}.toml").write_text("\n".join(lines), encoding="utf-8")


# -- working time, fast --------------------------------------------------------------------------
class FastClock:
    """Working hours <-> instants over a range of days, with the app's calendar (holidays, swaps)."""

    def __init__(self, first: date, last: date):
        from onestop.core.calendar import WorkingCalendar

        cal = WorkingCalendar()
        self.periods = [(s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in cal.office_hours.periods]
        self.before: list[float] = []  # working hours before each working day
        self.midnight: list[float] = []  # UTC epoch seconds of the local midnight of each working day
        total, day = 0.0, first
        while day <= last:
            if cal.is_working_day(day):
                self.before.append(total)
                self.midnight.append(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() - 7 * 3600)
                total += HOURS_PER_DAY
            day += timedelta(days=1)
        self.total = total
        self._text: dict[int, str] = {}

    def hours_at(self, epoch: float) -> float:
        i = bisect.bisect_right(self.midnight, epoch) - 1
        minutes = (epoch - self.midnight[i]) / 60
        return self.before[i] + sum(min(max(minutes - s, 0), e - s) for s, e in self.periods) / 60

    def epoch(self, hours: float) -> float:
        i = min(int(hours // HOURS_PER_DAY), len(self.before) - 1)
        rest = (hours - self.before[i]) * 60
        for s, e in self.periods:
            if rest <= e - s:
                return self.midnight[i] + (s + rest) * 60
            rest -= e - s
        return self.midnight[i] + self.periods[-1][1] * 60

    def text(self, hours: float) -> str:
        """The instant as naive UTC text for COPY, to the minute."""
        key = int(hours * 60)
        found = self._text.get(key)
        if found is None:
            found = datetime.fromtimestamp(self.epoch(key / 60), UTC).strftime("%Y-%m-%d %H:%M:%S")
            self._text[key] = found
        return found


# -- the simulation --------------------------------------------------------------------------------
N = "\\N"


def simulate(args, nodes, procs, clock: FastClock, start_hours: float, now_hours: float, sink, rng):
    """Walk every dossier through its procedure, writing COPY lines into ``sink.d``, ``sink.e`` and ``sink.v``
    (its step visits, as the verbs write them: one per move, none for a final step)."""
    by_level = {lvl: [n for n in nodes if n.level == lvl and n.has_desk] for lvl in ("ward", "district", "department")}
    sector_desks = {p.sector: [n for n in by_level["department"] if p.sector in n.sectors.split(",")] or
                    by_level["department"] for p in procs if p.sector}
    holders_cache: dict = {}
    seq: dict = {}
    event_id = 0
    weights = [8 if p.level == "ward" else 5 if p.level == "district" else 3 for p in procs]
    proc_choices = rng.choices(procs, weights=weights, k=args.dossiers)
    span = now_hours - start_hours
    arrivals = sorted(start_hours + rng.random() * span for _ in range(args.dossiers))
    lognorm = rng.lognormvariate
    people = People(args.seed + 1)  # names, IDs and phones (the header search's benchmark): a generator of their own
    for dossier_id in range(1, args.dossiers + 1):
        p = proc_choices[dossier_id - 1]
        w0 = arrivals[dossier_id - 1]
        if p.sector:
            desk = rng.choice(sector_desks[p.sector])
        else:
            desk = rng.choice(by_level[p.level])
        key = (p.code, desk.id)
        holders = holders_cache.get(key)
        if holders is None:
            holders = [resolve(s[2], desk, nodes) for s in p.steps]
            holders_cache[key] = holders
        r = rng.random()
        channel = "online" if (p.service_level >= 3 and r < 0.35) else "interconnection" if r > 0.96 else "desk"
        clerk = desk.staff["clerk"][0]
        budget = p.budget_hours
        events = []  # (hours, action, actor, from_step, to_step, from_agency, to_agency)
        events.append((w0, "receive", clerk, None, "reception", None, desk.id))
        t = w0
        fate = rng.random()
        i = 0
        supplement_done = False
        while True:
            key_, _name, _holder, role, hours = p.steps[i]
            holder = holders[i]
            if role == "clerk":
                assignee = clerk
            else:
                assignee = rng.choice(holder.staff[role])
                events.append((t + 0.05, "assign", None, key_, key_, holder.id, holder.id))
            factor = lognorm(-0.55, 0.6)
            luck = rng.random()
            if luck < 0.03:
                factor *= 3  # a slow step
            if luck < 0.002:
                factor *= 30  # a forgotten dossier
            t = t + max(0.05, hours * factor)
            if i == 0 and fate < 0.01:
                events.append((t, "withdraw", clerk, key_, "withdrawn", desk.id, desk.id))
                break
            if key_ == "check" and fate > 0.97:
                events.append((t, "refuse", assignee, key_, "refused", holder.id, desk.id))
                break
            if key_ == "check" and not supplement_done and 0.85 < fate <= 0.93:
                supplement_done = True
                events.append((t, "request_supplement", assignee, key_, "supplement", holder.id, desk.id))
                wait = rng.uniform(4, 80)
                if fate > 0.92:
                    t += wait
                    events.append((t, "withdraw", clerk, "supplement", "withdrawn", desk.id, desk.id))
                    break
                t += wait
                events.append((t, "supplement_received", clerk, "supplement", "check", desk.id, holder.id))
                continue  # the check step again
            if i + 1 == len(p.steps):
                events.append((t, "return_result", clerk, key_, "done", desk.id, desk.id))
                break
            action = "sign" if role == "supervisor" else "forward"
            events.append((t, action, assignee, key_, p.steps[i + 1][0], holder.id, holders[i + 1].id))
            i += 1
        # cut at now: the dossier's state is what the events up to now made it
        kept = [e for e in events if e[0] <= now_hours]
        last = kept[-1]
        finished = last[4] in ("done", "refused", "withdrawn")
        moves = [e for e in kept if e[1] not in ("receive", "assign")]
        paused_kept = 0.0
        paused_at = None
        pause_start = None
        for e in kept:
            if e[4] == "supplement":
                pause_start = e[0]
            elif pause_start is not None and e[3] == "supplement":
                paused_kept += e[0] - pause_start
                pause_start = None
        if pause_start is not None and not finished:
            paused_at = pause_start
        due = w0 + budget + paused_kept
        last_move = moves[-1] if moves else kept[0]
        current_step = last_move[4]
        step_started = last_move[0]
        if finished:
            status = last[4]
            holder_id, assignee_id, step_due = desk.id, None, None
            finished_at = last[0]
        elif current_step == "supplement":
            status, holder_id, assignee_id, step_due, finished_at = "supplement", desk.id, clerk, None, None
        else:
            status = "processing"
            idx = [s[0] for s in p.steps].index(current_step)
            holder_id = holders[idx].id
            step_due = step_started + p.steps[idx][4]
            assigns = [e for e in kept if e[1] == "assign" and e[0] >= step_started]
            role = p.steps[idx][3]
            assignee_id = (clerk if role == "clerk" else
                           (rng.choice(holders[idx].staff[role]) if assigns and rng.random() < 0.9 else None))
            finished_at = None
        text = clock.text
        received_text = text(w0)
        day = received_text[2:10].replace("-", "")
        n = seq.get((desk.id, day), 0) + 1
        seq[(desk.id, day)] = n
        sink.d.write("\t".join((
            str(dossier_id), f"{desk.code}-{day}-{n:04d}", p.code, current_step, status, str(len(moves)),
            str(desk.id), str(holder_id), str(assignee_id) if assignee_id else N, str(clerk),
            *people.next(), N, "Hải Phòng", "[]", "desk", channel, N,
            received_text, text(due), text(step_started), text(step_due) if step_due is not None else N,
            text(paused_at) if paused_at is not None else N, f"{paused_kept:.4f}",
            text(finished_at) if finished_at is not None else N, received_text)) + "\n")
        entries = [e for e in kept if e[1] != "assign"]  # the moves, receipt first: one step visit each
        for nth, e in enumerate(entries):
            nxt = entries[nth + 1] if nth + 1 < len(entries) else None
            if nxt is None and finished:
                break  # a final step: no visit
            if nxt is not None:
                hours = nxt[0] - e[0]
                sink.v.write("\t".join((
                    str(dossier_id), str(nth), p.code, e[4], str(e[6]), str(nxt[2]) if nxt[2] else N, text(e[0]),
                    text(nxt[0]), f"{hours:.4f}", f"{hours:.4f}" if e[4] == "supplement" else "0", N)) + "\n")
            else:
                sink.v.write("\t".join((
                    str(dossier_id), str(nth), p.code, e[4], str(holder_id), str(assignee_id) if assignee_id else N,
                    text(e[0]), N, N, "0", text(step_due) if step_due is not None else N)) + "\n")
        for e in kept:
            event_id += 1
            sink.e.write("\t".join((
                str(event_id), str(dossier_id), text(e[0]), e[1], str(e[2]) if e[2] else N,
                e[3] or N, e[4], str(e[5]) if e[5] else N, str(e[6]), N)) + "\n")
        yield dossier_id, event_id


DOSSIER_COLUMNS = ("id, code, procedure_code, step, status, step_seq, receiving_agency_id, holder_agency_id, "
                   "assignee_id, received_by_id, applicant_name, applicant_name_folded, applicant_id_number, "
                   "applicant_phone, "
                   "applicant_email, applicant_address, documents, delivery_method, channel, note, received_at, "
                   "due_at, step_started_at, step_due_at, paused_at, paused_hours, finished_at, created_at")
EVENT_COLUMNS = "id, dossier_id, at, action, actor_id, from_step, to_step, from_agency_id, to_agency_id, note"
VISIT_COLUMNS = ("dossier_id, step_seq, procedure_code, step, agency_id, assignee_id, entered_at, left_at, hours, "
                 "paused_hours, due_at")
BULK_TABLES = ("dossiers", "dossier_events", "step_visits")


def prepare_schema(url: str, workdir: Path) -> None:
    """An empty schema built by the app's migrations (through the app, as in production)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    os.environ["ONESTOP_INSTANCE_PATH"] = str(workdir / "instance")
    from flask_migrate import upgrade

    from onestop import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "ONESTOP_CATALOGUE_DIR": workdir / "catalogue"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("ONESTOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--dossiers", type=int, default=2_000_000)
    parser.add_argument("--years", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    if args.url.rstrip("/").rsplit("/", 1)[-1] == "test":
        parser.error("refusing the 'test' database: the test suite drops its schema")

    import psycopg

    started = timer.perf_counter()
    rng = random.Random(args.seed)
    nodes = build_tree()
    procs = build_catalogue(rng)
    write_catalogue(procs, args.workdir / "catalogue")
    prepare_schema(args.url, args.workdir)

    now = datetime.now(UTC)
    first_day = (now - timedelta(days=365.25 * args.years)).date()
    clock = FastClock(date(first_day.year, 1, 1), date(now.year + 2, 12, 31))
    start_hours = clock.hours_at((now - timedelta(days=365.25 * args.years)).timestamp())
    now_hours = clock.hours_at(now.timestamp())

    with psycopg.connect(args.url, autocommit=True) as conn:
        cur = conn.cursor()
        cur.execute("TRUNCATE step_visits, dossier_events, dossiers, notifications, outbox, daily_sequences, users, agencies, "
                    "report_working_days RESTART IDENTITY CASCADE")
        user_id = 0
        user_rows = io.StringIO()
        agency_rows = io.StringIO()
        for n in nodes:
            agency_rows.write("\t".join((str(n.id), n.code, n.name, n.level, n.sectors, "t" if n.has_desk else "f",
                                         str(n.parent.id) if n.parent else N, n.path, now.strftime("%Y-%m-%d %H:%M:%S")))
                              + "\n")
            roles = (["clerk"] if n.has_desk else []) + ["officer"] * 3 + ["supervisor"]
            for k, role in enumerate(roles):
                user_id += 1
                n.staff.setdefault(role, []).append(user_id)
                user_rows.write("\t".join((str(user_id), f"{n.code.lower()}.{role}{k}", f"{role} {n.name}", N,
                                           PASSWORD_HASH, role, str(n.id), "t", now.strftime("%Y-%m-%d %H:%M:%S")))
                                + "\n")
        with cur.copy("COPY agencies (id, code, name, level, sectors, has_desk, parent_id, path, created_at) "
                      "FROM STDIN") as copy:
            copy.write(agency_rows.getvalue())
        with cur.copy("COPY users (id, username, full_name, email, password_hash, role, agency_id, active, created_at) "
                      "FROM STDIN") as copy:
            copy.write(user_rows.getvalue())

        # drop what slows a bulk load, keep the definitions to rebuild it exactly
        cur.execute("""SELECT indexname, indexdef FROM pg_indexes
                       WHERE tablename = ANY(%s) AND indexname NOT LIKE 'pk\\_%%'
                         AND indexname NOT IN (SELECT conname FROM pg_constraint)""", (list(BULK_TABLES),))
        indexes = cur.fetchall()
        cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')""", (list(BULK_TABLES),))
        constraints = cur.fetchall()
        for table, name, _ in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        print(f"schema ready, {len(nodes)} agencies, {user_id} users, {len(procs)} procedures "
              f"({timer.perf_counter() - started:.0f} s)", flush=True)

        chunk = 50_000
        sink = argparse.Namespace(d=io.StringIO(), e=io.StringIO(), v=io.StringIO())
        total_events = 0

        def flush():
            with cur.copy(f"COPY dossiers ({DOSSIER_COLUMNS}) FROM STDIN") as copy:
                copy.write(sink.d.getvalue())
            with cur.copy(f"COPY dossier_events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                copy.write(sink.e.getvalue())
            with cur.copy(f"COPY step_visits ({VISIT_COLUMNS}) FROM STDIN") as copy:
                copy.write(sink.v.getvalue())
            sink.d, sink.e, sink.v = io.StringIO(), io.StringIO(), io.StringIO()

        gen_started = timer.perf_counter()
        for dossier_id, total_events in simulate(args, nodes, procs, clock, start_hours, now_hours, sink, rng):
            if dossier_id % chunk == 0:
                flush()
                rate = dossier_id / (timer.perf_counter() - gen_started)
                print(f"  {dossier_id:>9,} dossiers, {total_events:>10,} events ({rate:,.0f}/s)", flush=True)
        flush()
        print(f"loaded {args.dossiers:,} dossiers and {total_events:,} events "
              f"({timer.perf_counter() - started:.0f} s)", flush=True)

        for table, column in (("agencies", "id"), ("users", "id"), ("dossiers", "id"), ("dossier_events", "id")):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))")
        cur.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in indexes:
            t0 = timer.perf_counter()
            cur.execute(definition)
            print(f"  index {name} ({timer.perf_counter() - t0:.0f} s)", flush=True)
        for table, name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cur.execute("VACUUM (ANALYZE) agencies, users, dossiers, dossier_events, step_visits")
    print(f"done in {timer.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
