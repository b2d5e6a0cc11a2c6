"""The one door through which a dossier changes.

Every verb checks the actor, moves the dossier, writes a ``DossierEvent``, recomputes the due
times and enqueues the worker's follow-up, all in the caller's transaction: verbs ``flush()``,
never ``commit()``. A refused verb raises ``OperationError`` before anything is written.
"""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.workdays import current_calendar
from onestop.dossiers.codes import next_code
from onestop.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent, Status
from onestop.extensions import db
from onestop.notifications.operations import notify
from onestop.notifications.outbox import enqueue
from onestop.workflows.definition import Step
from onestop.workflows.engine import ActionRefused, Engine
from onestop.workflows.holders import HolderNotFound, resolve_holder

ROUTE_TASK = "onestop.route_dossier"
_OUTCOME_STATUS = {"done": Status.DONE, "refused": Status.REFUSED, "withdrawn": Status.WITHDRAWN}


class OperationError(Exception):
    """The verb cannot be done; ``str(exc)`` is the reason for the user (Vietnamese)."""


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    address: str
    email: str | None = None


def engine() -> Engine:
    return current_app.extensions["onestop_engine"]


def receive_dossier(actor: User, *, procedure_code: str, applicant: Applicant, documents: list[str],
                    delivery_method: str = "desk", note: str | None = None) -> Dossier:
    """Log a dossier handed in at the actor's desk; it starts at the procedure's first step."""
    if actor.role != Role.CLERK or not actor.agency.has_desk:
        raise OperationError("Chỉ cán bộ bộ phận một cửa được tiếp nhận hồ sơ.")
    if not engine().has(procedure_code):
        raise OperationError(f"Không có thủ tục mã {procedure_code}.")
    procedure = engine().procedure(procedure_code)
    known = {d.key for d in procedure.documents}
    unknown = set(documents) - known
    if unknown:
        raise OperationError(f"Giấy tờ không thuộc thủ tục: {', '.join(sorted(unknown))}.")
    if delivery_method not in ("desk", "post"):
        raise OperationError("Hình thức trả kết quả không hợp lệ.")
    now = clock.now()
    start = procedure.start
    holder = _holder(start, actor.agency)
    cal = current_calendar()
    dossier = Dossier(
        code=next_code(actor.agency, now), procedure_code=procedure_code, step=start.key,
        status=Status.PROCESSING, receiving_agency=actor.agency, holder_agency=holder,
        assignee=actor if holder.id == actor.agency_id else None, received_by=actor,
        applicant_name=applicant.name, applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone, applicant_email=applicant.email or None,
        applicant_address=applicant.address, documents=sorted(set(documents)),
        delivery_method=delivery_method, note=note or None, received_at=now,
        due_at=cal.add_working_hours(now, procedure.budget_hours), step_started_at=now,
        step_due_at=cal.add_working_hours(now, start.hours),
    )
    db.session.add(dossier)
    db.session.flush()
    _log(dossier, actor, "receive", None, None, holder, note)
    db.session.flush()
    return dossier


def can_act(dossier: Dossier, user: User) -> bool:
    return dossier.is_open and user.active and user.agency_id == dossier.holder_agency_id


def available_actions(dossier: Dossier, user: User):
    """The actions the user may press now (guards are checked when pressed)."""
    if not can_act(dossier, user):
        return []
    procedure = engine().procedure(dossier.procedure_code)
    return engine().actions_for_role(procedure, dossier.step, user.role.value)


def perform_action(dossier: Dossier, action: str, actor: User, note: str | None = None,
                   documents: list[str] | None = None) -> DossierEvent:
    """Fire ``action`` on the dossier as ``actor``.

    ``documents`` (desk only) replaces the checklist, e.g. when a supplement is brought in.
    """
    note = (note or "").strip() or None
    if action == "return_result" and not (dossier.result_recipient or dossier.post_waybill):
        raise OperationError("Ghi người nhận kết quả hoặc số vận đơn bưu chính trước khi trả kết quả.")
    if action not in {a.name for a in available_actions(dossier, actor)}:
        raise OperationError("Bạn không thể thực hiện thao tác này với hồ sơ ở bước hiện tại.")
    procedure = engine().procedure(dossier.procedure_code)
    previous_documents = list(dossier.documents or [])
    if documents is not None:
        if actor.role != Role.CLERK:
            raise OperationError("Chỉ bộ phận một cửa cập nhật giấy tờ của hồ sơ.")
        unknown = set(documents) - {d.key for d in procedure.documents}
        if unknown:
            raise OperationError(f"Giấy tờ không thuộc thủ tục: {', '.join(sorted(unknown))}.")
        dossier.documents = sorted(set(documents))
    from_agency = dossier.holder_agency
    target_key = procedure.step(dossier.step).action(action).target
    holder = _holder(procedure.step(target_key), dossier.receiving_agency)
    try:
        source, target = engine().fire(dossier, action, note)
    except ActionRefused as exc:
        dossier.documents = previous_documents
        raise OperationError(str(exc)) from exc
    _move(dossier, source, target, holder, actor)
    event = _log(dossier, actor, action, source.key, from_agency, holder, note)
    db.session.flush()
    return event


def return_result(dossier: Dossier, actor: User, *, recipient: str | None = None, waybill: str | None = None,
                  note: str | None = None) -> DossierEvent:
    """Hand the result back: at the desk to a named person, or by public post with its waybill,
    as the citizen chose at intake."""
    recipient, waybill = (recipient or "").strip(), (waybill or "").strip()
    if dossier.delivery_method == "post" and not waybill:
        raise OperationError("Nhập số vận đơn bưu chính.")
    if dossier.delivery_method != "post" and not recipient:
        raise OperationError("Nhập họ tên người nhận kết quả.")
    if dossier.delivery_method == "post":
        dossier.post_waybill = waybill
    else:
        dossier.result_recipient = recipient
    try:
        return perform_action(dossier, "return_result", actor, note=note or (
            f"Gửi qua bưu chính, vận đơn {waybill}" if waybill else f"Người nhận: {recipient}"))
    except OperationError:
        dossier.post_waybill = dossier.result_recipient = None
        raise


def _holder(step: Step, receiving: Agency) -> Agency:
    try:
        return resolve_holder(step.holder, receiving)
    except HolderNotFound as exc:
        raise OperationError(str(exc)) from exc


def _move(dossier: Dossier, source: Step, target: Step, holder: Agency, actor: User) -> None:
    """Set holder, assignee, status and due times for the step just entered."""
    now = clock.now()
    cal = current_calendar()
    if source.kind == "supplement" and dossier.paused_at is not None:
        paused = cal.working_hours_between(dossier.paused_at, now)
        dossier.paused_hours += paused
        dossier.due_at = cal.add_working_hours(dossier.due_at, paused)
        dossier.paused_at = None
    dossier.holder_agency = holder
    dossier.step_seq += 1
    dossier.step_started_at = now
    if target.is_final:
        dossier.status = _OUTCOME_STATUS[target.outcome]
        dossier.finished_at = now
        dossier.step_due_at = None
        dossier.assignee = None
        return
    if target.kind == "supplement":
        dossier.status = Status.SUPPLEMENT
        dossier.paused_at = now
        dossier.step_due_at = None
    else:
        dossier.status = Status.PROCESSING
        dossier.step_due_at = cal.add_working_hours(now, target.hours)
    if holder.id == actor.agency_id and target.role == actor.role.value:
        dossier.assignee = actor
    else:
        dossier.assignee = None
        db.session.flush()
        enqueue(ROUTE_TASK, dossier_id=dossier.id, step_seq=dossier.step_seq)


def _log(dossier: Dossier, actor: User | None, action: str, from_step: str | None,
         from_agency: Agency | None, to_agency: Agency, note: str | None) -> DossierEvent:
    event = DossierEvent(dossier=dossier, actor=actor, action=action, from_step=from_step,
                         to_step=dossier.step, from_agency=from_agency, to_agency=to_agency, note=note)
    db.session.add(event)
    return event


def assign(dossier: Dossier, user: User, actor: User | None = None, note: str | None = None) -> DossierEvent:
    """Give the dossier to ``user`` of the holding agency (routing, or a supervisor reassigning)."""
    if not dossier.is_open:
        raise OperationError("Hồ sơ đã kết thúc.")
    if user.agency_id != dossier.holder_agency_id or not user.active:
        raise OperationError("Người được giao phải thuộc cơ quan đang giữ hồ sơ.")
    if actor is not None and not (actor.role == Role.SUPERVISOR and actor.agency_id == dossier.holder_agency_id):
        raise OperationError("Chỉ lãnh đạo cơ quan đang giữ hồ sơ được phân công lại.")
    dossier.assignee = user
    event = _log(dossier, actor, "assign", dossier.step, dossier.holder_agency, dossier.holder_agency,
                 note or f"Giao cho {user.full_name}")
    procedure = engine().procedure(dossier.procedure_code)
    notify(user_id=user.id, dossier_id=dossier.id, kind="assigned",
           message=f"Hồ sơ {dossier.code} ({procedure.name[:80]}) được giao cho bạn.",
           key=f"assigned:{dossier.id}:{dossier.step_seq}:{user.id}")
    db.session.flush()
    return event


def route(dossier_id: int, step_seq: int) -> User | None:
    """Assign the dossier to the least-loaded active user of the holding agency with the step's role.

    Idempotent: does nothing when the dossier has moved on (``step_seq`` differs) or is assigned.
    """
    dossier = db.session.get(Dossier, dossier_id, with_for_update=True)
    if dossier is None or not dossier.is_open or dossier.step_seq != step_seq or dossier.assignee_id:
        return None
    role = engine().procedure(dossier.procedure_code).step(dossier.step).role
    load = (select(Dossier.assignee_id, func.count().label("n"))
            .where(Dossier.status.in_(OPEN_STATUSES), Dossier.assignee_id.is_not(None))
            .group_by(Dossier.assignee_id).subquery())
    officer = db.session.scalars(
        select(User).outerjoin(load, load.c.assignee_id == User.id)
        .where(User.agency_id == dossier.holder_agency_id, User.role == Role(role), User.active)
        .order_by(func.coalesce(load.c.n, 0), User.id).limit(1)).first()
    if officer is None:
        return None
    assign(dossier, officer)
    return officer
