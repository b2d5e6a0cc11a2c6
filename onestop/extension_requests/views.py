"""Apology and extension (slip 04): the holder's request and the supervisor's decision.
Every change goes through ``operations.py``; a dossier out of scope is a 404."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from onestop.auth.access import access
from onestop.core.submit import submit
from onestop.dossiers.clock import clock_of
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extension_requests.forms import ExtensionDecisionForm, ExtensionRequestForm
from onestop.extension_requests.models import DossierExtension, latest_approved
from onestop.extension_requests.operations import (
    approve_extension,
    extension_window_open,
    may_request_extension,
    pending_extension,
    reject_extension,
    request_extension,
)
from onestop.extensions import db
from onestop.workflows.engine import engine

bp = Blueprint("extension_requests", __name__)


@bp.app_context_processor
def extension_helpers() -> dict:
    """For the dossier page's list of requests (``extension_requests/_list.html``)."""
    return {"may_request_extension": may_request_extension, "latest_extension": latest_approved}


def _extension_or_404(dossier_id: int, extension_id: int) -> DossierExtension:
    dossier = get_dossier_or_404(current_user, dossier_id)
    extension = db.session.scalar(select(DossierExtension).where(
        DossierExtension.id == extension_id, DossierExtension.dossier_id == dossier.id))
    if extension is None:
        abort(404)
    return extension


def _shown(extension_id: int, dossier_id: int):
    return redirect(url_for("extension_requests.show", dossier_id=dossier_id, extension_id=extension_id))


@bp.route("/dossiers/<int:dossier_id>/extensions/new", methods=["GET", "POST"])
@access("dossier")
def request_form(dossier_id: int):
    """The holder asks for a new appointment, with the reason printed on the apology slip."""
    dossier = get_dossier_or_404(current_user, dossier_id)
    if not may_request_extension(dossier, current_user):
        waiting = pending_extension(dossier)
        if waiting is not None:
            flash(_("Hồ sơ đã có đề nghị gia hạn đang chờ lãnh đạo duyệt."), "error")
            return _shown(waiting.id, dossier.id)
        if not extension_window_open(dossier):
            flash(_("Chỉ đề nghị gia hạn khi hồ sơ đang giải quyết và đã quá hạn hoặc sắp đến hẹn trả kết quả."), "error")
        else:
            flash(_("Chỉ cơ quan đang giữ hồ sơ được đề nghị gia hạn."), "error")
        return redirect(url_for("casework.dossier", dossier_id=dossier.id))
    form = ExtensionRequestForm(dossier)

    def page(status: int = 200):
        return render_template("extension_requests/request.html", dossier=form.dossier, form=form,
                               clock=clock_of(form.dossier), procedure=engine().of(dossier)), status

    if not form.validate_on_submit():
        return page(422 if form.errors else 200)

    def done(extension):
        flash(_("Đã gửi đề nghị gia hạn; lãnh đạo cơ quan sẽ duyệt."), "success")
        return _shown(extension.id, dossier.id)

    def refused(reason: str):
        form.dossier = get_dossier_or_404(current_user, dossier_id)
        form.form_errors.append(reason)
        return page(422)

    return submit(lambda: request_extension(dossier, current_user, reason=form.reason.data, new_date=form.new_date.data),
                  then=done, otherwise=refused)


@bp.route("/dossiers/<int:dossier_id>/extensions/<int:extension_id>", methods=["GET", "POST"])
@access("dossier")
def show(dossier_id: int, extension_id: int):
    """The request and its decision; a supervisor of the holding agency approves or rejects it here."""
    extension = _extension_or_404(dossier_id, extension_id)
    form = ExtensionDecisionForm() if extension.can_decide(current_user) else None

    def page(error: str | None = None):
        shown = _extension_or_404(dossier_id, extension_id)
        status = 422 if error or (form is not None and form.errors) else 200
        return render_template("extension_requests/show.html", extension=shown, dossier=shown.dossier, form=form,
                               error=error, procedure=engine().of(shown.dossier)), status

    if form is None or not form.validate_on_submit():
        return page()
    approving = form.decision.data == "approve"

    def done(_result):
        flash(_("Đã duyệt gia hạn; hẹn trả kết quả mới đã được ghi nhận.") if approving
              else _("Đã không duyệt đề nghị gia hạn."), "success")
        return _shown(extension_id, dossier_id)

    decide = approve_extension if approving else reject_extension
    return submit(lambda: decide(extension, current_user, form.note.data), then=done, otherwise=page)
