"""The reception desk's tabs: what to forward, what to hand back, what waits for the citizen."""
from flask_babel import gettext as _
from sqlalchemy import and_

from onestop.auth.models import User
from onestop.desk.operations import refusal_handed
from onestop.dossiers.lists import Tab, steps_where
from onestop.dossiers.models import OPEN_STATUSES, Dossier, Status
from onestop.online.models import ApplicationStatus, OnlineApplication
from onestop.workflows.engine import Engine


def desk_tabs(user: User, engine: Engine) -> list[Tab]:
    """Tabs of the reception desk: what to forward, what to hand back, what waits for the citizen."""
    # the desk's own steps only: a district's or department's desk shares its agency with the
    # officers, whose steps are their inbox's, not the desk's
    at_desk = and_(Dossier.holder_agency_id == user.agency_id, Dossier.status.in_(OPEN_STATUSES),
                   steps_where(engine, lambda s: s.role == "clerk"))
    waiting_online = and_(OnlineApplication.desk_agency_id == user.agency_id,
                          OnlineApplication.status == ApplicationStatus.SUBMITTED)
    return [
        Tab("online", _("Trực tuyến chờ tiếp nhận"), waiting_online, OnlineApplication, "online/_desk_rows.html"),
        Tab("to_forward", _("Chờ chuyển xử lý"), and_(at_desk, Dossier.status == Status.PROCESSING,
                                                       steps_where(engine, lambda s: s.action("forward")))),
        Tab("to_return", _("Chờ trả kết quả"), and_(at_desk, steps_where(engine, lambda s: s.action("return_result")))),
        Tab("supplement", _("Chờ bổ sung"), and_(at_desk, Dossier.status == Status.SUPPLEMENT)),
        # closed, but the citizen is still owed the refusal slip (03): until the desk records it
        Tab("refused", _("Từ chối — chờ giao phiếu"), and_(
            Dossier.receiving_agency_id == user.agency_id, Dossier.status == Status.REFUSED, ~refusal_handed())),
        Tab("all", _("Tất cả tại quầy"), at_desk),
    ]
