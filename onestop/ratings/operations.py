"""Rating a dossier: once, when its result has been handed back.

The rater is the citizen, not a user: the verb goes through the door with no actor (the dossier's
lock, no permission to ask), and checks under that lock that the dossier is finished with its
result and not rated yet; the primary key on the dossier is the last line of defence."""
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier, Status
from onestop.extensions import db
from onestop.ratings.models import BAD_REASONS, CHANNELS, GOOD_REASONS, Rating


def rating_of(dossier: Dossier) -> Rating | None:
    return db.session.get(Rating, dossier.id)


def may_be_rated(dossier: Dossier) -> bool:
    return dossier.status == Status.DONE and rating_of(dossier) is None


@verb("rate", refused=_l("Hồ sơ này không đánh giá được."))
def rate(dossier: Dossier, actor: None, *, satisfied: bool, reasons: list[str], comment: str | None,
         via: str) -> Rating:
    if dossier.status != Status.DONE:
        raise OperationError(_("Chỉ đánh giá được hồ sơ đã trả kết quả."))
    if rating_of(dossier) is not None:
        raise OperationError(_("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."))
    allowed = GOOD_REASONS if satisfied else BAD_REASONS
    unknown = set(reasons) - set(allowed)
    if unknown or via not in CHANNELS:
        raise OperationError(_("Lý do không hợp lệ."))
    comment = "".join(ch for ch in (comment or "") if unicodedata.category(ch) != "Cc" or ch == "\n").strip()
    rating = Rating(dossier_id=dossier.id, dossier=dossier, satisfied=satisfied,
                    reasons=[key for key in allowed if key in set(reasons)], comment=comment[:1000] or None, via=via,
                    rated_at=clock.now(), receiving_agency_id=dossier.receiving_agency_id,
                    procedure_code=dossier.procedure_code)
    db.session.add(rating)
    db.session.flush()
    return rating
