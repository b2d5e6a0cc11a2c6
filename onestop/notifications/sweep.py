"""The deadline sweep: reminders and escalations, each sent exactly once.

What it sends (the rules and their defaults are in ``rules.py``):

=================  ================================================  ==============================
kind               when, in the current step visit                   to whom
=================  ================================================  ==============================
due_soon           the step has used 75 % of its budget              the assignee
due                the step is due                                   the assignee
overdue            each working day the step is overdue (day N)      the assignee
escalation         the step is 1 working day overdue                 the holding agency's supervisors
escalation_parent  the step is 3 working days overdue                the parent agency's supervisors
=================  ================================================  ==============================

Whoever is to be told and is away (an absence in force when the sweep runs) is replaced by their
stand-in (``auth.absences.present``); once the absence ends the same rules reach them again.

Each notification has the key ``{kind}:{dossier}:{step_seq}:{threshold}:{user}`` (threshold: the
percent, 0 for due, the day number N for overdue, the days for escalations), unique in the table:
a re-run, a retry after a crash or a second beat adds nothing.

**Thresholds without per-row calendar arithmetic.** The 75 % instant depends on each step's own
budget, so ``dossiers.visits`` computes it with the calendar when the step starts and stores
it in ``StepVisit.remind_at``. Every other threshold is a whole number of working days after
the visit's ``due_at``, and "due + N working days <= now" is the same as "due <= now - N working
days": the sweep asks the calendar once for those cutoffs (``subtract_working_hours_repeatedly``,
a few hundred microseconds for the 60 days kept) and each rule compares ``due_at`` with a few
instants, passed as parameters of statements built once per shape. The cutoffs, and the rules, are
those in force when the sweep runs: an override entered today or an escalation moved to 2 days
applies to the dossiers already open, which thresholds stored when a step starts would not.

**A sweep that finds nothing new touches no row.** The reminder state lives on the open step
visit (``dossiers/visits.py``), not on the dossier: ``remind_at`` is cleared once passed,
``reminded_day`` (-1 none, 0 due, N days overdue) and ``escalated`` (0, 1 agency, 2 parent) count
up, and each move opens a visit with them afresh. The sweep writes only visits and notifications,
never the dossiers. A rule is then one ``UPDATE step_visits … RETURNING id`` that advances exactly
the open visits that crossed a threshold since the last sweep: a range scan of a partial index on
``(remind_at)``, ``(reminded_day, due_at)`` or ``(escalated, due_at)``, one probe per
state value, which touches no row when nothing is new. When it advanced any, one
``INSERT … SELECT … ON CONFLICT (key) DO NOTHING RETURNING id`` per rule writes the
notifications of those visits' dossiers for their recipients. The UPDATE comes first and
row-locks the visits it advances; an assignment and a move write the open visit too, so neither
can fall between finding a visit and telling its assignee about it. The state advances even when
nobody can be told (no assignee, rule turned off), so no visit is scanned twice for the same
threshold. A sweep that comes late (the
beat was down) sends the latest threshold only: "3 days overdue", not also "75 %", "due", "1 day".

**One sweep at a time.** PostgreSQL: ``pg_try_advisory_xact_lock`` first; a second beat returns at
once with nothing done, and the lock ends with the transaction. SQLite: every transaction begins
IMMEDIATE (``onestop/__init__.py``), taking the database write lock up front, so a second sweep
waits for the first to commit and then sees its state advanced. The unique key stays the last
line of defence either way.

**E-mail.** The ids of the new notifications of the kinds in ``ONESTOP_MAIL_KINDS`` go to the
worker through the outbox, ``ONESTOP_MAIL_BATCH`` ids per task, in the sweep's transaction, with
the e-mails whose worker died while sending them (claimed, never done, lease run out); the tasks
are published after the commit and ``mail.py`` sends each mail at least once.
"""
from datetime import datetime
from functools import lru_cache

from flask import current_app
from sqlalchemy import (
    SmallInteger,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)

from onestop.agencies.models import Agency
from onestop.auth.absences import present
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.calendar import HOURS_PER_DAY
from onestop.core.dialect import is_postgresql
from onestop.core.models import UTCDateTime
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier, Status
from onestop.dossiers.notices import Notification, insert_ignoring_duplicates
from onestop.dossiers.rules import Rules, current_rules
from onestop.dossiers.visits import StepVisit
from onestop.extensions import db
from onestop.notifications.mail import stale_claims

KINDS = ("due_soon", "due", "overdue", "escalation", "escalation_parent")
#: ``pg_try_advisory_xact_lock`` key of the sweep (any constant unique in the application)
LOCK_KEY = 4_704_201
#: ids per ``IN (…)`` list, well under the bind-parameter limits of SQLite and PostgreSQL
_CHUNK = 5000
_PROCESSING = Dossier.status == Status.PROCESSING
_VISITS = StepVisit.__table__
#: the open visit of each dossier the statements select from
_OPEN_VISIT = Dossier.__table__.join(_VISITS, and_(_VISITS.c.dossier_id == Dossier.id, _VISITS.c.left_at.is_(None)))


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Send what is due; returns how many notifications were added per kind.

    Runs in the caller's transaction and flushes; the caller commits (the beat task does).
    Returns ``{}`` without doing anything when another sweep holds the lock.
    """
    if not _try_lock():
        return {}
    now = now or clock.now()
    rules = current_rules()
    max_days = current_app.config["ONESTOP_REMIND_MAX_OVERDUE_DAYS"]
    cutoffs = _cutoffs(now, max(max_days, *_escalation_days(rules)))
    run = _Run(now, rules, cutoffs)
    run.due_soon()
    run.due_and_overdue(max_days)
    run.escalation(1)
    run.escalation(2)
    run.hand_mail_to_worker()
    db.session.flush()
    return run.counts


def _try_lock() -> bool:
    """Take the sweep's lock for this transaction, or say another sweep has it.

    PostgreSQL: also switch JIT off for the transaction. The planner cannot know that a dossier at
    day N is never due before cutoff N, so it estimates the chain's probes at a fifth of the table,
    and would JIT-compile a statement that touches no row, every five minutes.
    """
    if not is_postgresql():
        return True  # SQLite: the transaction's BEGIN IMMEDIATE holds the write lock already
    locked, _ = db.session.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY),
                                          func.set_config("jit", "off", True))).one()
    return bool(locked)


def _escalation_days(rules: Rules) -> list[int]:
    return [days for attribute in ("escalate_days", "escalate_parent_days")
            for days in rules.groups(attribute) if days is not None] or [0]


def _cutoffs(now: datetime, days: int) -> list[datetime]:
    """``cutoffs[n]`` = the latest instant at least ``n`` working days before ``now``."""
    return current_calendar().subtract_working_hours_repeatedly(now, HOURS_PER_DAY, days)


# -- the statements that advance the state: built once per shape, run with the cutoffs as parameters --

def _cutoff(n: int):
    """``now - n working days``, a parameter of the statement (``c0`` is now)."""
    return bindparam(f"c{n}", type_=UTCDateTime())


def _number(n: int):
    """A constant of the statement's shape, written into the SQL rather than passed as a parameter."""
    return literal_column(str(int(n)), SmallInteger)


def _group_filter(column, codes: tuple[str, ...], is_default: bool):
    if is_default:
        return column.not_in(codes) if codes else true()
    return column.in_(codes)


@lru_cache(maxsize=8)
def _due_soon_statement():
    t = _VISITS
    return update(t).where(t.c.remind_at.is_not(None), t.c.remind_at <= _cutoff(0)).values(
        remind_at=None).returning(t.c.id)


@lru_cache(maxsize=8)
def _chain_statement(max_days: int):
    """Advance the assignee's chain of each dossier whose step crossed a day since the last sweep:
    one equality-and-range probe of ``(reminded_day, due_at)`` per day value."""
    t = _VISITS
    crossed = or_(*[and_(t.c.reminded_day == _number(day), t.c.due_at <= _cutoff(day + 1))
                    for day in range(-1, max_days)])
    whens = [(t.c.due_at <= _cutoff(day), _number(day)) for day in range(max_days, 0, -1)]
    day_now = case(*whens, else_=_number(0)) if whens else _number(0)
    return update(t).where(*_running(t), crossed).values(reminded_day=day_now).returning(t.c.id)


@lru_cache(maxsize=64)
def _escalation_statement(level: int, groups: tuple[tuple[int | None, tuple[str, ...], bool], ...]):
    """Pass escalation ``level`` for the dossiers ``days`` working days overdue (per procedure group).

    Every dossier reaching level 2 is at level 1 by then: level 1 runs first in the same sweep, its
    days come first (checked), and a group with level 1 switched off passes it silently once due.
    """
    t = _VISITS
    terms = []
    for days, codes, is_default in groups:
        group = _group_filter(t.c.procedure_code, codes, is_default)
        cutoff = _cutoff(0) if days is None else _cutoff(days)  # switched off: pass silently once due
        terms.append(and_(t.c.escalated == level - 1, t.c.due_at <= cutoff, group))
    return update(t).where(*_running(t), or_(*terms)).values(
        escalated=level).returning(t.c.id)


def _running(t) -> tuple:
    """The visits whose step clock runs: open, with a due time (the predicate of the partial indexes)."""
    return t.c.left_at.is_(None), t.c.due_at.is_not(None)


def _in_group(codes: list[str], is_default: bool):
    """The procedures of a rule group (see ``Rules.groups``)."""
    return _group_filter(Dossier.procedure_code, tuple(codes), is_default)


def _enabled(rules: Rules, attribute: str):
    """The dossiers whose procedure has the rule switched on (a falsy value is off)."""
    terms = [_in_group(codes, is_default) for value, (codes, is_default) in rules.groups(attribute).items() if value]
    return or_(*terms) if terms else false()


def _value(rules: Rules, attribute: str):
    """The rule's value for each dossier's procedure, as SQL (a literal when no procedure differs)."""
    default = getattr(rules.default, attribute)
    own = {code: getattr(r, attribute) for code, r in rules.by_procedure.items()
           if getattr(r, attribute) != default and getattr(r, attribute) is not None}
    if not own:
        return literal(default)
    return case(own, value=Dossier.procedure_code, else_=literal(default))


def _text(value) -> object:
    return cast(value, String)


class _Run:
    """One sweep: the statements of each rule, the counts, the new ids to e-mail."""

    def __init__(self, now: datetime, rules: Rules, cutoffs: list[datetime]):
        self.now, self.rules, self.cutoffs = now, rules, cutoffs
        self.counts = dict.fromkeys(KINDS, 0)
        self.mail_kinds = set(current_app.config["ONESTOP_MAIL_KINDS"])
        self.to_mail: list[int] = []

    def _advance(self, statement, days: list[int]) -> list[int]:
        """Run a state-advancing statement with the cutoffs it uses; the ids of the visits it moved."""
        connection = db.session.connection()  # Core statements: no ORM work to do on the way
        return list(connection.execute(statement, {f"c{n}": self.cutoffs[n] for n in days}).scalars())

    def _notify(self, kind: str, ids: list[int], threshold, user_id, message, select_from=None, where=()) -> None:
        """One INSERT … SELECT per chunk of advanced visits, for their recipients."""
        key = (literal(kind + ":") + _text(Dossier.id) + literal(":") + _text(StepVisit.step_seq) + literal(":")
               + _text(threshold) + literal(":") + _text(user_id))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = select(user_id, Dossier.id, literal(kind), message, key,
                          literal(self.now, type_=Notification.created_at.type))
            rows = rows.select_from(select_from if select_from is not None else _OPEN_VISIT).where(
                StepVisit.id.in_(chunk), _PROCESSING, *where)
            stmt = insert_ignoring_duplicates().from_select(
                ["user_id", "dossier_id", "kind", "message", "key", "created_at"], rows,
            ).on_conflict_do_nothing(index_elements=["key"]).returning(Notification.id)
            new = list(db.session.scalars(stmt))
            self.counts[kind] += len(new)
            if kind in self.mail_kinds:
                self.to_mail.extend(new)

    # -- the rules ------------------------------------------------------------------------------

    def due_soon(self) -> None:
        ids = self._advance(_due_soon_statement(), [0])
        if not ids:
            return
        percent = _value(self.rules, "due_soon_percent")
        self._notify("due_soon", ids, percent, present(StepVisit.assignee_id, self.now),
                     literal("Hồ sơ ") + Dossier.code + literal(": bước đang xử lý đã dùng ") + _text(percent)
                     + literal("% thời hạn."),
                     where=(StepVisit.assignee_id.is_not(None), StepVisit.due_at > self.now,
                            _enabled(self.rules, "due_soon_percent")))

    def due_and_overdue(self, max_days: int) -> None:
        """The assignee's chain: due (day 0), then each working day overdue up to ``max_days``."""
        ids = self._advance(_chain_statement(max_days), list(range(max_days + 1)))
        if not ids:
            return
        on = (StepVisit.assignee_id.is_not(None), _enabled(self.rules, "remind_overdue"))
        self._notify("due", ids, literal(0), present(StepVisit.assignee_id, self.now),
                     literal("Hồ sơ ") + Dossier.code + literal(": đã đến hạn xử lý bước hiện tại."),
                     where=(StepVisit.reminded_day == 0, *on))
        self._notify("overdue", ids, StepVisit.reminded_day, present(StepVisit.assignee_id, self.now),
                     literal("Hồ sơ ") + Dossier.code + literal(": quá hạn xử lý ") + _text(StepVisit.reminded_day)
                     + literal(" ngày làm việc."),
                     where=(StepVisit.reminded_day > 0, *on))

    def escalation(self, level: int) -> None:
        """Level 1: the holding agency's supervisors; level 2: the parent agency's."""
        attribute = "escalate_days" if level == 1 else "escalate_parent_days"
        groups = tuple((days, tuple(codes), is_default) for days, (codes, is_default)
                       in self.rules.groups(attribute).items())
        ids = self._advance(_escalation_statement(level, groups), sorted({days or 0 for days, _, _ in groups}))
        if not ids:
            return
        days = _value(self.rules, attribute)
        enabled = _enabled_not_none(self.rules, attribute)
        if level == 1:
            supervisors = and_(User.agency_id == Dossier.holder_agency_id, User.role == Role.SUPERVISOR, User.active)
            self._notify("escalation", ids, days, present(User.id, self.now),
                         literal("Hồ sơ ") + Dossier.code + literal(" quá hạn xử lý ") + _text(days)
                         + literal(" ngày làm việc tại đơn vị."),
                         select_from=_OPEN_VISIT.join(User.__table__, supervisors), where=(enabled,))
        else:
            holder = Agency.__table__.alias("holder")
            supervisors = and_(User.agency_id == holder.c.parent_id, User.role == Role.SUPERVISOR, User.active)
            self._notify("escalation_parent", ids, days, present(User.id, self.now),
                         literal("Hồ sơ ") + Dossier.code + literal(" quá hạn xử lý ") + _text(days)
                         + literal(" ngày làm việc tại ") + holder.c.name + literal("."),
                         select_from=_OPEN_VISIT.join(holder, holder.c.id == Dossier.holder_agency_id)
                         .join(User.__table__, supervisors), where=(enabled,))

    def hand_mail_to_worker(self) -> None:
        self.to_mail.extend(stale_claims(self.now))
        batch = current_app.config["ONESTOP_MAIL_BATCH"]
        for start in range(0, len(self.to_mail), batch):
            enqueue(Task.SEND_NOTIFICATION_MAIL, notification_ids=self.to_mail[start:start + batch])


def _enabled_not_none(rules: Rules, attribute: str):
    """The dossiers whose procedure has an escalation rule (0 days is a valid rule, None is off)."""
    terms = [_in_group(codes, is_default)
             for value, (codes, is_default) in rules.groups(attribute).items() if value is not None]
    return or_(*terms) if terms else false()
