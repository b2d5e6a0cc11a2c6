"""The reception desk: intake of walk-in dossiers, the receipt, the desk's own queue."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from onestop.agencies.lists import tabbed_list
from onestop.agencies.queries import desk_tabs
from onestop.auth.models import Role
from onestop.auth.scope import get_dossier_or_404
from onestop.dossiers.forms import IntakeForm, ReturnResultForm
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import (
    Applicant,
    OperationError,
    engine,
    intake_problems,
    receive_dossier,
    return_result,
)
from onestop.dossiers.slip_views import slip_page
from onestop.extensions import db
from onestop.web import local_date

bp = Blueprint("desk", __name__, url_prefix="/desk")


def _require_clerk() -> None:
    if current_user.role != Role.CLERK or not current_user.agency.has_desk:
        abort(404)


@bp.get("/")
@login_required
def queue():
    """The desk's own queue: new dossiers to forward, results to return, supplements awaited."""
    _require_clerk()
    return tabbed_list(desk_tabs(current_user, engine()), "desk/queue.html", "desk.queue", default="to_forward")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def intake():
    _require_clerk()
    refused = intake_problems(current_user.agency)  # steps that would have no agency from this desk
    procedures = {p.code: p for p in engine().procedures() if p.code not in refused}
    form = IntakeForm(procedures)
    if request.method == "GET" and request.args.get("procedure") in procedures:
        form.procedure_code.data = request.args["procedure"]
    if form.validate_on_submit():
        try:
            dossier = receive_dossier(
                current_user, procedure_code=form.procedure_code.data,
                applicant=Applicant(name=form.applicant_name.data.strip(),
                                    id_number=form.applicant_id_number.data,
                                    phone=form.applicant_phone.data,
                                    address=form.applicant_address.data.strip(),
                                    email=form.applicant_email.data or None),
                documents=form.documents.data, delivery_method=form.delivery_method.data,
                note=form.note.data)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.code), "success")
            return redirect(url_for("desk.receipt", dossier_id=dossier.id))
    status = 422 if form.errors else 200
    return render_template("desk/intake.html", form=form, procedures=procedures), status


@bp.get("/dossiers/<int:dossier_id>/receipt")
@login_required
def receipt(dossier_id: int):
    """Slip 01: receipt and appointment (giấy tiếp nhận hồ sơ và hẹn trả kết quả), print-ready."""
    return slip_page(dossier_id, "01")


@bp.post("/dossiers/<int:dossier_id>/return")
@login_required
def return_to_citizen(dossier_id: int):
    """Record who collected the result (or the post waybill) and close the dossier."""
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = ReturnResultForm()
    if form.validate_on_submit():
        try:
            return_result(dossier, current_user, recipient=form.recipient.data, waybill=form.waybill.data,
                          note=form.note.data)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã trả kết quả hồ sơ %(code)s.", code=dossier.code), "success")
            return redirect(url_for("desk.queue"))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id))


@bp.get("/api/citizens/<id_number>")
@login_required
def citizen(id_number: str):
    """A returning citizen's details from their latest dossier, to pre-fill intake (exact ID only)."""
    _require_clerk()
    if not (len(id_number) == 12 and id_number.isdigit()):
        return jsonify(error={"code": 400, "message": _("Số định danh cá nhân gồm đúng 12 chữ số.")}), 400
    latest = db.session.scalar(select(Dossier).where(Dossier.applicant_id_number == id_number)
                               .order_by(Dossier.received_at.desc()).limit(1))
    if latest is None:
        return jsonify(error={"code": 404, "message": _("Chưa có hồ sơ của công dân này.")}), 404
    return jsonify(name=latest.applicant_name, phone=latest.applicant_phone, email=latest.applicant_email,
                   address=latest.applicant_address, last_received=local_date(latest.received_at))
