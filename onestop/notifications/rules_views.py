"""The admin's reminder-rule page: the global reminder and escalation rules and each procedure's own.

For admins only; anyone else gets the same 404 as an unknown page.
"""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update

from onestop.auth.access import access
from onestop.core import audit, clock
from onestop.core.submit import submit
from onestop.dossiers.rules import ReminderRule, config_rules, current_rules, forget_rules
from onestop.extensions import db
from onestop.notifications.forms import ReminderRuleForm
from onestop.workflows.engine import engine

bp = Blueprint("reminder_rules", __name__, url_prefix="/admin/reminders")



def _procedures() -> dict[str, str]:
    return {p.code: p.name for p in engine().procedures()}


def _page(rule_form: ReminderRuleForm | None = None, status: int = 200):
    procedures = _procedures()
    if rule_form is None:
        rule_form = ReminderRuleForm(procedures, formdata=None, obj=current_rules().default, scope=ReminderRuleForm.GLOBAL)
    rows = db.session.scalars(select(ReminderRule).where(ReminderRule.removed_at.is_(None))
                              .order_by(ReminderRule.procedure_code.nulls_first())).all()
    return render_template("notifications/rules.html", rule_form=rule_form, rules=current_rules(), rule_rows=rows,
                           config_rules=config_rules(), procedures=procedures), status


def _scope_in_force(code: str | None):
    """The rule row in force for a procedure (``None``: the global one)."""
    scope = ReminderRule.procedure_code.is_(None) if code is None else ReminderRule.procedure_code == code
    return scope & ReminderRule.removed_at.is_(None)


@bp.get("")
@access("admin")
def index():
    return _page()


@bp.post("")
@access("admin")
def save():
    form = ReminderRuleForm(_procedures())
    if not form.validate_on_submit():
        return _page(rule_form=form, status=422)
    code = form.procedure_code

    def save_rules():
        """The rules in force are replaced: the old row is kept, marked removed, and a new one
        written with its author."""
        old = db.session.scalar(select(ReminderRule).where(_scope_in_force(code)).with_for_update())
        before = old.snapshot() if old is not None else None
        if old is not None:
            old.removed_at, old.removed_by_id = clock.now(), current_user.id
            db.session.flush()
        row = ReminderRule(procedure_code=code, created_by_id=current_user.id,
                           due_soon_percent=form.due_soon_percent.data, remind_overdue=form.remind_overdue.data,
                           escalate_days=form.escalate_days.data, escalate_parent_days=form.escalate_parent_days.data)
        db.session.add(row)
        db.session.flush()
        audit.record("reminder_rule.save", target=f"reminder_rule:{code or '*'}", before=before, after=row.snapshot())
        forget_rules()

    def done(_result):
        flash(_("Đã lưu quy tắc nhắc việc mặc định.") if code is None
              else _("Đã lưu quy tắc nhắc việc của thủ tục %(code)s.", code=code), "success")
        return redirect(url_for("reminder_rules.index"))

    return submit(save_rules, then=done, otherwise=lambda reason: _page(rule_form=form, status=422))


@bp.post("/<scope>/delete")
@access("admin")
def remove(scope: str):
    """Drop a procedure's own rules, or the admin's global ones (back to the configured defaults)."""
    where = _scope_in_force(None if scope == ReminderRuleForm.GLOBAL else scope)
    row = db.session.scalar(select(ReminderRule).where(where))
    if row is None:
        abort(404)

    def remove_rules():
        if db.session.execute(update(ReminderRule).where(where).values(
                removed_at=clock.now(), removed_by_id=current_user.id)).rowcount:
            audit.record("reminder_rule.remove", target=f"reminder_rule:{row.procedure_code or '*'}", before=row.snapshot())
        forget_rules()

    def done(_result):
        flash(_("Đã xóa quy tắc mặc định; áp dụng lại cấu hình hệ thống.") if scope == ReminderRuleForm.GLOBAL
              else _("Đã xóa quy tắc riêng của thủ tục %(code)s.", code=scope), "success")
        return redirect(url_for("reminder_rules.index"))

    return submit(remove_rules, then=done, otherwise=lambda reason: _page(status=422))


@bp.get("/<scope>")
@access("admin")
def edit(scope: str):
    """The rule form filled with the rules in force for ``scope`` (a procedure code or ``*``)."""
    procedures = _procedures()
    if scope != ReminderRuleForm.GLOBAL and scope not in procedures:
        abort(404)
    rules = current_rules()
    current = rules.default if scope == ReminderRuleForm.GLOBAL else rules.for_procedure(scope)
    return _page(rule_form=ReminderRuleForm(procedures, formdata=None, obj=current, scope=scope))
