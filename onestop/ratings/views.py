"""The rating page the desk turns toward the citizen when the result is handed back: no staff
menus on it, two big answers, the reasons, a comment; once per dossier."""
from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user

from onestop.auth.access import access
from onestop.auth.models import Role
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier, Status
from onestop.dossiers.page import panel
from onestop.dossiers.scope import get_dossier_or_404
from onestop.ratings.forms import RatingForm
from onestop.ratings.models import BAD_REASONS, GOOD_REASONS
from onestop.ratings.operations import rate, rating_of
from onestop.workflows.engine import engine

bp = Blueprint("ratings", __name__)


def _desk_dossier(dossier_id: int) -> Dossier:
    dossier = get_dossier_or_404(current_user, dossier_id)
    if current_user.role != Role.CLERK or current_user.agency_id != dossier.receiving_agency_id:
        abort(404)
    return dossier


@panel("ratings/_panel.html", order=90)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    """The rating, or (a desk clerk, a result handed back) the link to the page for the citizen."""
    rating = rating_of(dossier)
    at_desk = user.role == Role.CLERK and user.agency_id == dossier.receiving_agency_id
    link = url_for("ratings.kiosk", dossier_id=dossier.id) if (
        rating is None and at_desk and dossier.status == Status.DONE) else None
    return {"rating": rating, "rating_link": link, "reason_labels": {**GOOD_REASONS, **BAD_REASONS}}


@bp.route("/desk/dossiers/<int:dossier_id>/danh-gia", methods=["GET", "POST"])
@access("receiving_desk")
def kiosk(dossier_id: int):
    dossier = _desk_dossier(dossier_id)
    form = RatingForm()
    procedure = engine().of(dossier)

    def page(status: int = 200, error: str | None = None, thanks: bool = False):
        return render_template("ratings/kiosk.html", dossier=dossier, procedure=procedure, form=form, error=error,
                               rating=rating_of(dossier), thanks=thanks, good=GOOD_REASONS, bad=BAD_REASONS), status

    if not form.is_submitted():
        return page()
    if not form.validate():
        return page(422)
    return submit(lambda: rate(dossier, None, satisfied=form.satisfied.data == "yes", reasons=form.reasons.data or [],
                               comment=form.comment.data, via="desk"),
                  then=lambda _rating: page(thanks=True),
                  otherwise=lambda reason: page(422, error=reason))
