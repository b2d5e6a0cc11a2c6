"""Recording and cancelling absences (the model, and what reads it, are in ``auth/absences.py``).

An officer or supervisor records their own absence; a supervisor records one for the staff of their
agency subtree; an admin for anyone. The stand-in is an active officer or supervisor of the same
agency, not away themselves at the same time. An absence never overlaps another of the same person.
Cancelling ends it at once (an absence not started yet is simply called off); it is kept, as history is.
"""
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from onestop.auth.absences import Absence, span
from onestop.auth.models import Role, User
from onestop.auth.operations import in_agency_scope
from onestop.core import audit, clock
from onestop.core.calendar import VN_TZ
from onestop.core.errors import OperationError
from onestop.extensions import db

#: who can be away with a stand-in (the roles that hold steps in the inbox)
ABSENT_ROLES = (Role.OFFICER, Role.SUPERVISOR)
MAX_DAYS = 366


def may_record_for(actor: User, user: User) -> bool:
    if not (actor.active and user.role in ABSENT_ROLES):
        return False
    if actor.id == user.id or actor.role == Role.ADMIN:
        return True
    return actor.role == Role.SUPERVISOR and in_agency_scope(actor, user.agency)


def stand_in_candidates(user: User) -> list[User]:
    """Who may stand in for ``user``: active officers and supervisors of the same agency."""
    return list(db.session.scalars(select(User).where(
        User.agency_id == user.agency_id, User.active, User.role.in_(ABSENT_ROLES), User.id != user.id)
        .order_by(User.full_name)))


def _overlapping(user_id_column, starts_at, ends_at):
    return select(Absence.id).where(user_id_column, Absence.cancelled_at.is_(None),
                                    Absence.starts_at < ends_at, Absence.ends_at > starts_at).limit(1)


def record_absence(actor: User, user: User, *, stand_in: User | None, starts_on: date, ends_on: date,
                   reason: str) -> Absence:
    if not may_record_for(actor, user):
        raise OperationError(_("Bạn không thể ghi vắng mặt cho người này."))
    if stand_in is None or stand_in.id == user.id or stand_in.agency_id != user.agency_id or not stand_in.active \
            or stand_in.role not in ABSENT_ROLES:
        raise OperationError(_("Người thay phải là chuyên viên hoặc lãnh đạo đang hoạt động của cùng đơn vị."))
    reason = "".join(ch for ch in (reason or "") if ch.isprintable() or ch in "\n\t").strip()
    if not reason:
        raise OperationError(_("Nhập lý do vắng mặt."))
    today = clock.now().astimezone(VN_TZ).date()
    if ends_on < starts_on:
        raise OperationError(_("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
    if ends_on < today:
        raise OperationError(_("Không ghi vắng mặt đã qua."))
    if (ends_on - starts_on).days >= MAX_DAYS or starts_on > today + timedelta(days=MAX_DAYS):
        raise OperationError(_("Vắng mặt tối đa %(n)s ngày, bắt đầu trong vòng một năm.", n=MAX_DAYS))
    starts_at, ends_at = span(starts_on, ends_on)
    if db.session.scalar(_overlapping(Absence.user_id == user.id, starts_at, ends_at)) is not None:
        raise OperationError(_("%(name)s đã có lịch vắng mặt trùng thời gian này.", name=user.full_name))
    if db.session.scalar(_overlapping(Absence.user_id == stand_in.id, starts_at, ends_at)) is not None:
        raise OperationError(_("Người thay %(name)s cũng vắng mặt trong thời gian này.", name=stand_in.full_name))
    if db.session.scalar(_overlapping(Absence.stand_in_id == user.id, starts_at, ends_at)) is not None:
        raise OperationError(_("%(name)s đang là người thay cho đồng nghiệp trong thời gian này.", name=user.full_name))
    absence = Absence(user_id=user.id, stand_in_id=stand_in.id, starts_on=starts_on, ends_on=ends_on,
                      starts_at=starts_at, ends_at=ends_at, reason=reason[:2000], created_by_id=actor.id)
    db.session.add(absence)
    db.session.flush()
    audit.record("absence.create", actor=actor, target=f"user:{user.id}", after=absence.snapshot())
    return absence


def cancel_absence(actor: User, absence: Absence) -> bool:
    """End it now (or call it off); True when it was still to come or in force."""
    user = db.session.get(User, absence.user_id)
    if not may_record_for(actor, user):
        raise OperationError(_("Bạn không thể sửa lịch vắng mặt này."))
    if absence.is_over:
        return False
    absence.cancelled_at, absence.cancelled_by_id = clock.now(), actor.id
    db.session.flush()
    audit.record("absence.cancel", actor=actor, target=f"user:{user.id}", before=absence.snapshot())
    return True
