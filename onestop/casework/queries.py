"""The staff inbox's tabs: dossiers the user's agency holds (or waits on), each tab one predicate.

Who works on a dossier and when its step is due are read from its open step visit
(``dossiers/visits.py``), through the visits' partial indexes on the assignee and on the agency's
due times."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_

from onestop.auth.absences import standing_in_for
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.dossiers.lists import Tab
from onestop.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent, Status
from onestop.dossiers.notices import Notification
from onestop.dossiers.visits import StepVisit, in_open_visit


def inbox_tabs(user: User, now: datetime, due_soon_until: datetime) -> list[Tab]:
    """Tabs of the staff inbox: dossiers the user's agency holds (or waits on)."""
    held = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status.in_(OPEN_STATUSES))
    processing = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status == Status.PROCESSING)
    mine = in_open_visit(StepVisit.assignee_id == user.id)
    here = StepVisit.agency_id == user.agency_id
    unread_assignment = exists().where(
        Notification.dossier_id == Dossier.id, Notification.user_id == user.id,
        Notification.kind == "assigned", Notification.read_at.is_(None))
    asked_by_us = exists().where(
        DossierEvent.dossier_id == Dossier.id, DossierEvent.action == "request_supplement",
        DossierEvent.from_agency_id == user.agency_id)
    consulted = exists().where(  # requests for our opinion, not answered yet
        Consultation.dossier_id == Dossier.id, Consultation.to_agency_id == user.agency_id, Consultation.is_open)
    tabs = [
        Tab("new", _("Mới giao cho tôi"), and_(held, mine, unread_assignment)),
        Tab("mine", _("Tôi đang xử lý"), and_(held, mine)),
        Tab("due_soon", _("Sắp đến hạn"), and_(processing, in_open_visit(
            here, StepVisit.due_at > now, StepVisit.due_at <= due_soon_until))),
        Tab("overdue", _("Quá hạn"), and_(processing, or_(in_open_visit(here, StepVisit.due_at <= now),
                                                         Dossier.due_at <= now))),
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
                           and_(held, in_open_visit(StepVisit.assignee_id.in_([a.id for a in absent])))))
    return tabs
