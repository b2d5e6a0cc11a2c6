"""Attachments of a dossier: upload, download, remove, and their panel on the dossier page.
Every route goes through the dossier scope."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.attachments.forms import AttachmentForm
from onestop.attachments.models import Attachment
from onestop.attachments.operations import add_attachment, remove_attachment
from onestop.auth.access import access
from onestop.core import audit, storage
from onestop.core.submit import submit
from onestop.dossiers.models import Dossier
from onestop.dossiers.page import panel, render_dossier_page
from onestop.dossiers.scope import get_dossier_or_404
from onestop.extensions import db
from onestop.workflows.engine import engine

bp = Blueprint("attachments", __name__, url_prefix="/dossiers/<int:dossier_id>/attachments")


@panel("attachments/_panel.html", order=20)
def _panel(dossier: Dossier, user, forms: dict) -> dict:
    """The files (and, for the facts card, the copy of each checklist document), the upload form."""
    procedure = engine().of(dossier)
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.dossier_id == dossier.id, Attachment.removed_at.is_(None))
        .options(selectinload(Attachment.uploaded_by), selectinload(Attachment.agency))
        .order_by(Attachment.uploaded_at, Attachment.id)).all()
    form = (forms.get("attachment_form") or AttachmentForm(procedure, formdata=None)) if dossier.can_attach(user) else None
    return {"attachments": attachments, "attachment_form": form,
            "removable": {a.id for a in attachments if a.can_remove(user)},
            "document_names": {d.key: d.name for d in procedure.documents},
            "copies": {key: [a for a in attachments if a.document == key] for key in {a.document for a in attachments}}}


def _attachment_or_404(dossier_id: int, attachment_id: int) -> Attachment:
    dossier = get_dossier_or_404(current_user, dossier_id)
    attachment = db.session.scalar(select(Attachment).where(
        Attachment.id == attachment_id, Attachment.dossier_id == dossier.id, Attachment.removed_at.is_(None)))
    if attachment is None:
        abort(404)
    return attachment


def _back(dossier_id: int):
    return redirect(url_for("casework.dossier", dossier_id=dossier_id, _anchor="attachments"))


@bp.post("/")
@access("dossier")
def upload(dossier_id: int):
    dossier = get_dossier_or_404(current_user, dossier_id)
    form = AttachmentForm(engine().of(dossier))
    if not form.validate_on_submit():
        return render_dossier_page(dossier, status=422, attachment_form=form)
    stored: list[str] = []

    def add_all():
        for filename, data in form.uploads:
            stored.append(add_attachment(dossier, current_user, filename=filename, data=data,
                                         document=form.document.data).stored_name)

    def done(_result):
        names = ", ".join(storage.display_name(name) for name, _data in form.uploads)
        flash(_("Đã đính kèm tệp %(name)s.", name=names), "success")
        return _back(dossier_id)

    def refused(reason: str):
        _discard(stored)
        flash(reason, "error")
        return _back(dossier_id)

    try:
        return submit(add_all, then=done, otherwise=refused)
    except Exception:
        db.session.rollback()
        _discard(stored)
        raise


def _discard(stored_names: list[str]) -> None:
    """Nothing of a refused upload stays: not its rows (rolled back), not its files."""
    for name in stored_names:
        storage.discard(name)


@bp.get("/<int:attachment_id>")
@access("dossier")
def download(dossier_id: int, attachment_id: int):
    """The file, once the download is in the audit trail."""
    attachment = _attachment_or_404(dossier_id, attachment_id)
    audit.record("attachment.download", target=f"attachment:{attachment.id}", note=f"dossier:{dossier_id}")
    db.session.commit()
    return storage.serve(attachment)


@bp.post("/<int:attachment_id>/remove")
@access("dossier")
def remove(dossier_id: int, attachment_id: int):
    attachment = _attachment_or_404(dossier_id, attachment_id)

    def done(_event):
        flash(_("Đã gỡ tệp %(name)s.", name=attachment.filename), "success")
        return _back(dossier_id)

    def refused(reason: str):
        flash(reason, "error")
        return _back(dossier_id)

    return submit(lambda: remove_attachment(attachment, current_user), then=done, otherwise=refused)
