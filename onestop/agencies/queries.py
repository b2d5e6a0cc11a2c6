"""Set-based reads for the staff inbox and the desk queue: each tab is one SQL predicate, and
all tab counts come from one aggregate query."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, tuple_

from onestop.auth.models import User
from onestop.dossiers.consultations import Consultation
from onestop.dossiers.models import OPEN_STATUSES, Dossier, DossierEvent, Status
from onestop.extensions import db
from onestop.notifications.models import Notification
from onestop.public.online_models import ApplicationStatus, OnlineApplication
from onestop.workflows.engine import Engine


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    predicate: ColumnElement[bool]
    #: what the tab lists: dossiers, or the online applications waiting at the desk
    source: type = Dossier
    #: the template of the list's rows, when they are not dossiers
    rows: str | None = None


def _steps_where(engine: Engine, test) -> ColumnElement[bool]:
    """Dossiers standing at a step (of any procedure) for which ``test(step)`` holds."""
    pairs = [(p.code, s.key) for p in engine.procedures() for s in p.steps if test(s)]
    return tuple_(Dossier.procedure_code, Dossier.step).in_(pairs) if pairs else false()


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
    return [
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


def desk_tabs(user: User, engine: Engine) -> list[Tab]:
    """Tabs of the reception desk: what to forward, what to hand back, what waits for the citizen."""
    # the desk's own steps only: a district's or department's desk shares its agency with the
    # officers, whose steps are their inbox's, not the desk's
    at_desk = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status.in_(OPEN_STATUSES),
                   _steps_where(engine, lambda s: s.role == "clerk"))
    waiting_online = and_(OnlineApplication.desk_agency_id == user.agency_id,
                          OnlineApplication.status == ApplicationStatus.SUBMITTED)
    return [
        Tab("online", _("Trực tuyến chờ tiếp nhận"), waiting_online, OnlineApplication, "desk/_online_rows.html"),
        Tab("to_forward", _("Chờ chuyển xử lý"), and_(at_desk, Dossier.status == Status.PROCESSING,
                                                       _steps_where(engine, lambda s: s.action("forward")))),
        Tab("to_return", _("Chờ trả kết quả"), and_(at_desk, _steps_where(engine, lambda s: s.action("return_result")))),
        Tab("supplement", _("Chờ bổ sung"), and_(at_desk, Dossier.status == Status.SUPPLEMENT)),
        Tab("all", _("Tất cả tại quầy"), at_desk),
    ]


def tab_counts(tabs: list[Tab], procedure_code: str | None = None) -> dict[str, int]:
    """Every tab's count in one statement, a ``count(*)`` subquery per tab.

    Each subquery is planned on its own predicate, so it reads the tab's rows through its indexes
    (an agency's open dossiers, a user's assignments, the consultations to the agency). One pass
    summing a ``CASE`` per tab would instead read every dossier ever received, closed ones included,
    and evaluate every tab's subqueries on each.
    """
    columns = []
    for t in tabs:
        query = select(func.count()).select_from(t.source).where(t.predicate)
        if procedure_code is not None:
            query = query.where(t.source.procedure_code == procedure_code)
        columns.append(query.scalar_subquery().label(t.key))
    return {key: int(value) for key, value in db.session.execute(select(*columns)).one()._mapping.items()}
