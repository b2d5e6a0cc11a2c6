"""The one door through which a dossier changes.

Every verb checks the actor, moves the dossier, writes a ``DossierEvent``, recomputes the due
times and enqueues the worker's follow-up, all in the caller's transaction: verbs ``flush()``,
never ``commit()``. A refused verb raises ``OperationError`` before anything is written.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.workdays import current_calendar
from onestop.dossiers import attachment_store
from onestop.dossiers.attachments_model import Attachment
from onestop.dossiers.codes import next_code
from onestop.dossiers.consultations import Consultation
from onestop.dossiers.extensions_model import DossierExtension, ExtensionStatus
from onestop.dossiers.models import OPEN_STATUSES, Channel, Dossier, DossierEvent, Status
from onestop.extensions import db
from onestop.notifications.operations import notify, notify_supervisors
from onestop.notifications.outbox import enqueue
from onestop.notifications.rules import plan_reminders
from onestop.public.online_models import ApplicationStatus, OnlineApplication
from onestop.workflows.definition import Step
from onestop.workflows.engine import ActionRefused, Engine
from onestop.workflows.holders import AgencyTree, HolderNotFound, resolve_holder

ROUTE_TASK = "onestop.route_dossier"
APPLICANT_MAIL_TASK = "onestop.mail_applicant_decision"
_OUTCOME_STATUS = {"done": Status.DONE, "refused": Status.REFUSED, "withdrawn": Status.WITHDRAWN}


class OperationError(Exception):
    """The verb cannot be done; ``str(exc)`` is the reason for the user, in the request's language.

    What a verb writes down (event notes, notifications) stays in Vietnamese: it is the record."""


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
                    delivery_method: str = "desk", note: str | None = None, channel: Channel = Channel.DESK) -> Dossier:
    """Log a dossier received by the actor's desk (handed in there, or filed online with it);
    it starts at the procedure's first step."""
    if actor.role != Role.CLERK or not actor.agency.has_desk:
        raise OperationError(_("Chỉ cán bộ bộ phận một cửa được tiếp nhận hồ sơ."))
    if not engine().has(procedure_code):
        raise OperationError(_("Không có thủ tục mã %(code)s.", code=procedure_code))
    problem = intake_problems(actor.agency).get(procedure_code)
    if problem:
        raise OperationError(_("%(agency)s không tiếp nhận được thủ tục %(code)s: %(problem)s khi hồ sơ nộp tại đây.",
                               agency=actor.agency.name, code=procedure_code, problem=problem))
    procedure = engine().procedure(procedure_code)
    known = {d.key for d in procedure.documents}
    unknown = set(documents) - known
    if unknown:
        raise OperationError(_("Giấy tờ không thuộc thủ tục: %(documents)s.", documents=", ".join(sorted(unknown))))
    if delivery_method not in ("desk", "post"):
        raise OperationError(_("Hình thức trả kết quả không hợp lệ."))
    now = clock.now()
    start = procedure.start
    holder = _holder(start, actor.agency)
    cal = current_calendar()
    counted_from = cal.start_of_count(now, procedure.cutoff)  # after the cut-off: the next working day
    dossier = Dossier(
        code=next_code(actor.agency, now), procedure_code=procedure_code, step=start.key,
        status=Status.PROCESSING, receiving_agency=actor.agency, holder_agency=holder,
        assignee=actor if holder.id == actor.agency_id else None, received_by=actor,
        applicant_name=applicant.name, applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone, applicant_email=applicant.email or None,
        applicant_address=applicant.address, documents=sorted(set(documents)),
        delivery_method=delivery_method, channel=channel, note=note or None, received_at=now,
        due_at=cal.add_working_hours(counted_from, procedure.budget_hours),
        step_started_at=now, step_due_at=cal.add_working_hours(counted_from, start.hours),
    )
    plan_reminders(dossier, start.hours, cal, counted_from)
    db.session.add(dossier)
    db.session.flush()
    _log(dossier, actor, "receive", None, None, holder, note)
    db.session.flush()
    return dossier


def intake_problems(desk: Agency) -> dict[str, str]:
    """Procedures the desk cannot receive (a step would have no agency to hold it), with the reason."""
    tree = AgencyTree.load()
    return engine().intake_problems(tree.nodes[desk.id], tree)


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
    _lock(dossier)
    note = (note or "").strip() or None
    if action == "return_result" and not (dossier.result_recipient or dossier.post_waybill):
        raise OperationError(_("Ghi người nhận kết quả hoặc số vận đơn bưu chính trước khi trả kết quả."))
    if action not in {a.name for a in available_actions(dossier, actor)}:
        raise OperationError(_("Bạn không thể thực hiện thao tác này với hồ sơ ở bước hiện tại."))
    procedure = engine().procedure(dossier.procedure_code)
    previous_documents = list(dossier.documents or [])
    if documents is not None:
        if actor.role != Role.CLERK:
            raise OperationError(_("Chỉ bộ phận một cửa cập nhật giấy tờ của hồ sơ."))
        unknown = set(documents) - {d.key for d in procedure.documents}
        if unknown:
            raise OperationError(_("Giấy tờ không thuộc thủ tục: %(documents)s.", documents=", ".join(sorted(unknown))))
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
        raise OperationError(_("Nhập số vận đơn bưu chính."))
    if dossier.delivery_method != "post" and not recipient:
        raise OperationError(_("Nhập họ tên người nhận kết quả."))
    previous = dossier.post_waybill, dossier.result_recipient
    if dossier.delivery_method == "post":
        dossier.post_waybill = waybill
    else:
        dossier.result_recipient = recipient
    try:
        return perform_action(dossier, "return_result", actor, note=note or (
            f"Gửi qua bưu chính, vận đơn {waybill}" if waybill else f"Người nhận: {recipient}"))
    except OperationError:
        dossier.post_waybill, dossier.result_recipient = previous  # a refusal leaves the dossier as it was
        raise


def _lock(row) -> None:
    """Take the row's lock and read it afresh, so that a verb checks the state as it is now: of two
    people acting on one dossier (or application) at once, or a double click, the second sees the
    first's decision. What the caller has set on the row is flushed first, so it is kept. (SQLite:
    every transaction holds the database's write lock from its start, which serialises them anyway.)"""
    db.session.flush()
    db.session.refresh(row, with_for_update=True)


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
        if dossier.original_due_at is not None:  # the appointment as it would be without extensions
            dossier.original_due_at = cal.add_working_hours(dossier.original_due_at, paused)
        dossier.paused_at = None
    dossier.holder_agency = holder
    dossier.step_seq += 1
    dossier.step_started_at = now
    if target.is_final:
        dossier.status = _OUTCOME_STATUS[target.outcome]
        dossier.finished_at = now
        dossier.step_due_at = None
        dossier.assignee = None
        plan_reminders(dossier, 0, cal)
        return
    if target.kind == "supplement":
        dossier.status = Status.SUPPLEMENT
        dossier.paused_at = now
        dossier.step_due_at = None
    else:
        dossier.status = Status.PROCESSING
        dossier.step_due_at = cal.add_working_hours(now, target.hours)
    plan_reminders(dossier, target.hours, cal)
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
        raise OperationError(_("Hồ sơ đã kết thúc."))
    if user.agency_id != dossier.holder_agency_id or not user.active:
        raise OperationError(_("Người được giao phải thuộc cơ quan đang giữ hồ sơ."))
    if actor is not None and not (actor.role == Role.SUPERVISOR and actor.agency_id == dossier.holder_agency_id):
        raise OperationError(_("Chỉ lãnh đạo cơ quan đang giữ hồ sơ được phân công lại."))
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


# --- consultation (xin ý kiến): the dossier keeps its step and its one holder -------------------

def can_request_consultation(dossier: Dossier, user: User) -> bool:
    """Staff of the holding agency may ask another agency for its opinion while the dossier is open."""
    return can_act(dossier, user) and user.role != Role.ADMIN


def request_consultation(dossier: Dossier, actor: User, to_agency: Agency, question: str) -> Consultation:
    """Ask ``to_agency`` for its opinion; logs a ``consult`` event without moving the dossier."""
    question = (question or "").strip()
    if not can_request_consultation(dossier, actor):
        raise OperationError(_("Chỉ cơ quan đang giữ hồ sơ được xin ý kiến."))
    if to_agency is None or to_agency.id == dossier.holder_agency_id:
        raise OperationError(_("Chọn một cơ quan khác cơ quan đang giữ hồ sơ để xin ý kiến."))
    if not question:
        raise OperationError(_("Nêu rõ nội dung cần xin ý kiến."))
    waiting = db.session.scalar(select(Consultation.id).where(
        Consultation.dossier_id == dossier.id, Consultation.to_agency_id == to_agency.id, Consultation.is_open))
    if waiting is not None:
        raise OperationError(_("Đã xin ý kiến %(agency)s, đang chờ trả lời.", agency=to_agency.name))
    consultation = Consultation(dossier=dossier, step=dossier.step, from_agency=dossier.holder_agency,
                                to_agency=to_agency, asked_by=actor, question=question, asked_at=clock.now())
    db.session.add(consultation)
    _log(dossier, actor, "consult", dossier.step, dossier.holder_agency, dossier.holder_agency,
         f"Xin ý kiến {to_agency.name}: {question}")
    db.session.flush()
    notify_supervisors(to_agency.id, dossier_id=dossier.id, kind="consultation",
                       message=f"{dossier.holder_agency.name} xin ý kiến về hồ sơ {dossier.code}.",
                       key_prefix=f"consultation:{consultation.id}")
    return consultation


def answer_consultation(consultation: Consultation, actor: User, answer: str) -> Consultation:
    """The consulted agency gives its opinion; logs a ``consult_answer`` event without moving the dossier."""
    answer = (answer or "").strip()
    dossier = consultation.dossier
    if not consultation.is_open:
        raise OperationError(_("Yêu cầu xin ý kiến này đã được trả lời."))
    if not dossier.is_open:
        raise OperationError(_("Hồ sơ đã kết thúc, không cần trả lời xin ý kiến."))
    if not consultation.can_answer(actor):
        raise OperationError(_("Chỉ cán bộ của cơ quan được xin ý kiến được trả lời."))
    if not answer:
        raise OperationError(_("Nhập nội dung trả lời."))
    consultation.answer, consultation.answered_by, consultation.answered_at = answer, actor, clock.now()
    _log(dossier, actor, "consult_answer", dossier.step, consultation.to_agency, dossier.holder_agency,
         f"{consultation.to_agency.name} trả lời: {answer}")
    db.session.flush()
    notify(user_id=consultation.asked_by_id, dossier_id=dossier.id, kind="consultation_answer",
           message=f"{consultation.to_agency.name} đã trả lời xin ý kiến về hồ sơ {dossier.code}.",
           key=f"consultation_answer:{consultation.id}")
    return consultation


# --- apology and extension (slip 04): a new appointment for a late dossier ----------------------

def _local(value: datetime) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y")


def extension_window_open(dossier: Dossier) -> bool:
    """The appointment is past, or at most ``ONESTOP_EXTENSION_WINDOW_HOURS`` working hours away."""
    if dossier.status != Status.PROCESSING:
        return False
    now = clock.now()
    window = current_app.config["ONESTOP_EXTENSION_WINDOW_HOURS"]
    return dossier.due_at <= now or current_calendar().working_hours_between(now, dossier.due_at) <= window


def pending_extension(dossier: Dossier) -> DossierExtension | None:
    return next((e for e in dossier.extensions if e.is_pending), None)


def can_request_extension(dossier: Dossier, user: User) -> bool:
    """Staff of the holding agency, for a late or nearly late dossier with no request waiting."""
    return (can_act(dossier, user) and user.role != Role.ADMIN and extension_window_open(dossier)
            and pending_extension(dossier) is None)


def new_appointment(dossier: Dossier, day: date) -> datetime:
    """The appointment moved to ``day``, at the time of day of the current one (UTC)."""
    at = dossier.due_at.astimezone(VN_TZ).time()
    return datetime.combine(day, at, tzinfo=VN_TZ).astimezone(UTC)


def new_date_problem(dossier: Dossier, day: date | None) -> str | None:
    """Why ``day`` cannot be the new appointment, or None (the form and the verb share this)."""
    if day is None:
        return _("Chọn ngày hẹn trả kết quả mới.")
    current = dossier.due_at.astimezone(VN_TZ).date()
    today = clock.now().astimezone(VN_TZ).date()
    if day <= current or day <= today:
        return _("Ngày hẹn mới phải sau ngày hẹn hiện tại (%(date)s) và sau hôm nay.", date=f"{current:%d/%m/%Y}")
    if (day - today).days > 366:
        return _("Ngày hẹn mới không được quá một năm kể từ hôm nay.")
    if not current_calendar().is_working_day(day):
        return _("Ngày hẹn mới phải là ngày làm việc.")
    return None


def request_extension(dossier: Dossier, actor: User, *, reason: str, new_date: date | None) -> DossierExtension:
    """The holder asks to move the appointment to ``new_date``; the holding agency's supervisors decide."""
    reason = (reason or "").strip()
    if not can_act(dossier, actor) or actor.role == Role.ADMIN:
        raise OperationError(_("Chỉ cơ quan đang giữ hồ sơ được đề nghị gia hạn."))
    if dossier.status != Status.PROCESSING:
        raise OperationError(_("Chỉ gia hạn hồ sơ đang giải quyết (hồ sơ chờ bổ sung đã dừng tính thời gian)."))
    if pending_extension(dossier) is not None:
        raise OperationError(_("Hồ sơ đã có đề nghị gia hạn đang chờ lãnh đạo duyệt."))
    if not extension_window_open(dossier):
        raise OperationError(_("Chỉ đề nghị gia hạn khi hồ sơ đã quá hạn hoặc sắp đến hẹn trả kết quả."))
    if not reason:
        raise OperationError(_("Nêu rõ lý do chậm trễ."))
    problem = new_date_problem(dossier, new_date)
    if problem:
        raise OperationError(problem)
    extension = DossierExtension(
        dossier=dossier, agency=dossier.holder_agency, step=dossier.step, step_seq=dossier.step_seq,
        reason=reason, previous_due_at=dossier.due_at, new_due_at=new_appointment(dossier, new_date),
        requested_by=actor, requested_at=clock.now())
    db.session.add(extension)
    db.session.flush()
    notify_supervisors(dossier.holder_agency_id, dossier_id=dossier.id, kind="extension_requested",
                       message=f"{actor.full_name} đề nghị gia hạn hồ sơ {dossier.code} đến "
                               f"{_local(extension.new_due_at)}.",
                       key_prefix=f"extension_requested:{extension.id}")
    return extension


def _decide(extension: DossierExtension, actor: User) -> None:
    if not extension.is_pending:
        raise OperationError(_("Đề nghị gia hạn này đã được xử lý."))
    if not extension.can_decide(actor):
        raise OperationError(_("Chỉ lãnh đạo cơ quan đang giữ hồ sơ duyệt đề nghị gia hạn."))


def approve_extension(extension: DossierExtension, actor: User, note: str | None = None) -> DossierEvent:
    """Give the dossier its new appointment: ``due_at`` moves, the receipt's stays in ``original_due_at``."""
    _decide(extension, actor)
    dossier = extension.dossier
    if extension.new_due_at <= dossier.due_at:
        raise OperationError(_("Ngày hẹn đề nghị không còn sau ngày hẹn hiện tại; cần đề nghị lại."))
    previous = dossier.due_at
    extension.status = ExtensionStatus.APPROVED
    extension.decided_by, extension.decided_at = actor, clock.now()
    extension.decision_note = (note or "").strip() or None
    if dossier.original_due_at is None:
        dossier.original_due_at = previous
    dossier.due_at = extension.new_due_at
    event = _log(dossier, actor, "extend", dossier.step, dossier.holder_agency, dossier.holder_agency,
                 f"Gia hạn hẹn trả kết quả từ {_local(previous)} đến {_local(dossier.due_at)}. "
                 f"Lý do: {extension.reason}")
    db.session.flush()
    notify(user_id=extension.requested_by_id, dossier_id=dossier.id, kind="extension_approved",
           message=f"Đề nghị gia hạn hồ sơ {dossier.code} đã được duyệt: hẹn trả mới {_local(dossier.due_at)}.",
           key=f"extension_decided:{extension.id}")
    return event


def reject_extension(extension: DossierExtension, actor: User, note: str | None) -> DossierExtension:
    """Refuse the request, with a reason; the appointment stays."""
    _decide(extension, actor)
    note = (note or "").strip()
    if not note:
        raise OperationError(_("Nêu lý do không duyệt đề nghị gia hạn."))
    extension.status = ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, clock.now(), note
    db.session.flush()
    notify(user_id=extension.requested_by_id, dossier_id=extension.dossier_id, kind="extension_rejected",
           message=f"Đề nghị gia hạn hồ sơ {extension.dossier.code} không được duyệt: {note}",
           key=f"extension_decided:{extension.id}")
    return extension


# --- attachments: files the desk and the staff add to a dossier; the dossier does not move ------

def can_attach(dossier: Dossier, user: User) -> bool:
    """The receiving desk and the holding agency's staff, while the dossier is open."""
    return dossier.is_open and user.role != Role.ADMIN and user.agency_id in (
        dossier.receiving_agency_id, dossier.holder_agency_id)


def can_remove_attachment(attachment: Attachment, user: User) -> bool:
    """Whoever uploaded it, or a supervisor of the agency it was uploaded at, while the dossier is open."""
    return (attachment.removed_at is None and attachment.dossier.is_open
            and (attachment.uploaded_by_id == user.id
                 or (user.role == Role.SUPERVISOR and user.agency_id == attachment.agency_id)))


def add_attachment(dossier: Dossier, actor: User, *, filename: str, data: bytes,
                   document: str | None = None) -> Attachment:
    """Store the file under a generated name and record it; the caller discards the file on rollback."""
    if not can_attach(dossier, actor):
        raise OperationError(_("Chỉ bộ phận một cửa tiếp nhận và cơ quan đang giữ hồ sơ được đính kèm tệp."))
    problem = attachment_store.problem(data)
    if problem:
        raise OperationError(problem)
    procedure = engine().procedure(dossier.procedure_code)
    if document and document not in {d.key for d in procedure.documents}:
        raise OperationError(_("Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
    stored = attachment_store.save(data, attachment_store.sniff(data))
    attachment = Attachment(dossier=dossier, stored_name=stored.stored_name,
                            filename=attachment_store.display_name(filename), content_type=stored.content_type,
                            size=stored.size, sha256=stored.sha256, document=document or None,
                            uploaded_by=actor, agency_id=actor.agency_id, uploaded_at=clock.now())
    db.session.add(attachment)
    _log(dossier, actor, "attach", dossier.step, dossier.holder_agency, dossier.holder_agency,
         f"Đính kèm tệp {attachment.filename}")
    db.session.flush()
    return attachment


def remove_attachment(attachment: Attachment, actor: User) -> DossierEvent:
    """Take the file off the dossier's list; the file and its row stay for the record."""
    if not can_remove_attachment(attachment, actor):
        raise OperationError(_("Chỉ người đã đính kèm tệp hoặc lãnh đạo cơ quan đó được gỡ tệp khi hồ sơ đang giải quyết."))
    attachment.removed_at = clock.now()
    attachment.removed_by_id = actor.id
    dossier = attachment.dossier
    event = _log(dossier, actor, "detach", dossier.step, dossier.holder_agency, dossier.holder_agency,
                 f"Gỡ tệp đính kèm {attachment.filename}")
    db.session.flush()
    return event


# --- online applications: the desk accepts one (it becomes a dossier) or refuses it -------------

def _decide_application(application: OnlineApplication, actor: User) -> None:
    """Check, under the application's row lock, that it still waits (``_lock``)."""
    _lock(application)
    if not application.is_waiting:
        raise OperationError(_("Hồ sơ trực tuyến %(reference)s đã được xử lý (%(status)s).",
                               reference=application.reference, status=application.status_label))
    if not application.can_see(actor):
        raise OperationError(_("Chỉ cán bộ bộ phận một cửa nơi công dân chọn được tiếp nhận hồ sơ trực tuyến này."))


def accept_online_application(application: OnlineApplication, actor: User, documents: list[str]) -> Dossier:
    """Receive the application as a dossier of the ``online`` channel, as of now: its code,
    appointment and deadlines count from the acceptance, not from the filing. ``documents`` are
    the checklist documents the clerk found in order. The citizen's files become the dossier's
    attachments (no uploader: the citizen), pointing to the files already stored."""
    _decide_application(application, actor)
    procedure = engine().procedure(application.procedure_code)
    missing = [d.name for d in procedure.required_documents() if d.key not in documents]
    if missing:
        raise OperationError(_("Còn thiếu giấy tờ bắt buộc: %(documents)s", documents="; ".join(missing)))
    dossier = receive_dossier(
        actor, procedure_code=application.procedure_code, documents=documents,
        applicant=Applicant(name=application.applicant_name, id_number=application.applicant_id_number,
                            phone=application.applicant_phone, address=application.applicant_address,
                            email=application.applicant_email),
        delivery_method=application.delivery_method, channel=Channel.ONLINE,
        note=f"Nộp trực tuyến, mã {application.reference}")
    for file in application.files:
        db.session.add(Attachment(
            dossier=dossier, stored_name=file.stored_name, filename=file.filename, content_type=file.content_type,
            size=file.size, sha256=file.sha256, document=file.document, uploaded_by=None,
            agency_id=application.desk_agency_id, uploaded_at=application.submitted_at))
    application.status = ApplicationStatus.ACCEPTED
    application.decided_by, application.decided_at, application.dossier = actor, dossier.received_at, dossier
    _tell_applicant(application)
    db.session.flush()
    return dossier


def refuse_online_application(application: OnlineApplication, actor: User, reason: str) -> OnlineApplication:
    """Refuse to receive the application, with the reason the citizen will read; nothing else moves."""
    _decide_application(application, actor)
    reason = (reason or "").strip()
    if not reason:
        raise OperationError(_("Nêu lý do từ chối tiếp nhận."))
    application.status = ApplicationStatus.REFUSED
    application.decided_by, application.decided_at, application.refusal_reason = actor, clock.now(), reason
    _tell_applicant(application)
    db.session.flush()
    return application


def _tell_applicant(application: OnlineApplication) -> None:
    """The citizen who gave an e-mail address hears of the decision (``notifications/applicant_mail.py``)."""
    if application.applicant_email:
        db.session.flush()
        enqueue(APPLICANT_MAIL_TASK, application_id=application.id)
