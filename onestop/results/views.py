"""The e-result on the dossier page (upload at the signing step, SHA-256, download) and the public
verification page reached from the QR code on the result's cover (no login)."""
import hashlib

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from onestop.auth.access import access
from onestop.core import storage
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.results.forms import SignedResultForm, VerifyForm
from onestop.results.models import SignedResult
from onestop.results.operations import current_result, may_upload, upload_signed_result
from onestop.workflows.engine import engine

bp = Blueprint("results", __name__)


@panel("results/_panel.html", order=18)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    result = current_result(dossier)
    form = (forms.get("result_form") or SignedResultForm(formdata=None)) if may_upload(dossier, user) else None
    return {"signed_result": result, "result_form": form,
            "result_required": engine().of(dossier).e_result}


@bp.post("/dossiers/<int:dossier_id>/result")
@access("dossier")
def upload(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = SignedResultForm()
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, result_form=form)
    data = form.file.data.read(storage.max_bytes() + 1)
    stored: list[str] = []

    def keep():
        result = upload_signed_result(dossier, current_user, filename=form.file.data.filename or "", data=data)
        stored.append(result.stored_name)
        return result

    def done(result):
        flash(_("Đã tải lên kết quả đã ký số (SHA-256 %(hash)s).", hash=result.sha256), "success")
        return redirect(url_for("casework.dossier", dossier_id=dossier_id, _anchor="e-result"))

    def refused(reason: str):
        for name in stored:
            storage.discard(name)
        return render_dossier_page(db.session.get(Dossier, dossier_id), status=422, error=reason, result_form=form)

    try:
        return submit(keep, then=done, otherwise=refused)
    except Exception:
        db.session.rollback()
        for name in stored:
            storage.discard(name)
        raise


@bp.get("/dossiers/<int:dossier_id>/result/<int:result_id>")
@access("dossier")
def download(dossier_id: int, result_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    result = db.session.scalar(select(SignedResult).where(SignedResult.id == result_id,
                                                          SignedResult.dossier_id == dossier.id))
    if result is None:
        abort(404)
    return storage.serve(result)


def _by_token(token: str) -> SignedResult:
    if not (0 < len(token) <= 40) or not token.replace("-", "").replace("_", "").isalnum() or not token.isascii():
        abort(404)
    result = db.session.scalar(select(SignedResult).where(SignedResult.token == token))
    if result is None:
        abort(404)
    return result


@bp.route("/xac-minh/<token>", methods=["GET", "POST"])
@access("public")
def verify(token: str):
    """What the cover's QR code opens: who issued which result when, its SHA-256, and whether a
    file given here is that very file. Nothing is kept of the file."""
    result = _by_token(token)
    form = VerifyForm()
    verdict = None
    status = 200
    if form.is_submitted():
        if form.validate():
            data = form.file.data.read(storage.max_bytes() + 1)
            digest = hashlib.sha256(data).hexdigest()
            issued = db.session.scalar(select(SignedResult).where(SignedResult.dossier_id == result.dossier_id,
                                                                  SignedResult.sha256 == digest))
            verdict = {"digest": digest, "issued": issued is not None,
                       "current": issued is not None and issued.is_current}
        else:
            status = 422
    dossier = result.dossier
    return render_template("results/verify.html", result=result, current=current_result(dossier), dossier=dossier,
                           procedure=engine().of(dossier), form=form, verdict=verdict), status
