"""The staff inbox's tabs: dossiers the user's agency holds (or waits on), each tab one predicate."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_

from onestop.auth.absences import standing_in_for
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.dossiers.lists import Tab
from onestop.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent, Status
from onestop.dossiers.notices import Notification


def inbox_tabs(user: User, now: datetime, due_soon_until: datetime) -> list[Tab]:
    """Tabs of the staff inbox: dossiers the user's agency holds (or waits on)."""
    held = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status.in_(OPEN_STATUSES))
    processing = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status == Status.PROCESSING)
    unread_assignment = exists().where(
        Notification.dossier_id == Dossier.id, Notification.user_id == user.id,
        Notification.kind == "assigned", Notification.read_at.is_(None))
    asked_by_us = exists().where(
        DossierEvent.dossier_id == Dossier.id, DossierEvent.action == "request_supplement",
        DossierEvent.from_agency_id == user.agency_id)
    consulted = exists().where(  # requests for our opinion, not answered yet
        Consultation.dossier_id == Dossier.id, Consultation.to_agency_id == user.agency_id, Consultation.is_open)
    tabs = [
        Tab("new", _("Mới giao cho tôi"), and_(held, Dossier.assignee_id == user.id, unread_assignment)),
        Tab("mine", _("Tôi đang xử lý"), and_(held, Dossier.assignee_id == user.id)),
        Tab("due_soon", _("Sắp đến hạn"), and_(processing, Dossier.step_due_at > now,
                                              Dossier.step_due_at <= due_soon_until)),
        Tab("overdue", _("Quá hạn"), and_(processing, or_(Dossier.step_due_at <= now, Dossier.due_at <= now))),
        Tab("waiting", _("Chờ công dân bổ sung"), and_(
            Dossier.status == Status.SUPPLEMENT,
            or_(Dossier.holder_agency_id == user.agency_id, asked_by_us))),
        Tab("consulted", _("Xin ý kiến"), and_(Dossier.status.in_(OPEN_STATUSES), consulted)),
        Tab("all", _("Cả đơn vị"), held),
    ]
    absent = standing_in_for(user.id, now)
    if absent:  # while the user stands in for someone: their open dossiers, in a tab of their own
        names = ", ".join(a.full_name for a in absent)
        tabs.insert(2, Tab("standing_in", _("Thay mặt %(names)s", names=names),
                           and_(held, Dossier.assignee_id.in_([a.id for a in absent]))))
    return tabs
