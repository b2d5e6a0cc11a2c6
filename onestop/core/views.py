"""The admin's calendar page: public holidays, calendar overrides, reminder and escalation rules.

For admins only; anyone else gets the same 404 as an unknown page.
"""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete, select

from onestop.auth.models import Role
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.forms import OverrideForm, ReminderRuleForm, upcoming_days
from onestop.core.workdays import CalendarOverride, current_calendar, forget_calendar
from onestop.dossiers.operations import engine
from onestop.extensions import db
from onestop.notifications.rules import ReminderRule, config_rules, current_rules, forget_rules

bp = Blueprint("core", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != Role.ADMIN:
        abort(404)


def _procedures() -> dict[str, str]:
    return {p.code: p.name for p in engine().procedures()}


def _page(override_form: OverrideForm | None = None, rule_form: ReminderRuleForm | None = None, status: int = 200):
    cal = current_calendar()
    today = clock.now().astimezone(VN_TZ).date()
    procedures = _procedures()
    if rule_form is None:
        rule_form = ReminderRuleForm(procedures, formdata=None, obj=current_rules().default, scope=ReminderRuleForm.GLOBAL)
    overrides = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)).all()
    rows = db.session.scalars(select(ReminderRule).order_by(ReminderRule.procedure_code.nulls_first())).all()
    return render_template(
        "core/calendar.html", today=today, upcoming=upcoming_days(cal, today), overrides=overrides,
        override_form=override_form or OverrideForm(cal, formdata=None), rule_form=rule_form,
        rules=current_rules(), rule_rows=rows, config_rules=config_rules(), procedures=procedures,
        office_hours=cal.office_hours), status


@bp.get("/calendar")
def calendar():
    return _page()


@bp.post("/calendar/overrides")
def add_override():
    form = OverrideForm(current_calendar())
    if not form.validate_on_submit():
        return _page(override_form=form, status=422)
    db.session.add(CalendarOverride(day=form.day.data, is_working=form.is_working, note=(form.note.data or "").strip()))
    db.session.commit()
    forget_calendar()
    day = f"{form.day.data:%d/%m/%Y}"
    flash((_("Đã đặt ngày %(day)s là ngày làm việc.", day=day) if form.is_working
           else _("Đã đặt ngày %(day)s là ngày nghỉ.", day=day)) + " "
          + _("Hạn của các bước bắt đầu từ nay tính theo lịch mới; nhắc việc theo lịch mới ngay."), "success")
    return redirect(url_for("core.calendar"))


@bp.post("/calendar/overrides/<day>/delete")
def remove_override(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if db.session.execute(delete(CalendarOverride).where(CalendarOverride.day == parsed)).rowcount == 0:
        abort(404)
    db.session.commit()
    forget_calendar()
    flash(_("Đã xóa điều chỉnh ngày %(day)s.", day=f"{parsed:%d/%m/%Y}"), "success")
    return redirect(url_for("core.calendar"))


@bp.post("/calendar/rules")
def save_rules():
    form = ReminderRuleForm(_procedures())
    if not form.validate_on_submit():
        return _page(rule_form=form, status=422)
    code = form.procedure_code
    row = db.session.scalar(select(ReminderRule).where(
        ReminderRule.procedure_code.is_(None) if code is None else ReminderRule.procedure_code == code))
    if row is None:
        row = ReminderRule(procedure_code=code)
        db.session.add(row)
    row.due_soon_percent = form.due_soon_percent.data
    row.remind_overdue = form.remind_overdue.data
    row.escalate_days = form.escalate_days.data
    row.escalate_parent_days = form.escalate_parent_days.data
    db.session.commit()
    forget_rules()
    flash(_("Đã lưu quy tắc nhắc việc mặc định.") if code is None
          else _("Đã lưu quy tắc nhắc việc của thủ tục %(code)s.", code=code), "success")
    return redirect(url_for("core.calendar"))


@bp.post("/calendar/rules/<scope>/delete")
def remove_rules(scope: str):
    """Drop a procedure's own rules, or the admin's global ones (back to the configured defaults)."""
    where = ReminderRule.procedure_code.is_(None) if scope == ReminderRuleForm.GLOBAL else ReminderRule.procedure_code == scope
    if db.session.execute(delete(ReminderRule).where(where)).rowcount == 0:
        abort(404)
    db.session.commit()
    forget_rules()
    flash(_("Đã xóa quy tắc mặc định; áp dụng lại cấu hình hệ thống.") if scope == ReminderRuleForm.GLOBAL
          else _("Đã xóa quy tắc riêng của thủ tục %(code)s.", code=scope), "success")
    return redirect(url_for("core.calendar"))


@bp.get("/calendar/rules/<scope>")
def edit_rules(scope: str):
    """The rule form filled with the rules in force for ``scope`` (a procedure code or ``*``)."""
    procedures = _procedures()
    if scope != ReminderRuleForm.GLOBAL and scope not in procedures:
        abort(404)
    rules = current_rules()
    current = rules.default if scope == ReminderRuleForm.GLOBAL else rules.for_procedure(scope)
    form = ReminderRuleForm(procedures, formdata=None, obj=current, scope=scope)
    return _page(rule_form=form)
