"""Bottlenecks: where the working time goes, where lateness starts, who carries the open load.

A **stay** is the time a dossier spent in one step at one agency: a finished step visit
(``dossiers/visits.py``), written by the move that left it with its working hours counted by the
calendar then in force, so nights, weekends and holidays do not count. The period's stays are a
range of the index on ``left_at``, read without touching the history or the dossiers. Waiting for
the citizen's supplement is not agency time and is left out.

* time per step and per agency: the stays that **ended in the period** at an agency of the scope,
  with their count, mean, median and 90th percentile (``percentile_cont`` over ``GROUPING SETS`` on
  PostgreSQL; elsewhere the two ranks around each percentile are picked by window functions and
  interpolated the same way), and how many overran the step's budget from the procedure file;
* where lateness starts: for each dossier **finished late in the period** (its statistics category),
  the first of its stays that overran the step budget — counted per step and agency;
* open load: open dossiers per person of each holding agency (``queries.load_query``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
    values,
)

from onestop.auth.models import User
from onestop.dossiers.models import Dossier, Status
from onestop.dossiers.visits import StepVisit
from onestop.reports.scope import scope_ids, within
from onestop.reports.statistics import Window, is_supplement_step, legal_due
from onestop.reports.workclock import local_date
from onestop.workflows.engine import engine

PERCENTILES = (0.5, 0.9)


def _budgets():
    """The step budgets of the catalogue as a small inline table (procedure, step, hours)."""
    rows = [(p.code, s.key, float(s.hours)) for p in engine().procedures() for s in p.steps
            if s.kind == "work"]
    return values(column("procedure_code", String), column("step", String), column("budget", Float),
                  name="budgets").data(rows).cte("budgets")


def stays(*where):
    """The finished step visits (``dossiers/visits.py``) matching ``where``, supplement waits left
    out: (dossier, seq, procedure, step, agency, working hours) — the columns the index on
    ``left_at`` carries, so that PostgreSQL reads a period's stays from the index alone."""
    v = StepVisit
    return (select(v.dossier_id, v.step_seq.label("seq"), v.procedure_code, v.step, v.agency_id, v.hours)
            .where(v.left_at.is_not(None), ~is_supplement_step(v.procedure_code, v.step), *where))


def _ended_in(w: Window, user: User):
    """Stays that ended in the period at an agency of the user's scope, with their step budget
    (a CTE: the per-step and per-agency figures are both taken from it)."""
    v = StepVisit
    s = stays(v.left_at >= w.start, v.left_at < w.end, v.agency_id.in_(scope_ids(user))).subquery("stays")
    budgets = _budgets()
    return (select(s, budgets.c.budget)
            .outerjoin(budgets, and_(budgets.c.procedure_code == s.c.procedure_code, budgets.c.step == s.c.step))
            ).cte("ended")


_GROUPINGS = (("step", ("procedure_code", "step")), ("agency", ("agency_id",)))
_KEYS = (("procedure_code", String), ("step", String), ("agency_id", Integer))


def _time_rows_grouping_sets(session, ended) -> list[dict]:
    """PostgreSQL: both groupings of one read of the stays, ``GROUPING SETS`` (a fifth faster than a
    materialised CTE read twice over 166,000 stays of a month); ``grouping(agency_id)`` says which."""
    e = ended.element.subquery("e")  # the CTE's SELECT inlined: a plain subquery the planner reads once
    by_step = func.grouping(e.c.agency_id) == 1
    figures = [func.percentile_cont(p).within_group(e.c.hours).label(f"p{int(p * 100)}") for p in PERCENTILES]
    query = (select(case((by_step, literal("step")), else_=literal("agency")).label("kind"), e.c.procedure_code,
                    e.c.step, e.c.agency_id, func.count().label("n"), func.avg(e.c.hours).label("mean"), *figures,
                    func.count().filter(e.c.hours > e.c.budget + 1e-6).label("over_budget"),
                    func.max(e.c.budget).label("budget"))
             .group_by(func.grouping_sets(tuple_(e.c.procedure_code, e.c.step), tuple_(e.c.agency_id))))
    return [dict(r) for r in session.execute(query).mappings()]


def _time_rows(session, ended) -> list[dict]:
    """Count, mean, median, 90th percentile and over-budget count of the stays' working hours, per
    step and per agency, in one statement (``kind`` says which)."""
    if session.get_bind().dialect.name == "postgresql":
        return _time_rows_grouping_sets(session, ended)
    parts = []
    for kind, keys in _GROUPINGS:  # portable: rank inside each group, keep the two ranks around each percentile
        group = [ended.c[k] for k in keys]
        source = select(ended, func.row_number().over(partition_by=group, order_by=ended.c.hours).label("rn"),
                        func.count().over(partition_by=group).label("size")).subquery("ranked")
        figures = []
        for p in PERCENTILES:
            position = literal(1.0) + p * (source.c.size - 1)
            low = cast(position, Integer)  # positions are positive: truncation is the floor
            high = case((low < position, low + 1), else_=low)
            figures += [func.max(case((source.c.rn == low, source.c.hours))).label(f"lo{int(p * 100)}"),
                        func.max(case((source.c.rn == high, source.c.hours))).label(f"hi{int(p * 100)}")]
        columns = [source.c[name] if name in keys else cast(null(), type_).label(name) for name, type_ in _KEYS]
        parts.append(select(literal(kind, String).label("kind"), *columns, func.count().label("n"),
                            func.avg(source.c.hours).label("mean"), *figures,
                            func.count().filter(source.c.hours > source.c.budget + 1e-6).label("over_budget"),
                            func.max(source.c.budget).label("budget"))
                     .group_by(*[source.c[k] for k in keys]))
    rows = [dict(r) for r in session.execute(union_all(*parts)).mappings()]
    for row in rows:  # interpolate between the two ranks, as percentile_cont does
        for p in PERCENTILES:
            tag = int(p * 100)
            position = 1 + p * (row["n"] - 1)
            lo, hi = row.pop(f"lo{tag}"), row.pop(f"hi{tag}")
            row[f"p{tag}"] = lo + (position - math.floor(position)) * (hi - lo)
    return rows


@dataclass
class StepRow:
    procedure_code: str
    procedure_name: str
    step: str
    step_name: str
    n: int
    mean: float
    p50: float
    p90: float
    budget: float | None
    over_budget: int


@dataclass
class AgencyTimeRow:
    agency_id: int
    n: int
    mean: float
    p50: float
    p90: float


@dataclass
class LatenessStart:
    procedure_code: str
    procedure_name: str
    step: str
    step_name: str
    agency_id: int
    dossiers: int


@dataclass
class BottleneckReport:
    window: Window
    steps: list[StepRow]
    agencies: list[AgencyTimeRow]
    lateness: list[LatenessStart]
    late_dossiers: int
    load: list


def _names(code: str, step: str) -> tuple[str, str]:
    if engine().has(code):
        p = engine().procedure(code)
        return p.name, p.step(step).name if step in p.step_index else step
    return code, step


def finished_late(w: Window, user: User):
    """The ids of the dossiers of the user's scope done late in the period: the statistics'
    ``finished_late`` (done before the end of the period, on a local day after the legal
    appointment), read straight from the index on ``finished_at``, as every dossier finished in
    the period was received in it or carried over into it."""
    d = Dossier
    return select(d.id).where(d.finished_at >= w.start, d.finished_at < w.end, d.status == Status.DONE,
                              local_date(d.finished_at) > local_date(legal_due(d)),
                              *within(user, d.receiving_agency_id))


def lateness_query(w: Window, user: User):
    """Per (procedure, step, agency): dossiers finished late in the period whose first overrun was
    there; and one row (``procedure_code`` NULL) with the number of dossiers finished late. The
    late dossiers are classified once, for both."""
    late = finished_late(w, user).cte("late")
    s = stays(StepVisit.dossier_id.in_(select(late.c.id))).subquery("late_stays")
    budgets = _budgets()
    overrun = (select(s.c.dossier_id, s.c.procedure_code, s.c.step, s.c.agency_id,
                      func.row_number().over(partition_by=s.c.dossier_id, order_by=s.c.seq).label("nth"))
               .join(budgets, and_(budgets.c.procedure_code == s.c.procedure_code, budgets.c.step == s.c.step))
               .where(s.c.hours > budgets.c.budget + 1e-6)).subquery("overrun")
    starts = (select(overrun.c.procedure_code, overrun.c.step, overrun.c.agency_id, func.count().label("dossiers"))
              .where(overrun.c.nth == 1)
              .group_by(overrun.c.procedure_code, overrun.c.step, overrun.c.agency_id))
    total = select(cast(null(), String), cast(null(), String), cast(null(), Integer), func.count()).select_from(late)
    return union_all(starts, total)


def build(session, user: User, w: Window, load_rows) -> BottleneckReport:
    step_rows, agency_rows = [], []
    for r in _time_rows(session, _ended_in(w, user)):
        if r["kind"] == "step":
            name, step_name = _names(r["procedure_code"], r["step"])
            step_rows.append(StepRow(r["procedure_code"], name, r["step"], step_name, r["n"], r["mean"], r["p50"],
                                     r["p90"], r["budget"], r["over_budget"]))
        else:
            agency_rows.append(AgencyTimeRow(r["agency_id"], r["n"], r["mean"], r["p50"], r["p90"]))
    step_rows.sort(key=lambda s: (-s.p90, s.procedure_code, s.step))
    agency_rows.sort(key=lambda a: -a.p90)
    lateness, late_total = [], 0
    for r in session.execute(lateness_query(w, user)):
        if r.procedure_code is None:
            late_total = r.dossiers
            continue
        name, step_name = _names(r.procedure_code, r.step)
        lateness.append(LatenessStart(r.procedure_code, name, r.step, step_name, r.agency_id, r.dossiers))
    lateness.sort(key=lambda lt: -lt.dossiers)
    return BottleneckReport(w, step_rows, agency_rows, lateness, late_total, load_rows)
