"""Supplement rounds: opened when a dossier enters a supplement step, closed when it leaves one
(the ``moved`` signal, whichever way the move was made: the forms below, the generic action
button, the API); the officer's request names the missing documents, the desk's receipt the
documents that came. A procedure's ``supplement_limit_days`` gives the round a limit: the citizen
is reminded ``supplement_reminder_days`` before it, and once it has passed the sweep stops the
dossier (``stop_lapsed``) through the door, as the system, exactly once.
"""
import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import HOURS_PER_DAY, local_time_text
from onestop.core.errors import OperationError
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action
from onestop.dossiers.signals import moved
from onestop.extensions import db
from onestop.messages.notices import supplement_reminder, supplement_stopped
from onestop.messages.operations import cancel
from onestop.supplements.models import SupplementRound
from onestop.workflows.engine import engine

log = logging.getLogger(__name__)
_OUTCOME = {"supplement_received": "received", "stop": "stopped", "withdraw": "withdrawn"}


def open_round(dossier: Dossier) -> SupplementRound | None:
    return db.session.scalar(select(SupplementRound).where(SupplementRound.dossier_id == dossier.id,
                                                           SupplementRound.closed_at.is_(None)))


def rounds_of(dossier: Dossier) -> list[SupplementRound]:
    return list(db.session.scalars(select(SupplementRound).where(SupplementRound.dossier_id == dossier.id)
                                   .order_by(SupplementRound.number)))


@moved.connect
def _track_rounds(dossier: Dossier, actor: User | None = None, action: str = "", source=None, target=None,
                  event=None, **_kwargs) -> None:
    if source is not None and source.kind == "supplement":
        _close(dossier, actor, action)
    if target is not None and target.kind == "supplement":
        _open(dossier, actor, target, event)


def _open(dossier: Dossier, actor: User | None, target, event) -> SupplementRound:
    procedure = engine().of(dossier)
    now = clock.now()
    number = (db.session.scalar(select(func.max(SupplementRound.number))
                                .where(SupplementRound.dossier_id == dossier.id)) or 0) + 1
    documents = list(dossier.documents or [])
    missing = [d.key for d in procedure.required_documents(dossier.submitter_name is not None) if d.key not in documents]
    limit = procedure.supplement_limit_days
    cal = current_calendar()
    due_at = cal.add_working_hours(now, limit * HOURS_PER_DAY) if limit else None
    round_ = SupplementRound(dossier_id=dossier.id, dossier=dossier, number=number, step=target.key, requested_at=now,
                             requested_by_id=actor.id if actor else None,
                             agency_id=event.from_agency_id if event is not None and event.from_agency_id
                             else dossier.holder_agency_id,
                             missing=missing, note=event.note if event is not None else None, had=documents,
                             due_at=due_at)
    db.session.add(round_)
    db.session.flush()
    if due_at is not None:
        remind = cal.add_working_hours(now, (limit - procedure.supplement_reminder_days) * HOURS_PER_DAY)
        supplement_reminder(dossier, number, due_at, remind)
    return round_


def _close(dossier: Dossier, actor: User | None, action: str) -> None:
    round_ = open_round(dossier)
    if round_ is None:
        return
    round_.closed_at, round_.closed_by_id = clock.now(), actor.id if actor else None
    round_.outcome = _OUTCOME.get(action, "received")
    round_.received = sorted(set(dossier.documents or []) - set(round_.had or []))
    cancel(dossier.id, "supplement_reminder")
    if action == "stop":
        supplement_stopped(dossier, round_.number)
    db.session.flush()


def request_supplement(dossier: Dossier, actor: User, *, missing: list[str], note: str) -> SupplementRound:
    """Ask the citizen for ``missing`` (checklist keys) and what ``note`` says: slip 02 prints both."""
    procedure = engine().of(dossier)
    unknown = set(missing) - {d.key for d in procedure.documents}
    if unknown:
        raise OperationError(_("Có giấy tờ không thuộc thủ tục đã chọn: %(documents)s.", documents=", ".join(sorted(unknown))))
    perform_action(dossier, actor, "request_supplement", note=note)
    round_ = open_round(dossier)
    if round_ is None:  # the step the action led to is not a supplement wait
        raise OperationError(_("Thao tác không dẫn tới bước chờ bổ sung."))
    round_.missing = [d.key for d in procedure.documents if d.key in set(missing)]
    db.session.flush()
    return round_


def receive_supplement(dossier: Dossier, actor: User, *, came: list[str], note: str | None = None) -> SupplementRound:
    """The desk records which documents came (added to the checklist) and moves the dossier on."""
    round_ = open_round(dossier)
    if round_ is None:
        raise OperationError(_("Hồ sơ không chờ bổ sung."))
    procedure = engine().of(dossier)
    names = {d.key: d.name for d in procedure.documents}
    unknown = set(came) - set(names)
    if unknown:
        raise OperationError(_("Có giấy tờ không thuộc thủ tục đã chọn: %(documents)s.", documents=", ".join(sorted(unknown))))
    documents = sorted(set(dossier.documents or []) | set(came))
    note = (note or "").strip() or (
        "Nhận bổ sung: " + "; ".join(names[k] for k in procedure_order(procedure, came)) if came else None)
    perform_action(dossier, actor, "supplement_received", note=note, documents=documents)
    return round_


def procedure_order(procedure, keys) -> list[str]:
    wanted = set(keys)
    return [d.key for d in procedure.documents if d.key in wanted]


def stop_lapsed(now: datetime, limit: int = 500) -> int:
    """The sweep's part: stop the dossiers whose supplement is past its limit, each through the
    door as the system (the ``stop`` action of its supplement step). Exactly once: the door locks
    the dossier and the action is refused to a dossier no longer waiting; the round closes in the
    same transaction. Each in a savepoint, so one refusal does not undo the others."""
    due = db.session.execute(select(SupplementRound.id, SupplementRound.dossier_id, SupplementRound.number,
                                    SupplementRound.due_at)
                             .where(SupplementRound.closed_at.is_(None), SupplementRound.due_at <= now)
                             .order_by(SupplementRound.due_at).limit(limit)).all()
    stopped = 0
    for row in due:
        dossier = db.session.get(Dossier, row.dossier_id)
        note = (f"Quá thời hạn bổ sung hồ sơ (yêu cầu lần {row.number}, hạn "
                f"{local_time_text(row.due_at, '%H:%M ngày %d/%m/%Y')}): dừng xử lý.")
        try:
            with db.session.begin_nested():
                perform_action(dossier, None, "stop", note=note)
            stopped += 1
        except OperationError as exc:
            log.warning("supplement round %s of dossier %s not stopped: %s", row.id, row.dossier_id, exc)
    return stopped
