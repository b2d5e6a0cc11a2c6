"""Online submission (nộp hồ sơ trực tuyến), no login: a citizen files an application for a
procedure of service level 3 or 4 with a desk that can receive it; the desk accepts or refuses it.

Two steps on one address: ``GET`` without a procedure lists the procedures; with ``?procedure=``
it shows that procedure's form (the desks that receive it, a file input per checklist document).
A refused submission saves nothing and leaves no file; successful ones are throttled per address.
"""
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from onestop.dossiers import attachment_store
from onestop.dossiers.operations import Applicant, OperationError
from onestop.extensions import db
from onestop.public.online_forms import OnlineApplicationForm, file_field_name
from onestop.public.online_operations import discard_files, online_offer, submit_application
from onestop.public.throttle import MAX_SUBMISSIONS, is_blocked, record, submission_key

bp = Blueprint("online", __name__, url_prefix="/nop-truc-tuyen")

BLOCKED = _l("Bạn đã nộp quá nhiều hồ sơ trong thời gian ngắn. Vui lòng thử lại sau 15 phút.")


@bp.route("/", methods=["GET", "POST"])
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
    if not form.validate():
        return _page(form, offer, procedure, 422)
    application = None
    try:
        application = submit_application(
            procedure_code=procedure.code, desk_id=int(form.desk_id.data),
            applicant=Applicant(name=form.applicant_name.data.strip(), id_number=form.applicant_id_number.data,
                                phone=form.applicant_phone.data, address=form.applicant_address.data.strip(),
                                email=form.applicant_email.data or None),
            delivery_method=form.delivery_method.data, uploads=form.uploads)
        record(client)
        db.session.commit()
    except OperationError as exc:
        db.session.rollback()
        return _page(form, offer, procedure, 422, message=str(exc))
    except Exception:
        db.session.rollback()
        if application is not None:
            discard_files(application)
        raise
    session["online_reference"] = application.reference
    return redirect(url_for("online.submitted"))


def _page(form, offer, procedure, status: int, message: str | None = None):
    return render_template("public/online.html", form=form, procedures=offer.procedures, procedure=procedure,
                           file_field_name=file_field_name, message=message,
                           accept=",".join("." + e for e in attachment_store.ALLOWED_EXTENSIONS)), status


@bp.get("/da-nop")
def submitted():
    """The reference of the application this browser just filed, and what happens next."""
    reference = session.get("online_reference")
    if not reference:
        return redirect(url_for("online.submit"))
    return render_template("public/online_submitted.html", reference=reference)
