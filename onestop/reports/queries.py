"""Overdue now and due soon: set-based reads over the open dossiers, by the agency holding them.

A dossier is **overdue** when it is being processed (not waiting for a supplement, the clock is
stopped then) and its current step's due time or its appointment has passed; **due soon** when it
is not overdue and one of the two falls within the next ``ONESTOP_DUE_SOON_HOURS`` working hours.
How late is counted in working days from the earlier of the two due times that passed.

Each condition is defined once (``overdue``, ``due_soon``) and used by the counts and by the lists.
Counts come from one grouped statement per page; the tree roll-up is done on those few rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core.calendar import HOURS_PER_DAY
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import OPEN_STATUSES, Dossier, Status
from onestop.reports.models import WorkingDay
from onestop.reports.scope import within
from onestop.reports.statistics import procedure_info, scope_tree
from onestop.reports.workclock import WorkClock, local_date

#: how many dossiers of each agency the overdue page lists before linking to the full list
LIST_PER_AGENCY = 10


def first_deadline(d=Dossier):
    """The earlier of the step due time and the appointment (the step one is NULL while paused)."""
    return case((and_(d.step_due_at.is_not(None), d.step_due_at < d.due_at), d.step_due_at), else_=d.due_at)


def overdue(now: datetime, d=Dossier):
    return and_(d.status == Status.PROCESSING, or_(d.due_at < now, d.step_due_at < now))


def due_soon(now: datetime, horizon: datetime, d=Dossier):
    return and_(d.status == Status.PROCESSING, d.due_at >= now,
                or_(d.step_due_at.is_(None), d.step_due_at >= now),
                or_(d.due_at < horizon, d.step_due_at < horizon))


def due_soon_horizon(now: datetime) -> datetime:
    return current_calendar().add_working_hours(now, current_app.config["ONESTOP_DUE_SOON_HOURS"])


KINDS = {"overdue": _l("Quá hạn"), "due_soon": _l("Sắp đến hạn")}


def condition(kind: str, now: datetime, horizon: datetime, d=Dossier):
    return overdue(now, d) if kind == "overdue" else due_soon(now, horizon, d)


def subtree_ids(agency: Agency):
    return select(Agency.id).where(Agency.path.startswith(agency.path)).scalar_subquery()


def _lateness_hours(work: WorkClock, now: datetime, day):
    """Working hours from the first passed due time to now (negative: hours left)."""
    return work.hours_at(now) - work.hours_sql(first_deadline(), day)


def counts_query(user: User, now: datetime, horizon: datetime, work: WorkClock):
    """Overdue, of which past the appointment, working hours late (sum, max) and due soon, per
    holding agency (``kind`` 'agency') and per procedure ('procedure'): one statement over the
    dossiers being processed whose first due time falls before the due-soon horizon."""
    day = aliased(WorkingDay)
    late = _lateness_hours(work, now, day)
    is_overdue = overdue(now)
    watched = (select(Dossier.holder_agency_id, Dossier.procedure_code,
                      case((is_overdue, 1), else_=0).label("overdue"),
                      case((and_(is_overdue, Dossier.due_at < now), 1), else_=0).label("past_due"),
                      case((is_overdue, late)).label("late"),
                      case((due_soon(now, horizon), 1), else_=0).label("due_soon"))
               .join(day, day.day == local_date(first_deadline()))
               .where(Dossier.status == Status.PROCESSING,
                      or_(Dossier.step_due_at < horizon, Dossier.due_at < horizon),
                      *within(user, Dossier.holder_agency_id))).cte("watched")

    def grouped(kind: str, key):
        return (select(literal(kind, String).label("kind"), cast(key, String).label("key"),
                       func.sum(watched.c.overdue).label("overdue"), func.sum(watched.c.past_due).label("past_due"),
                       func.coalesce(func.sum(watched.c.late), 0.0).label("late_hours"),
                       func.coalesce(func.max(watched.c.late), 0.0).label("max_late_hours"),
                       func.sum(watched.c.due_soon).label("due_soon"))
                .group_by(key))
    return union_all(grouped("agency", watched.c.holder_agency_id), grouped("procedure", watched.c.procedure_code))


def list_query(user: User, kind: str, now: datetime, horizon: datetime, work: WorkClock,
               agency_ids=None, procedure_code: str | None = None, per_agency: int | None = None):
    """The dossiers behind an overdue / due-soon figure, most late (or most urgent) first, as rows
    with the assignee's name and the working hours late (negative: left). ``per_agency`` keeps the
    first few of each holding agency (one window function, not one query per agency); the
    dossiers' other columns are read only for the rows kept."""
    day = aliased(WorkingDay)
    rank = func.row_number().over(partition_by=Dossier.holder_agency_id,
                                  order_by=(first_deadline(), Dossier.id)).label("rank")
    ranked = (select(Dossier.id.label("ranked_id"), _lateness_hours(work, now, day).label("late_hours"), rank)
              .join(day, day.day == local_date(first_deadline()))
              .where(condition(kind, now, horizon),
                     *within(user, Dossier.holder_agency_id, agency_ids, procedure_code))).subquery("ranked")
    assignee = aliased(User)
    query = (select(Dossier.id, Dossier.code, Dossier.procedure_code, Dossier.step, Dossier.holder_agency_id,
                    Dossier.receiving_agency_id, Dossier.due_at, Dossier.step_due_at, Dossier.received_at,
                    assignee.full_name.label("assignee_name"), ranked.c.late_hours)
             .join(ranked, ranked.c.ranked_id == Dossier.id)
             .outerjoin(assignee, assignee.id == Dossier.assignee_id))
    if per_agency:
        query = query.where(ranked.c.rank <= per_agency)
    return query.order_by(ranked.c.late_hours.desc(), Dossier.id)


# -- assembling the page ---------------------------------------------------------------------------
@dataclass
class Tally:
    overdue: int = 0
    past_due: int = 0
    late_hours: float = 0.0
    max_late_hours: float = 0.0
    due_soon: int = 0

    def add(self, other) -> None:
        self.overdue += other.overdue
        self.past_due += other.past_due
        self.late_hours += other.late_hours
        self.max_late_hours = max(self.max_late_hours, other.max_late_hours)
        self.due_soon += other.due_soon

    @property
    def average_late_days(self) -> float:
        return self.late_hours / self.overdue / HOURS_PER_DAY if self.overdue else 0.0

    @property
    def max_late_days(self) -> float:
        return self.max_late_hours / HOURS_PER_DAY


@dataclass
class AgencyNode:
    agency: Agency
    own: Tally
    total: Tally
    children: list[AgencyNode] = field(default_factory=list)
    dossiers: list = field(default_factory=list)


@dataclass
class OverdueReport:
    now: datetime
    horizon: datetime
    total: Tally
    roots: list[AgencyNode]
    procedures: list[tuple[str, str, Tally]]
    due_soon: list
    agencies: dict[int, Agency]

    def flat(self) -> list[tuple[int, AgencyNode]]:
        """The tree in display order with depths (agencies with nothing to report left out)."""
        out: list[tuple[int, AgencyNode]] = []

        def walk(node: AgencyNode, depth: int) -> None:
            if node.total.overdue or node.total.due_soon:
                out.append((depth, node))
                for child in node.children:
                    walk(child, depth + 1)
        for root in self.roots:
            walk(root, 0)
        return out


DUE_SOON_LISTED = 50


def build(session, user: User, now: datetime, work: WorkClock) -> OverdueReport:
    horizon = due_soon_horizon(now)
    agencies, children = scope_tree(session, user)
    by_id = {a.id: a for a in agencies}
    own: dict[int, Tally] = defaultdict(Tally)
    procedures: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    for row in session.execute(counts_query(user, now, horizon, work)):
        if row.kind == "agency":
            own[int(row.key)].add(row)
            total.add(row)
        else:
            procedures[row.key].add(row)
    listed = defaultdict(list)
    for row in session.execute(list_query(user, "overdue", now, horizon, work, per_agency=LIST_PER_AGENCY)):
        listed[row.holder_agency_id].append(row)

    def node(agency: Agency) -> AgencyNode:
        kids = [node(child) for child in children.get(agency.id, [])]
        tally = Tally()
        tally.add(own[agency.id])
        for kid in kids:
            tally.add(kid.total)
        return AgencyNode(agency, own[agency.id], tally, kids, listed.get(agency.id, []))

    roots = [node(a) for a in agencies if a.parent_id not in by_id]
    soon = session.execute(list_query(user, "due_soon", now, horizon, work).limit(DUE_SOON_LISTED)).all()
    soon.sort(key=lambda r: -r.late_hours)
    procedure_rows = sorted(((code, procedure_info(code)[0], tally) for code, tally in procedures.items()),
                            key=lambda p: (-p[2].overdue, -p[2].due_soon, p[0]))
    return OverdueReport(now, horizon, total, roots, procedure_rows, soon, by_id)


# -- officers' open load ---------------------------------------------------------------------------
def load_query(user: User, now: datetime, horizon: datetime):
    """Open dossiers per person of the holding agencies in scope (and the unassigned ones)."""
    return (select(Dossier.holder_agency_id, Dossier.assignee_id, User.full_name, User.role,
                   func.count().label("open"),
                   func.count().filter(Dossier.status == Status.SUPPLEMENT).label("waiting"),
                   func.count().filter(overdue(now)).label("overdue"),
                   func.count().filter(due_soon(now, horizon)).label("due_soon"),
                   func.min(Dossier.step_started_at).label("oldest_step_start"))
            .outerjoin(User, User.id == Dossier.assignee_id)
            .where(Dossier.status.in_(OPEN_STATUSES), *within(user, Dossier.holder_agency_id))
            .group_by(Dossier.holder_agency_id, Dossier.assignee_id, User.full_name, User.role)
            .order_by(func.count().filter(overdue(now)).desc(), func.count().desc()))

