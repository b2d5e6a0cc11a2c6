"""The admin's calendar page: public holidays and make-up days, and the admin's overrides.

For admins only; anyone else gets the same 404 as an unknown page.
"""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select

from onestop.auth.access import access
from onestop.calendar_admin.forms import OverrideForm, upcoming_days
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.submit import submit
from onestop.core.workdays import CalendarOverride, current_calendar, forget_calendar
from onestop.extensions import db

bp = Blueprint("calendar_admin", __name__, url_prefix="/admin/calendar")



def _page(override_form: OverrideForm | None = None, status: int = 200):
    cal = current_calendar()
    today = clock.now().astimezone(VN_TZ).date()
    overrides = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)).all()
    return render_template(
        "calendar_admin/calendar.html", today=today, upcoming=upcoming_days(cal, today), overrides=overrides,
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
        db.session.add(CalendarOverride(day=form.day.data, is_working=form.is_working,
                                        note=(form.note.data or "").strip()))
        db.session.flush()
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
    if db.session.scalar(select(CalendarOverride.day).where(CalendarOverride.day == parsed)) is None:
        abort(404)

    def remove():
        db.session.execute(delete(CalendarOverride).where(CalendarOverride.day == parsed))
        forget_calendar()

    def done(_result):
        flash(_("Đã xóa điều chỉnh ngày %(day)s.", day=f"{parsed:%d/%m/%Y}"), "success")
        return redirect(url_for("calendar_admin.calendar"))

    return submit(remove, then=done, otherwise=lambda reason: _page(status=422))
