"""The admin's calendar page: public holidays and make-up days, and the admin's overrides.

For admins only; anyone else gets the same 404 as an unknown page.
"""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update

from onestop.auth.access import access
from onestop.auth.models import User
from onestop.calendar_admin.forms import OverrideForm, upcoming_days
from onestop.core import audit, clock
from onestop.core.calendar import VN_TZ
from onestop.core.submit import submit
from onestop.core.workdays import CalendarOverride, current_calendar, forget_calendar
from onestop.extensions import db

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")



def _page(override_form: OverrideForm | None = None, status: int = 200):
    cal = current_calendar()
    today = clock.now().astimezone(VN_TZ).date()
    overrides = db.session.scalars(select(CalendarOverride).where(CalendarOverride.removed_at.is_(None))
                                   .order_by(CalendarOverride.day)).all()
    author_ids = {o.created_by_id for o in overrides if o.created_by_id}
    authors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(author_ids)))} if author_ids else {}
    return render_template(
        "calendar_admin/calendar.html", today=today, upcoming=upcoming_days(cal, today), overrides=overrides,
        authors=authors,
        override_form=override_form or OverrideForm(cal, formdata=None), office_hours=cal.office_hours), status


@bp.get("")
@access("admin")
def calendar():
    return _page()


@bp.post("/overrides")
@access("admin")
def add_override():
    form = OverrideForm(current_calendar())
    if not form.validate_on_submit():
        return _page(override_form=form, status=422)

    def add():
        override = CalendarOverride(day=form.day.data, is_working=form.is_working,
                                    note=(form.note.data or "").strip(), created_by_id=current_user.id)
        db.session.add(override)
        db.session.flush()
        audit.record("calendar.override_add", target=f"calendar:{override.day.isoformat()}", after=override.snapshot())
        forget_calendar()

    def done(_result):
        day = f"{form.day.data:%d/%m/%Y}"
        flash((_("Đã đặt ngày %(day)s là ngày làm việc.", day=day) if form.is_working
               else _("Đã đặt ngày %(day)s là ngày nghỉ.", day=day)) + " "
              + _("Hạn của các bước bắt đầu từ nay tính theo lịch mới; nhắc việc theo lịch mới ngay."), "success")
        return redirect(url_for("calendar_admin.calendar"))

    return submit(add, then=done, otherwise=lambda reason: _page(override_form=form, status=422))


@bp.post("/overrides/<day>/delete")
@access("admin")
def remove_override(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    in_force = (CalendarOverride.day == parsed, CalendarOverride.removed_at.is_(None))
    override = db.session.scalar(select(CalendarOverride).where(*in_force))
    if override is None:
        abort(404)

    def remove():
        """Kept, marked removed (what deadlines were counted with stays readable); a second
        removal at once finds nothing left in force and changes nothing."""
        done = db.session.execute(update(CalendarOverride).where(*in_force).values(
            removed_at=clock.now(), removed_by_id=current_user.id)).rowcount
        if done:
            audit.record("calendar.override_remove", target=f"calendar:{parsed.isoformat()}", before=override.snapshot())
        forget_calendar()

    def done(_result):
        flash(_("Đã xóa điều chỉnh ngày %(day)s.", day=f"{parsed:%d/%m/%Y}"), "success")
        return redirect(url_for("calendar_admin.calendar"))

    return submit(remove, then=done, otherwise=lambda reason: _page(status=422))
