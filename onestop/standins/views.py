"""Absences and stand-ins: an officer or supervisor records their own; a supervisor their staff's.

Everything that follows from an absence (routing, the stand-in's inbox tab, acting on their behalf,
reminders) reads it when it happens, so ending one needs no other step."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from onestop.auth.absences import Absence
from onestop.auth.access import access
from onestop.auth.models import Role, User
from onestop.auth.operations import manageable
from onestop.core import clock
from onestop.core.submit import submit
from onestop.extensions import db
from onestop.standins.forms import AbsenceForm
from onestop.standins.operations import ABSENT_ROLES, cancel_absence, may_record_for, record_absence

bp = Blueprint("standins", __name__, url_prefix="/absences")


@bp.before_request
@login_required
def _who_may():
    if current_user.role not in (*ABSENT_ROLES, Role.ADMIN):
        abort(404)


def _people() -> list[User]:
    """Whose absences the current user records: themselves, and for a supervisor or admin their staff."""
    query = select(User).where(User.active, User.role.in_(ABSENT_ROLES)).options(selectinload(User.agency))
    if current_user.role in (Role.SUPERVISOR, Role.ADMIN):
        query = query.where(or_(User.id == current_user.id, manageable(current_user)))
    else:
        query = query.where(User.id == current_user.id)
    return list(db.session.scalars(query.order_by(User.agency_id, User.full_name)))


def _form() -> AbsenceForm:
    form = AbsenceForm()
    people = _people()
    form.user_id.choices = [(str(u.id), f"{u.full_name} — {u.agency.name}") for u in people]
    agencies = {u.agency_id for u in people}
    form.stand_in_id.choices = [("", "—")] + [(str(u.id), f"{u.full_name} — {u.agency.name}") for u in db.session.scalars(
        select(User).where(User.active, User.role.in_(ABSENT_ROLES), User.agency_id.in_(agencies))
        .options(selectinload(User.agency)).order_by(User.agency_id, User.full_name))]
    if not form.is_submitted():
        form.user_id.data = str(current_user.id)
    return form


def _listed():
    """The absences in force or to come of the people listed, and those the user stands in for."""
    people_ids = [u.id for u in _people()]
    return db.session.scalars(select(Absence).where(
        or_(Absence.user_id.in_(people_ids), Absence.stand_in_id == current_user.id),
        Absence.ends_at > clock.now(), Absence.cancelled_at.is_(None))
        .options(selectinload(Absence.user), selectinload(Absence.stand_in))
        .order_by(Absence.starts_at)).all()


def _page(form: AbsenceForm, status: int = 200, error: str | None = None):
    return render_template("standins/index.html", form=form, absences=_listed(), error=error, now=clock.now()), status


def _user(value: str | None) -> User | None:
    return db.session.get(User, int(value)) if value and value.isdigit() and len(value) < 10 else None


@bp.get("/")
@access("absences")
def index():
    return _page(_form())


@bp.post("/")
@access("absences")
def create():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    user = _user(form.user_id.data)
    if user is None or not may_record_for(current_user, user):
        form.user_id.errors = [*form.user_id.errors, _("Chọn người vắng mặt trong danh sách.")]
        return _page(form, 422)

    def done(absence):
        flash(_("Đã ghi vắng mặt của %(name)s từ %(start)s đến %(end)s; %(stand_in)s thay.", name=user.full_name,
                start=f"{absence.starts_on:%d/%m/%Y}", end=f"{absence.ends_on:%d/%m/%Y}",
                stand_in=absence.stand_in.full_name), "success")
        return redirect(url_for("standins.index"))

    return submit(lambda: record_absence(current_user, user, stand_in=_user(form.stand_in_id.data),
                                         starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                         reason=form.reason.data),
                  then=done, otherwise=lambda reason: _page(form, 422, reason))


@bp.post("/<int:absence_id>/cancel")
@access("absences")
def cancel(absence_id: int):
    absence = db.session.get(Absence, absence_id)
    if absence is None or not may_record_for(current_user, db.session.get(User, absence.user_id)):
        abort(404)

    def done(_changed):
        flash(_("Đã kết thúc lịch vắng mặt."), "success")
        return redirect(url_for("standins.index"))

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("standins.index"))

    return submit(lambda: cancel_absence(current_user, absence), then=done, otherwise=refused)
