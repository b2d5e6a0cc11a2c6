"""The desk's side of online submission: open an application filed with this desk, see its files,
accept it (it becomes a dossier, and the clerk lands on its receipt) or refuse it with a reason.

Only the clerks of the desk the citizen chose see an application or its files; anyone else gets a 404.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.auth.access import access
from onestop.core import audit, storage
from onestop.core.submit import submit
from onestop.extensions import db
from onestop.online.forms import AcceptOnlineForm, RefuseOnlineForm
from onestop.online.models import OnlineApplication
from onestop.online.operations import accept_online_application, refuse_online_application
from onestop.workflows.engine import engine

bp = Blueprint("online_desk", __name__, url_prefix="/desk/online")


def _application_or_404(application_id: int) -> OnlineApplication:
    application = db.session.scalar(select(OnlineApplication).where(OnlineApplication.id == application_id).options(
        selectinload(OnlineApplication.files), selectinload(OnlineApplication.decided_by),
        selectinload(OnlineApplication.dossier)))
    if application is None or not application.can_see(current_user):
        abort(404)
    return application


def _render(application: OnlineApplication, accept_form=None, refuse_form=None, status: int = 200):
    procedure = engine().procedure(application.procedure_code)
    if accept_form is None:
        accept_form = AcceptOnlineForm(formdata=None, documents=list(application.documents))
    accept_form.documents.choices = [(d.key, d.name) for d in procedure.documents]
    return render_template("online/desk_application.html", application=application, procedure=procedure,
                           files={d.key: [f for f in application.files if f.document == d.key] for d in procedure.documents},
                           accept_form=accept_form, refuse_form=refuse_form or RefuseOnlineForm(formdata=None)), status


@bp.get("/<int:application_id>")
@access("desk_application")
def show(application_id: int):
    return _render(_application_or_404(application_id))


@bp.get("/<int:application_id>/files/<int:file_id>")
@access("desk_application")
def download(application_id: int, file_id: int):
    application = _application_or_404(application_id)
    file = next((f for f in application.files if f.id == file_id), None)
    if file is None:
        abort(404)
    audit.record("online_file.download", target=f"online_file:{file.id}", note=f"online_application:{application.id}")
    db.session.commit()
    return storage.serve(file)


@bp.post("/<int:application_id>/accept")
@access("desk_application")
def accept(application_id: int):
    application = _application_or_404(application_id)
    form = AcceptOnlineForm()
    if not form.validate_on_submit():
        return _render(application, accept_form=form, status=422)

    def done(dossier):
        flash(_("Đã tiếp nhận hồ sơ %(code)s.", code=dossier.code), "success")
        return redirect(url_for("slips.receipt", dossier_id=dossier.id))

    def refused(reason: str):
        flash(reason, "error")
        return _render(db.session.get(OnlineApplication, application_id), accept_form=form, status=422)

    return submit(lambda: accept_online_application(application, current_user, list(form.documents.data or [])),
                  then=done, otherwise=refused)


@bp.post("/<int:application_id>/refuse")
@access("desk_application")
def refuse(application_id: int):
    application = _application_or_404(application_id)
    form = RefuseOnlineForm()
    if not form.validate_on_submit():
        return _render(application, refuse_form=form, status=422)

    def done(_application):
        flash(_("Đã từ chối tiếp nhận hồ sơ trực tuyến %(reference)s.", reference=application.reference), "success")
        return redirect(url_for("desk.queue", tab="online"))

    def refused(reason: str):
        flash(reason, "error")
        return _render(db.session.get(OnlineApplication, application_id), refuse_form=form, status=422)

    return submit(lambda: refuse_online_application(application, current_user, form.reason.data),
                  then=done, otherwise=refused)
