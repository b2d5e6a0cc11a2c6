"""Attachments of a dossier: upload, download, remove. Every route goes through the dossier scope."""
from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from onestop.agencies.forms import ActionForm
from onestop.agencies.views import render_dossier
from onestop.auth.scope import get_dossier_or_404
from onestop.dossiers import attachment_store
from onestop.dossiers.attachment_forms import AttachmentForm
from onestop.dossiers.attachments_model import Attachment
from onestop.dossiers.operations import OperationError, add_attachment, engine, remove_attachment
from onestop.extensions import db

bp = Blueprint("attachments", __name__, url_prefix="/dossiers/<int:dossier_id>/attachments")

#: shown in the browser; anything else is downloaded
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _attachment_or_404(dossier_id: int, attachment_id: int) -> Attachment:
    dossier = get_dossier_or_404(current_user, dossier_id)
    attachment = db.session.scalar(select(Attachment).where(
        Attachment.id == attachment_id, Attachment.dossier_id == dossier.id, Attachment.removed_at.is_(None)))
    if attachment is None:
        abort(404)
    return attachment


@bp.post("/")
@login_required
def upload(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = AttachmentForm(engine().procedure(dossier.procedure_code))
    if not form.validate_on_submit():
        return render_dossier(dossier, ActionForm(formdata=None), 422, attachment_form=form)
    stored: list[str] = []
    try:
        for filename, data in form.uploads:
            stored.append(add_attachment(dossier, current_user, filename=filename, data=data,
                                         document=form.document.data).stored_name)
        db.session.commit()
    except OperationError as exc:
        _undo(stored)
        flash(str(exc), "error")
        return redirect(url_for("agencies.dossier", dossier_id=dossier_id, _anchor="attachments"))
    except Exception:
        _undo(stored)
        raise
    names = ", ".join(attachment_store.display_name(name) for name, _data in form.uploads)
    flash(_("Đã đính kèm tệp %(name)s.", name=names), "success")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id, _anchor="attachments"))


def _undo(stored_names: list[str]) -> None:
    """Nothing of a refused upload stays: not its rows, not its files."""
    db.session.rollback()
    for name in stored_names:
        attachment_store.discard(name)


@bp.get("/<int:attachment_id>")
@login_required
def download(dossier_id: int, attachment_id: int):
    attachment = _attachment_or_404(dossier_id, attachment_id)
    return serve_stored(attachment.stored_name, attachment.content_type, attachment.filename)


def serve_stored(stored_name: str, content_type: str, filename: str):
    """Send a stored file under its own name and its checked type, which the browser may not
    second-guess; shown (sandboxed, never run) when it is a PDF or a picture, downloaded otherwise."""
    response = send_file(attachment_store.path_of(stored_name), mimetype=content_type,
                         as_attachment=content_type not in INLINE_TYPES, download_name=filename,
                         conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:attachment_id>/remove")
@login_required
def remove(dossier_id: int, attachment_id: int):
    attachment = _attachment_or_404(dossier_id, attachment_id)
    try:
        remove_attachment(attachment, current_user)
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Đã gỡ tệp %(name)s.", name=attachment.filename), "success")
    return redirect(url_for("agencies.dossier", dossier_id=dossier_id, _anchor="attachments"))
