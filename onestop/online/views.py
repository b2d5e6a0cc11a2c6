"""Online submission (nộp hồ sơ trực tuyến), no login: a citizen files an application for a
procedure of service level 3 or 4 with a desk that can receive it; the desk accepts or refuses it.

Two steps on one address: ``GET`` without a procedure lists the procedures; with ``?procedure=``
it shows that procedure's form (the desks that receive it, a file input per checklist document).
A refused submission saves nothing and leaves no file; successful ones are throttled per address.
"""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from onestop.auth.access import access
from onestop.core import storage
from onestop.core.submit import submit as submit_verb
from onestop.core.throttle import MAX_SUBMISSIONS, is_blocked, record, submission_key
from onestop.dossiers.forms import detail_field_name
from onestop.extensions import db
from onestop.online.forms import OnlineApplicationForm, file_field_name
from onestop.online.operations import discard_files, online_offer, submit_application

bp = Blueprint("online", __name__, url_prefix="/nop-truc-tuyen")

BLOCKED = _l("Bạn đã nộp quá nhiều hồ sơ trong thời gian ngắn. Vui lòng thử lại sau 15 phút.")


@bp.route("/", methods=["GET", "POST"])
@access("public")
def submit():
    offer = online_offer()
    chosen = {"procedure_code": request.args.get("procedure", "")} if request.method == "GET" else {}
    form = OnlineApplicationForm(offer.procedures, offer.desks, request.files, **chosen)
    procedure = form.procedure
    if request.method == "GET" or procedure is None:
        return _page(form, offer, procedure, 200 if request.method == "GET" else 422)
    client = submission_key(request.remote_addr or "unknown")
    if is_blocked(client, MAX_SUBMISSIONS):
        return _page(form, offer, procedure, 429, message=BLOCKED)
    if not form.validate() or form.detail_errors:
        return _page(form, offer, procedure, 422)
    stored: list[str] = []

    def file_it():
        application = submit_application(procedure_code=procedure.code, desk_id=int(form.desk_id.data),
                                         applicant=form.applicant, delivery_method=form.delivery_method.data,
                                         uploads=form.uploads, details=form.details, stored=stored)
        record(client)
        return application

    def done(application):
        session["online_reference"] = application.reference
        return redirect(url_for("online.submitted"))

    try:
        return submit_verb(file_it, then=done, otherwise=lambda reason: _page(form, offer, procedure, 422, message=reason),
                           cleanup=lambda: discard_files(stored))
    except Exception:  # the commit failed: the stored files of what was never committed go too
        db.session.rollback()
        discard_files(stored)
        raise


def _page(form, offer, procedure, status: int, message: str | None = None):
    return render_template("online/submit.html", form=form, procedures=offer.procedures, procedure=procedure,
                           file_field_name=file_field_name, detail_field_name=detail_field_name, message=message,
                           accept=",".join("." + e for e in storage.ALLOWED_EXTENSIONS)), status


@bp.get("/da-nop")
@access("public")
def submitted():
    """The reference of the application this browser just filed, and what happens next."""
    reference = session.get("online_reference")
    if not reference:
        return redirect(url_for("online.submit"))
    return render_template("online/submitted.html", reference=reference)
