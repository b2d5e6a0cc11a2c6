"""Step visits: one row per stay of a dossier in a step, written by the verbs in their transaction.

The history (``DossierEvent``) says what happened; a visit says how long a step took and where it
stands now, so the readers that ask "what is open at this agency, what is due, how long did each
step take" read one row per step instead of pairing consecutive events. A dossier has at most one
open visit (``left_at`` NULL) while it is open; a final step (done, refused, withdrawn) closes the
last visit and opens none.

The open visit also carries the reminder state of the deadline sweep (``notifications/sweep.py``):
``remind_at`` (the 75 % instant, cleared once passed), ``reminded_day`` and ``escalated``. A new
visit starts them afresh, which is how the reminders of one step never leak into the next.

``record`` is called for every history line (``operations.log``): a move closes the open visit and
opens the next; an assignment gives the open visit its new assignee. On PostgreSQL a move's two
writes wait for the request's next statement and go with it (``core/deferred.py``): the open visit
is read with the dossier's lock (``with_open_visit``), so a move costs no statement of its own.
"""
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    and_,
    event,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from onestop.core import deferred
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import STAY_ACTIONS, Dossier, DossierEvent, Status
from onestop.dossiers.rules import remind_at_of
from onestop.extensions import db
from onestop.workflows.engine import engine

_OPEN = "left_at IS NULL"
#: the open visits loaded with their dossiers' locks in this transaction: dossier id → visit or None
_LOADED = "onestop_open_visits"
_RUNNING = "left_at IS NULL AND due_at IS NOT NULL"


class StepVisit(db.Model):
    """One visit of a step: from the move that entered it to the move that left it."""

    __tablename__ = "step_visits"
    __table_args__ = (
        UniqueConstraint("dossier_id", "step_seq", name="uq_step_visits_dossier_seq"),
        # at most one open visit per dossier; also the lookup of the open visit by dossier
        Index("ix_step_visits_open_dossier", "dossier_id", unique=True,
              postgresql_where=text(_OPEN), sqlite_where=text(_OPEN)),
        # the sweep: one range scan per rule over the visits whose clock runs
        Index("ix_step_visits_remind_at", "remind_at",
              postgresql_where=text("remind_at IS NOT NULL"), sqlite_where=text("remind_at IS NOT NULL")),
        Index("ix_step_visits_reminded_day_due", "reminded_day", "due_at",
              postgresql_where=text(_RUNNING), sqlite_where=text(_RUNNING)),
        Index("ix_step_visits_escalated_due", "escalated", "due_at",
              postgresql_where=text(_RUNNING), sqlite_where=text(_RUNNING)),
        # the bottleneck report: the visits that ended in a period, answered from the index on PostgreSQL
        Index("ix_step_visits_left", "left_at",
              postgresql_include=["agency_id", "procedure_code", "step", "hours", "dossier_id", "step_seq"]),
        # the open visits of an agency by step due time (inbox tabs, overdue lists)
        Index("ix_step_visits_open_agency_due", "agency_id", "due_at",
              postgresql_where=text(_OPEN), sqlite_where=text(_OPEN)),
        # a person's open work (the inbox's "mine" and "new" tabs, a stand-in's tab)
        Index("ix_step_visits_open_assignee", "assignee_id",
              postgresql_where=text(_OPEN), sqlite_where=text(_OPEN)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    #: the dossier's ``step_seq`` while in this visit (0: the step it was received into)
    step_seq: Mapped[int]
    #: copied from the dossier so that the reports and the sweep group without a join
    procedure_code: Mapped[str] = mapped_column(String(20))
    step: Mapped[str] = mapped_column(String(60))
    #: the agency holding the dossier during the visit
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: who works on it now (the last assignee once the visit is over)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime]
    #: None while the dossier is in this step
    left_at: Mapped[datetime | None]
    #: working hours from entering to leaving (set when left)
    hours: Mapped[float | None]
    #: working hours the clock was stopped in this visit (a supplement step's whole stay)
    paused_hours: Mapped[float] = mapped_column(default=0.0, server_default="0")
    #: when the step should be finished; None while the clock is stopped or once left
    due_at: Mapped[datetime | None]
    #: when to send the "used 75 % of the step" reminder; cleared by the sweep once passed
    remind_at: Mapped[datetime | None]
    #: due-time reminders sent: -1 none, 0 "the step is due", N "N working days overdue"
    reminded_day: Mapped[int] = mapped_column(SmallInteger, default=-1, server_default="-1")
    #: escalations sent: 0 none, 1 the holding agency's supervisors, 2 the parent agency's
    escalated: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")


def in_open_visit(*where):
    """Dossiers whose open visit matches ``where`` (a predicate on ``Dossier`` for lists and counts)."""
    return Dossier.id.in_(select(StepVisit.dossier_id).where(StepVisit.left_at.is_(None), *where))


def with_open_visit(query):
    """``query`` of dossiers with each one's open visit beside it (None when it has none)."""
    return query.add_columns(StepVisit).outerjoin(
        StepVisit, and_(StepVisit.dossier_id == Dossier.id, StepVisit.left_at.is_(None)))


def remember(dossier: Dossier, visit: StepVisit | None) -> None:
    """The open visit read with the dossier's lock: ``open_visit`` answers it without a statement."""
    db.session.info.setdefault(_LOADED, {})[dossier.id] = visit


def open_visit(dossier_id: int) -> StepVisit | None:
    loaded = db.session.info.get(_LOADED)
    if loaded is not None and dossier_id in loaded:
        return loaded[dossier_id]
    return db.session.scalar(select(StepVisit).where(StepVisit.dossier_id == dossier_id, StepVisit.left_at.is_(None)))


@event.listens_for(Session, "do_orm_execute")
def _visits_rewritten(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and _LOADED in state.session.info:
        state.session.info.pop(_LOADED)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LOADED, None)


def record(dossier: Dossier, event: DossierEvent) -> None:
    """Keep the visits in step with a history line just written about ``dossier``."""
    if event.action == "assign":
        visit = open_visit(dossier.id)
        if visit is not None:
            visit.assignee_id = dossier.assignee.id if dossier.assignee is not None else None
        return
    if event.action in STAY_ACTIONS:
        return
    now = dossier.step_started_at
    cal = current_calendar()
    visit = open_visit(dossier.id) if event.action != "receive" else None
    db.session.info.get(_LOADED, {}).pop(dossier.id, None)
    closing = None
    if visit is not None:
        hours = cal.working_hours_between(visit.entered_at, now)
        closing = {"left_at": now, "hours": hours, "due_at": None, "remind_at": None}
        if engine().of(dossier).step(visit.step).kind == "supplement":
            closing["paused_hours"] = hours
    opening = None
    if dossier.is_open:
        procedure = engine().of(dossier)
        counted_from = cal.start_of_count(now, procedure.cutoff) if event.action == "receive" else now
        remind_at = None
        if dossier.status == Status.PROCESSING and dossier.step_due_at is not None:
            remind_at = remind_at_of(dossier.procedure_code, procedure.step(dossier.step).hours, cal, counted_from)
        opening = {"dossier_id": dossier.id, "step_seq": dossier.step_seq, "procedure_code": dossier.procedure_code,
                   "step": dossier.step, "agency_id": dossier.holder_agency.id,
                   "assignee_id": dossier.assignee.id if dossier.assignee is not None else None,
                   "entered_at": now, "due_at": dossier.step_due_at, "remind_at": remind_at}
    _write(visit, closing, opening)


_TABLE = StepVisit.__table__


def _write(visit: StepVisit | None, closing: dict | None, opening: dict | None) -> None:
    """Close ``visit`` and open the next, before the next opens (the unique index on open visits)."""
    if not deferred.available():
        if visit is not None:
            for name, value in closing.items():
                setattr(visit, name, value)
        if opening is not None:
            # one flush writes both: the unit of work sends a mapper's UPDATEs before its INSERTs
            db.session.add(StepVisit(**opening))
        return
    ctes, closed = [], None
    if visit is not None:
        for name, value in closing.items():
            set_committed_value(visit, name, value)
        closed = update(_TABLE).where(_TABLE.c.id == literal(visit.id)).values(deferred.values(_TABLE, closing)) \
            .returning(_TABLE.c.id).cte(deferred.name())
        ctes.append(closed)
    if opening is not None:
        opened = deferred.values(_TABLE, opening, defaults=True)
        row = select(*opened.values())
        if closed is not None:
            row = row.where(deferred.after(closed) >= 0)
        ctes.append(insert(_TABLE).from_select(list(opened), row).cte(deferred.name(len(ctes))))
    deferred.defer(*ctes)
