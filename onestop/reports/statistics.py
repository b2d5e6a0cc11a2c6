"""The official statistics of a period: each category defined once, counted and listed from it.

**By agency** means the *receiving agency*: the desk that received the dossier and returns the
result. Every dossier is counted once, at that agency, for the whole of its life, so an agency's
figures roll up into its parent's and the identities below hold on every row. A dossier that
crosses agencies (a district sends a land dossier to the department) stays on the district's row;
where it is stuck shows on the overdue and bottleneck reports, which go by the agency holding it.

For a period [start, end) in local days (``periods.py``), with ``as of`` = the earlier of its end
and now, a dossier is:

* **received** when it was *carried over* (received before the start and still open at the start)
  or *new* (received during the period) — new ones split by channel: online, at the desk, from
  interconnection (handed over by another agency's system), by public post (Decision 45/2016/QĐ-TTg);
* then exactly one of, as of the end of the period:
  - **finished** (result returned) during the period: *early* when its local date is before the
    local date of the appointment, *on time* on that same day, *late* after it;
  - **refused** or **withdrawn** during the period;
  - **waiting for a supplement** (the clock stopped) at the end of the period;
  - **in progress** at the end of the period: *overdue* when its appointment date is a past day
    as of then, else *within deadline*.

So ``received = carried + new``, ``new = online + desk + interconnection + post``,
``received = finished + in progress + waiting for supplement + refused + withdrawn``,
``finished = early + on time + late``, ``in progress = within deadline + overdue``.

The appointment judged by is the receipt's, moved by the supplement pauses (the clock stops) but
not by an approved extension: an apology and a new date do not make a late dossier timely
(``legal_due``). It is the appointment as it stands now, so a period long past is judged with the
pauses that came after it too. Whether a dossier was waiting for a supplement at the end of a past
period is read from its events.

One definition: ``classified_branches()`` gives each received dossier its *source* (carried, or
the channel) and its *outcome* (one CASE, in the order above). A category is a set of sources or
of outcomes. The counts group those two columns (``counts_query``); a drill-down list selects the
dossiers whose classified row is in the category (``dossiers_query``), from the very same
expressions, so a number and its list cannot disagree.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from operator import add

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Integer, and_, bindparam, case, exists, false, func, literal, not_, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.auth.scope import scope_agency_ids
from onestop.core.calendar import VN_TZ
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.reports.periods import Period
from onestop.reports.scope import within
from onestop.reports.workclock import local_date, open_at_sql
from onestop.workflows.engine import engine


@dataclass(frozen=True)
class Window:
    """A period's bounds and the moment the report is made."""

    start: datetime
    end: datetime
    now: datetime

    @classmethod
    def of(cls, period: Period, now: datetime) -> Window:
        return cls(period.start, period.end, now)

    @property
    def as_of(self) -> datetime:
        return min(self.end, self.now)

    @property
    def as_of_day(self) -> datetime:
        """Local midnight starting the day of ``as_of``: a due date before it is a past day."""
        local = self.as_of.astimezone(VN_TZ)
        return datetime.combine(local.date(), time(0), tzinfo=VN_TZ)

    @property
    def is_current(self) -> bool:
        return self.now < self.end


# -- membership -----------------------------------------------------------------------------------
def open_at(at: datetime, d=Dossier):
    """Received before ``at`` and not finished before it (see ``workclock.open_at_sql``)."""
    return open_at_sql(d.received_at, d.finished_at, bindparam(None, at, type_=d.received_at.type))


def supplement_steps() -> tuple[set[str], set[tuple[str, str]]]:
    """Step keys that are a supplement wait in every procedure using them, and the
    (procedure, step) pairs for keys that mean different things in different procedures."""
    waiting, working = defaultdict(set), defaultdict(set)
    for procedure in engine().all_versions():
        for step in procedure.steps:
            (waiting if step.kind == "supplement" else working)[step.key].add(procedure.code)
    clean = {key for key in waiting if key not in working}
    pairs = {(code, key) for key in waiting if key in working for code in waiting[key]}
    return clean, pairs


def is_supplement_step(procedure_code, step):
    clean, pairs = supplement_steps()
    test = step.in_(sorted(clean)) if clean else false()
    if pairs:
        test = or_(test, tuple_(procedure_code, step).in_(sorted(pairs)))
    return test


def waiting_at(at: datetime, d=Dossier):
    """The dossier's last move before ``at`` put it in a supplement step.

    The classification asks it last, so only of dossiers still open at ``at`` (one index probe
    each). The always-true ``entered.at >= d.received_at`` keeps PostgreSQL from turning it into a
    hash of the supplement events of all history, built in case every row asked."""
    entered, later = aliased(DossierEvent), aliased(DossierEvent)
    return exists().where(
        entered.dossier_id == d.id, entered.at < at, entered.at >= d.received_at,
        is_supplement_step(d.procedure_code, entered.to_step),
        ~exists().where(later.dossier_id == entered.dossier_id, later.at < at, later.id > entered.id,
                        not_(is_supplement_step(d.procedure_code, later.to_step))))


# -- the classification: the one definition ---------------------------------------------------------
#: where a received dossier came from: carried over, or new by channel (stored as the index)
SOURCES = ("carried", "online", "desk", "interconnection", "post")
#: what became of it by the end of the period (stored as the index)
OUTCOMES = ("early", "on_time", "late", "within", "overdue", "waiting", "refused", "withdrawn")
_S = {name: i for i, name in enumerate(SOURCES)}
_O = {name: i for i, name in enumerate(OUTCOMES)}


def legal_due(d=Dossier):
    """The appointment the statistics judge by: the receipt's, moved only by supplement pauses.

    An approved extension (slip 04, apology and new appointment) gives the citizen a new date but
    does not make a late dossier timely: ``original_due_at`` keeps the appointment without it."""
    return func.coalesce(d.original_due_at, d.due_at)


def _outcome(w: Window, waiting, d=Dossier):
    closed = d.finished_at < w.end
    due = legal_due(d)
    return case(
        (and_(closed, d.status == Status.DONE, local_date(d.finished_at) < local_date(due)), _O["early"]),
        (and_(closed, d.status == Status.DONE, local_date(d.finished_at) == local_date(due)), _O["on_time"]),
        (and_(closed, d.status == Status.DONE), _O["late"]),
        (and_(closed, d.status == Status.REFUSED), _O["refused"]),
        (and_(closed, d.status == Status.WITHDRAWN), _O["withdrawn"]),
        (waiting, _O["waiting"]),
        (due < w.as_of_day, _O["overdue"]),
        else_=_O["within"])


def classified_branches(w: Window, user: User, agency_ids=None, procedure_code: str | None = None) -> list:
    """The received dossiers of the period within the user's scope (optionally some agencies and
    a procedure), classified: selects of ``id, receiving_agency_id, procedure_code, source, outcome``.

    Received = new in the period (a range of ``received_at``) + carried over (open at its start):
    two disjoint branches, each with its index."""
    d = Dossier
    # before the end of the period, the state now is the state at its end
    waiting = d.status == Status.SUPPLEMENT if w.is_current else waiting_at(w.end, d)
    # the desk that received it on the day: a reorganisation moving its desk of return leaves it here
    desk = d.received_desk_id
    return [select(d.id, desk.label("receiving_agency_id"), d.procedure_code, source, _outcome(w, waiting).label("outcome"))
            .where(where, *within(user, desk, agency_ids, procedure_code, d))
            for source, where in _branches(w)]


def classified(w: Window, user: User, agency_ids=None, procedure_code: str | None = None):
    """All the classified rows as one subquery (``classified_branches`` as a ``UNION ALL``)."""
    return union_all(*classified_branches(w, user, agency_ids, procedure_code)).subquery("classified")


def _branches(w: Window, d=Dossier):
    channel = case(*((d.channel == name, _S[name]) for name in SOURCES[1:]), else_=-1).label("source")
    return [(channel, and_(d.received_at >= w.start, d.received_at < w.end)),
            (literal(_S["carried"], Integer).label("source"), open_at(w.start))]


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    #: the classification column it tests and the values that belong to it
    column: str
    values: tuple[str, ...]
    #: a subtotal of the categories that follow it
    total: bool = False

    @property
    def codes(self) -> tuple[int, ...]:
        names = SOURCES if self.column == "source" else OUTCOMES
        return tuple(names.index(v) for v in self.values)

    def predicate(self, r):
        """SQL: the classified row ``r`` belongs to the category."""
        return r.c[self.column].in_(self.codes)

    def count(self, counts: Counts) -> int:
        """Its count from the per-source and per-outcome counts of the same classification."""
        marginal = counts.source if self.column == "source" else counts.outcome
        return sum(marginal[code] for code in self.codes)


CATEGORIES: tuple[Category, ...] = (
    Category("received", _l("Tổng số nhận"), "source", SOURCES, total=True),
    Category("carried", _l("Kỳ trước chuyển qua"), "source", ("carried",)),
    Category("new", _l("Mới tiếp nhận"), "source", ("online", "desk", "interconnection", "post"), total=True),
    Category("new_online", _l("Trực tuyến"), "source", ("online",)),
    Category("new_desk", _l("Trực tiếp"), "source", ("desk",)),
    Category("new_interconnection", _l("Từ liên thông"), "source", ("interconnection",)),
    Category("new_post", _l("Qua bưu chính"), "source", ("post",)),
    Category("finished", _l("Đã giải quyết"), "outcome", ("early", "on_time", "late"), total=True),
    Category("finished_early", _l("Trước hạn"), "outcome", ("early",)),
    Category("finished_on_time", _l("Đúng hạn"), "outcome", ("on_time",)),
    Category("finished_late", _l("Quá hạn"), "outcome", ("late",)),
    Category("in_progress", _l("Đang giải quyết"), "outcome", ("within", "overdue"), total=True),
    Category("in_progress_on_time", _l("Trong hạn"), "outcome", ("within",)),
    Category("in_progress_overdue", _l("Quá hạn"), "outcome", ("overdue",)),
    Category("waiting", _l("Chờ bổ sung"), "outcome", ("waiting",)),
    Category("refused", lazy_pgettext("dossier status", "Từ chối"), "outcome", ("refused",)),
    Category("withdrawn", lazy_pgettext("report category", "Rút hồ sơ"), "outcome", ("withdrawn",)),
)
BY_KEY = {c.key: c for c in CATEGORIES}
#: the column groups of the official table: (heading, category keys)
GROUPS = (
    (_l("Hồ sơ nhận giải quyết"), ("received", "carried", "new", "new_online", "new_desk", "new_interconnection",
                                   "new_post")),
    (_l("Đã giải quyết"), ("finished", "finished_early", "finished_on_time", "finished_late")),
    (_l("Đang giải quyết"), ("in_progress", "in_progress_on_time", "in_progress_overdue")),
    (_l("Khác"), ("waiting", "refused", "withdrawn")),
)
#: the identities every row satisfies: total = sum of parts
IDENTITIES = (
    ("received", ("carried", "new")),
    ("new", ("new_online", "new_desk", "new_interconnection", "new_post")),
    ("received", ("finished", "in_progress", "waiting", "refused", "withdrawn")),
    ("finished", ("finished_early", "finished_on_time", "finished_late")),
    ("in_progress", ("in_progress_on_time", "in_progress_overdue")),
)


def counts_query(w: Window, user: User):
    """Per (receiving agency, procedure), how many received dossiers have each source and each
    outcome: every category count is a sum of these, in one statement.

    Each branch of the classification is grouped on its own, behind ``OFFSET 0`` so that each
    dossier's outcome is computed once rather than once per aggregate; a pair (agency, procedure)
    can thus come twice, once per branch, and the caller adds them up."""
    parts = []
    for branch in classified_branches(w, user):
        r = branch.offset(0).subquery()
        parts.append(select(r.c.receiving_agency_id, r.c.procedure_code,
                            *[func.count().filter(r.c.source == i).label(f"s{i}") for i in range(len(SOURCES))],
                            *[func.count().filter(r.c.outcome == i).label(f"o{i}") for i in range(len(OUTCOMES))])
                     .group_by(r.c.receiving_agency_id, r.c.procedure_code))
    return union_all(*parts)


def dossiers_query(w: Window, user: User, category: Category, agency_ids=None, procedure_code: str | None = None):
    """The dossiers behind one figure: the same classification and the same test as its count."""
    r = classified(w, user, agency_ids, procedure_code)
    return (select(Dossier).join(r, r.c.id == Dossier.id).where(category.predicate(r))
            .order_by(Dossier.received_at, Dossier.id))


# -- assembling the report ------------------------------------------------------------------------
@dataclass
class Counts:
    """A row of the report: how many dossiers per source and per outcome; each category is a sum."""

    #: per source (``SOURCES``), then per outcome (``OUTCOMES``): the columns of ``counts_query``
    values: list[int] = field(default_factory=lambda: [0] * (len(SOURCES) + len(OUTCOMES)))

    @property
    def source(self) -> list[int]:
        return self.values[:len(SOURCES)]

    @property
    def outcome(self) -> list[int]:
        return self.values[len(SOURCES):]

    def add_values(self, values) -> None:
        self.values = list(map(add, self.values, values))

    def add(self, other: Counts) -> None:
        self.add_values(other.values)

    def __getitem__(self, key: str) -> int:
        return BY_KEY[key].count(self)

    def as_dict(self) -> dict[str, int]:
        return {c.key: c.count(self) for c in CATEGORIES}

    @property
    def on_time_rate(self) -> float | None:
        """Share of finished dossiers returned early or on the day (None when nothing finished)."""
        done = self["finished"]
        return None if not done else (self["finished_early"] + self["finished_on_time"]) / done

    @property
    def new(self) -> int:
        return self["new"]

    @property
    def online_rate(self) -> float | None:
        return None if not self.new else self["new_online"] / self.new


@dataclass
class AgencyRow:
    agency: Agency
    depth: int
    counts: Counts
    #: True: the agency alone (shown under an agency that also has children)
    own: bool = False


@dataclass
class ProcedureRow:
    code: str
    name: str
    service_level: int | None
    counts: Counts


@dataclass
class ServiceLevelRow:
    service_level: int | None
    new: int
    online: int

    @property
    def rate(self) -> float | None:
        return None if not self.new else self.online / self.new


@dataclass
class StatisticsReport:
    period: Period
    window: Window
    root: Agency | None
    total: Counts
    agencies: list[AgencyRow]
    procedures: list[ProcedureRow]
    service_levels: list[ServiceLevelRow]


def scope_tree(session, user: User) -> tuple[list[Agency], dict[int, list[Agency]]]:
    """The agencies of the user's scope (in the order they were created: the order of the
    agency file), and each agency's children within it."""
    agencies = list(session.scalars(select(Agency).where(Agency.id.in_(scope_agency_ids(user))).order_by(Agency.id)))
    ids = {a.id for a in agencies}
    children: dict[int, list[Agency]] = defaultdict(list)
    for a in agencies:
        if a.parent_id in ids:
            children[a.parent_id].append(a)
    return agencies, children


def procedure_info(code: str) -> tuple[str, int | None]:
    """Name and service level of a procedure; the bare code when it left the catalogue."""
    if engine().has(code):
        p = engine().procedure(code)
        return p.name, p.service_level
    return code, None


def build(session, user: User, period: Period, now: datetime) -> StatisticsReport:
    w = Window.of(period, now)
    rows = session.execute(counts_query(w, user)).all()
    agencies, children = scope_tree(session, user)
    by_id = {a.id: a for a in agencies}

    own: dict[int, Counts] = defaultdict(Counts)
    per_procedure: dict[str, Counts] = defaultdict(Counts)
    for agency_id, code, *values in rows:
        own[agency_id].add_values(values)
        per_procedure[code].add_values(values)
    total = Counts()
    for counts in own.values():
        total.add(counts)

    subtree: dict[int, Counts] = {}

    def roll(agency: Agency) -> Counts:
        counts = Counts()
        counts.add(own[agency.id])
        for child in children.get(agency.id, []):
            counts.add(roll(child))
        subtree[agency.id] = counts
        return counts

    roots = [a for a in agencies if a.parent_id not in by_id]
    for root in roots:
        roll(root)
    agency_rows: list[AgencyRow] = []

    def walk(agency: Agency, depth: int) -> None:
        agency_rows.append(AgencyRow(agency, depth, subtree[agency.id]))
        kids = children.get(agency.id, [])
        if kids:
            agency_rows.append(AgencyRow(agency, depth + 1, own[agency.id], own=True))
        for child in kids:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)

    procedure_rows = []
    levels: dict[int | None, ServiceLevelRow] = {}
    for code, counts in per_procedure.items():
        name, level = procedure_info(code)
        procedure_rows.append(ProcedureRow(code, name, level, counts))
        slot = levels.setdefault(level, ServiceLevelRow(level, 0, 0))
        slot.new += counts.new
        slot.online += counts["new_online"]
    procedure_rows.sort(key=lambda p: (-p.counts["received"], p.code))
    return StatisticsReport(period, w, roots[0] if len(roots) == 1 else None, total, agency_rows, procedure_rows,
                            sorted(levels.values(), key=lambda s: (s.service_level is None, s.service_level or 0)))
