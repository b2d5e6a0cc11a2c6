"""Apology and extension (slip 04): the holder asks for a new appointment, a supervisor decides.

Only an approval moves ``Dossier.due_at``; the first one keeps the receipt's appointment in
``Dossier.original_due_at``. All three verbs go through the dossier's door, so a double click or
two supervisors deciding at once decide once.
"""
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import gettext as _

from onestop.auth.models import User
from onestop.core import clock
from onestop.core.calendar import VN_TZ, local_time_text
from onestop.core.errors import OperationError
from onestop.core.workdays import current_calendar
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.dossiers.notices import notify, notify_supervisors
from onestop.dossiers.operations import log_stay
from onestop.extension_requests.models import DossierExtension, ExtensionStatus
from onestop.extensions import db

RECORD_TIME = "%H:%M %d/%m/%Y"


def extension_window_open(dossier: Dossier) -> bool:
    """The appointment is past, or at most ``ONESTOP_EXTENSION_WINDOW_HOURS`` working hours away."""
    if dossier.status != Status.PROCESSING:
        return False
    now = clock.now()
    window = current_app.config["ONESTOP_EXTENSION_WINDOW_HOURS"]
    return dossier.due_at <= now or current_calendar().working_hours_between(now, dossier.due_at) <= window


def pending_extension(dossier: Dossier) -> DossierExtension | None:
    return next((e for e in dossier.extensions if e.is_pending), None)


def may_request_extension(dossier: Dossier, user: User) -> bool:
    """Whether to offer the request: the user may, the dossier is late or nearly, none is waiting."""
    return (dossier.can_request_extension(user) and extension_window_open(dossier)
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


def _why_not_request(dossier: Dossier, actor: User) -> str:
    if dossier.can_act(actor) and dossier.status != Status.PROCESSING:
        return _("Chỉ gia hạn hồ sơ đang giải quyết (hồ sơ chờ bổ sung đã dừng tính thời gian).")
    return _("Chỉ cơ quan đang giữ hồ sơ được đề nghị gia hạn.")


@verb("request_extension", refused=_why_not_request)
def request_extension(dossier: Dossier, actor: User, *, reason: str, new_date: date | None) -> DossierExtension:
    """The holder asks to move the appointment to ``new_date``; the holding agency's supervisors decide."""
    reason = (reason or "").strip()
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
                               f"{local_time_text(extension.new_due_at, RECORD_TIME)}.",
                       key_prefix=f"extension_requested:{extension.id}")
    return extension


def _why_not_decide(extension: DossierExtension, actor: User) -> str:
    if not extension.is_pending:
        return _("Đề nghị gia hạn này đã được xử lý.")
    return _("Chỉ lãnh đạo cơ quan đang giữ hồ sơ duyệt đề nghị gia hạn.")


@verb("decide", refused=_why_not_decide)
def approve_extension(extension: DossierExtension, actor: User, note: str | None = None) -> DossierEvent:
    """Give the dossier its new appointment: ``due_at`` moves, the receipt's stays in ``original_due_at``."""
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
    event = log_stay(dossier, actor, "extend",
                     f"Gia hạn hẹn trả kết quả từ {local_time_text(previous, RECORD_TIME)} đến "
                     f"{local_time_text(dossier.due_at, RECORD_TIME)}. Lý do: {extension.reason}")
    db.session.flush()
    notify(user_id=extension.requested_by_id, dossier_id=dossier.id, kind="extension_approved",
           message=f"Đề nghị gia hạn hồ sơ {dossier.code} đã được duyệt: hẹn trả mới "
                   f"{local_time_text(dossier.due_at, RECORD_TIME)}.",
           key=f"extension_decided:{extension.id}")
    return event


@verb("decide", refused=_why_not_decide)
def reject_extension(extension: DossierExtension, actor: User, note: str | None) -> DossierExtension:
    """Refuse the request, with a reason; the appointment stays."""
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
