"""The desk's own verb: the refusal's slip handed to the citizen.

A refused dossier is closed, but the desk still owes the citizen the refusal slip (03) with its
reason; until it records the hand-over the dossier waits in the desk's "refused" tab.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists

from onestop.auth.models import User
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import log_stay
from onestop.extensions import db

HANDED = "refusal_handed"


def refusal_handed(dossier_id=Dossier.id):
    """SQL: the refusal of the dossier was handed over."""
    return exists().where(DossierEvent.dossier_id == dossier_id, DossierEvent.action == HANDED)


@verb("hand_refusal", refused=_l("Chỉ bộ phận một cửa nơi tiếp nhận giao phiếu từ chối của hồ sơ đã bị từ chối."))
def hand_refusal(dossier: Dossier, actor: User, note: str | None = None) -> DossierEvent:
    if db.session.scalar(refusal_handed(dossier.id).select()):
        raise OperationError(_("Phiếu từ chối của hồ sơ này đã được giao."))
    event = log_stay(dossier, actor, HANDED, (note or "").strip() or "Đã giao phiếu từ chối cho người nộp.")
    db.session.flush()
    return event
