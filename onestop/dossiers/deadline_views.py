"""Apology and extension (slip 04): the holder's request and the supervisor's decision; the clock helpers
the dossier page uses. Every change goes through ``operations.py``; a dossier out of scope is a 404."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from onestop.auth.scope import get_dossier_or_404
from onestop.dossiers.deadlines import clock_of, working_time
from onestop.dossiers.extension_forms import ExtensionDecisionForm, ExtensionRequestForm
from onestop.dossiers.extensions_model import DossierExtension, latest_approved
from onestop.dossiers.operations import (
    OperationError,
    approve_extension,
    can_request_extension,
    engine,
    extension_window_open,
    pending_extension,
    reject_extension,
    request_extension,
)
from onestop.extensions import db

bp = Blueprint("deadlines", __name__)


@bp.app_context_processor
def deadline_helpers() -> dict:
    """For the dossier page's clock (``agencies/_clock.html``)."""
    return {"dossier_clock": clock_of, "can_request_extension": can_request_extension,
            "pending_extension": pending_extension, "latest_extension": latest_approved}


@bp.app_template_filter("working_time")
def _working_time(hours: float | None) -> str:
    return working_time(hours)


def _extension_or_404(dossier_id: int, extension_id: int) -> DossierExtension:
    dossier = get_dossier_or_404(current_user, dossier_id)
    extension = db.session.scalar(select(DossierExtension).where(
        DossierExtension.id == extension_id, DossierExtension.dossier_id == dossier.id))
    if extension is None:
        abort(404)
    return extension


@bp.route("/dossiers/<int:dossier_id>/extensions/new", methods=["GET", "POST"])
@login_required
def request_form(dossier_id: int):
    """The holder asks for a new appointment, with the reason printed on the apology slip."""
    dossier = get_dossier_or_404(current_user, dossier_id)
    if not can_request_extension(dossier, current_user):
        waiting = pending_extension(dossier)
        if waiting is not None:
            flash(_("Hồ sơ đã có đề nghị gia hạn đang chờ lãnh đạo duyệt."), "error")
            return redirect(url_for("deadlines.show", dossier_id=dossier.id, extension_id=waiting.id))
        if not extension_window_open(dossier):
            flash(_("Chỉ đề nghị gia hạn khi hồ sơ đang giải quyết và đã quá hạn hoặc sắp đến hẹn trả kết quả."), "error")
        else:
            flash(_("Chỉ cơ quan đang giữ hồ sơ được đề nghị gia hạn."), "error")
        return redirect(url_for("agencies.dossier", dossier_id=dossier.id))
    form = ExtensionRequestForm(dossier)
    if form.validate_on_submit():
        try:
            extension = request_extension(dossier, current_user, reason=form.reason.data, new_date=form.new_date.data)
        except OperationError as exc:
            db.session.rollback()
            dossier = get_dossier_or_404(current_user, dossier_id)
            form.dossier = dossier
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Đã gửi đề nghị gia hạn; lãnh đạo cơ quan sẽ duyệt."), "success")
            return redirect(url_for("deadlines.show", dossier_id=dossier.id, extension_id=extension.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("deadlines/request.html", dossier=dossier, form=form, clock=clock_of(dossier),
                           procedure=engine().procedure(dossier.procedure_code)), status


@bp.route("/dossiers/<int:dossier_id>/extensions/<int:extension_id>", methods=["GET", "POST"])
@login_required
def show(dossier_id: int, extension_id: int):
    """The request and its decision; a supervisor of the holding agency approves or rejects it here."""
    extension = _extension_or_404(dossier_id, extension_id)
    dossier = extension.dossier
    form = ExtensionDecisionForm() if extension.can_decide(current_user) else None
    error = None
    if form is not None and form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                approve_extension(extension, current_user, form.note.data)
            else:
                reject_extension(extension, current_user, form.note.data)
        except OperationError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Đã duyệt gia hạn; hẹn trả kết quả mới đã được ghi nhận.") if form.decision.data == "approve"
                  else _("Đã không duyệt đề nghị gia hạn."), "success")
            return redirect(url_for("deadlines.show", dossier_id=dossier_id, extension_id=extension_id))
        extension = _extension_or_404(dossier_id, extension_id)
        dossier = extension.dossier
    status = 422 if error or (form is not None and form.errors) else 200
    return render_template("deadlines/show.html", extension=extension, dossier=dossier, form=form, error=error,
                           procedure=engine().procedure(dossier.procedure_code)), status
