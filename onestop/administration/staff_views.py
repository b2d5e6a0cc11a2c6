"""Staff accounts: list, create, edit, deactivate and reactivate, one-time passwords, login locks.

Admins manage every account; a supervisor the staff of their own agency subtree, never an admin
account nor their own. Any other account, or any other user, gets a 404.
"""
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from onestop.administration.forms import ROLE_LABELS, OneTimePasswordForm, StaffForm
from onestop.administration.handover import hand_back_work
from onestop.administration.scope import (
    agencies_in_scope,
    page_number,
    require_admin,
    require_staff_manager,
    user_or_404,
)
from onestop.agencies.models import Agency
from onestop.auth import operations, throttle
from onestop.auth.access import access
from onestop.auth.models import Role, User
from onestop.core.submit import submit
from onestop.extensions import db

bp = Blueprint("staff", __name__, url_prefix="/admin/staff")


@bp.before_request
@login_required
def _managers_only():
    require_staff_manager()


def _choices(form: StaffForm) -> StaffForm:
    form.role.choices = [(r.value, str(ROLE_LABELS[r.value])) for r in operations.roles_for(current_user)]
    form.agency_id.choices = [(str(a.id), ("— " * (a.path.count("/") - 2)) + f"{a.name} ({a.code})")
                              for a in agencies_in_scope()]
    return form


def _agency(form: StaffForm) -> Agency | None:
    value = form.agency_id.data or ""
    return db.session.get(Agency, int(value)) if value.isdigit() and len(value) < 10 else None


def _fields(form: StaffForm) -> dict:
    return {"username": (form.username.data or "").lower(), "full_name": form.full_name.data or "",
            "email": form.email.data or None, "phone": form.phone.data or None, "role": form.role.data or "",
            "agency": _agency(form)}


def _valid(form: StaffForm, user: User | None = None) -> bool:
    """The form's own checks, then the account rules (``auth.operations.field_problems``) as field errors."""
    ok = form.validate_on_submit()
    problems = operations.field_problems(actor=current_user, user=user, **_fields(form)) if form.is_submitted() else {}
    for name, message in problems.items():
        field = getattr(form, "agency_id" if name == "agency" else name)
        if message not in field.errors:
            field.errors = [*field.errors, message]
    return ok and not problems


@bp.get("/")
@access("staff_admin")
def index():
    """Accounts in scope: search by name or login, filter by agency, role and state; 50 a page."""
    query = select(User).where(operations.manageable(current_user)).options(selectinload(User.agency))
    text = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:100]
    if text:
        query = query.where(or_(func.lower(User.username).contains(text.lower(), autoescape=True),
                                func.lower(User.full_name).contains(text.lower(), autoescape=True)))
    agency_id = request.args.get("agency", "")
    if agency_id.isdigit() and len(agency_id) < 10:
        query = query.where(User.agency_id == int(agency_id))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    state = request.args.get("state", "active")
    if state in ("active", "inactive"):
        query = query.where(User.active.is_(state == "active"))
    page = db.paginate(query.order_by(User.username), page=page_number(), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=current_app.config["PAGE_SIZE"])
    return render_template("administration/staff_list.html", page=page, agencies=agencies_in_scope(active_only=False),
                           roles=ROLE_LABELS, q=text, agency_id=agency_id, role=role, state=state)


@bp.route("/new", methods=["GET", "POST"])
@access("staff_admin")
def create():
    form = _choices(StaffForm())
    if request.method == "GET" and request.args.get("agency", "").isdigit():
        form.agency_id.data = request.args["agency"]
    if not _valid(form):
        return render_template("administration/staff_form.html", form=form, user=None), \
            422 if form.is_submitted() else 200

    def done(result):
        user, password = result
        return _password_page(user, password, created=True)

    return submit(lambda: operations.create_user(current_user, password=form.password.data or None, **_fields(form)),
                  then=done, otherwise=lambda reason: _refused(form, None, reason))


def _refused(form: StaffForm, user: User | None, reason: str):
    return render_template("administration/staff_form.html", form=form, user=user, error=reason), 422


def _password_page(user: User, password: str, created: bool = False):
    """The one-time password, shown this once (not kept anywhere readable, not cached)."""
    response = make_response(render_template("administration/staff_password.html", user=user, password=password,
                                             created=created))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@access("staff_admin")
def edit(user_id: int):
    user = user_or_404(user_id)
    form = _choices(StaffForm(obj=user) if request.method == "GET" else StaffForm())
    if request.method == "GET":
        form.role.data, form.agency_id.data = user.role.value, str(user.agency_id)
    if not _valid(form, user):
        return _edit_page(user, form, 422 if form.is_submitted() else 200)

    def change():
        before = (user.role, user.agency_id)
        changed = operations.update_user(current_user, user, **_fields(form))
        if changed and before != (user.role, user.agency_id):
            hand_back_work(user, current_user, f"Thu hồi phân công: {user.full_name} đổi vai trò hoặc đơn vị")
        return changed

    def done(changed):
        flash(_("Đã lưu tài khoản %(name)s.", name=user.username) if changed else _("Không có gì thay đổi."), "success")
        return redirect(url_for("staff.edit", user_id=user.id))

    return submit(change, then=done, otherwise=lambda reason: _refused(form, user, reason))


def _edit_page(user: User, form: StaffForm, status: int = 200):
    locked = throttle.is_locked(throttle.account_key(user.username))
    return render_template("administration/staff_form.html", form=form, user=user, locked=locked,
                           password_form=OneTimePasswordForm(formdata=None)), status


@bp.post("/<int:user_id>/deactivate")
@access("staff_admin")
def deactivate(user_id: int):
    return _set_active(user_or_404(user_id), False)


@bp.post("/<int:user_id>/activate")
@access("staff_admin")
def activate(user_id: int):
    return _set_active(user_or_404(user_id), True)


def _set_active(user: User, active: bool):
    def change():
        changed = operations.set_active(current_user, user, active)
        if changed and not active:
            hand_back_work(user, current_user, f"Thu hồi phân công: tài khoản {user.full_name} đã bị khóa")

    def done(_result):
        flash(_("Đã mở lại tài khoản %(name)s.", name=user.username) if active
              else _("Đã khóa tài khoản %(name)s; các phiên đăng nhập của tài khoản đã kết thúc.", name=user.username),
              "success")
        return redirect(url_for("staff.edit", user_id=user.id))

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("staff.edit", user_id=user.id))

    return submit(change, then=done, otherwise=refused)


@bp.post("/<int:user_id>/password")
@access("staff_admin")
def reset_password(user_id: int):
    user = user_or_404(user_id)
    form = OneTimePasswordForm()
    if not form.validate_on_submit():
        return _edit_page(user, _choices(StaffForm(obj=user, formdata=None)), 422)

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("staff.edit", user_id=user.id))

    return submit(lambda: operations.reset_password(current_user, user, form.password.data or None),
                  then=lambda password: _password_page(user, password), otherwise=refused)


@bp.get("/locks")
@access("admin")
def locks():
    """Login names and addresses locked now, for an admin to lift."""
    require_admin()
    return render_template("administration/locks.html", locks=throttle.locks())


@bp.post("/locks/lift")
@access("admin")
def lift_lock():
    require_admin()
    key = request.form.get("key", "")
    if not key.startswith(("user:", "addr:")) or len(key) > 120:
        flash(_("Không có khóa đăng nhập nào như vậy."), "error")
        return redirect(url_for("staff.locks"))

    def done(lifted):
        flash(_("Đã mở khóa đăng nhập %(key)s.", key=key) if lifted else _("Không còn khóa nào cho %(key)s.", key=key),
              "success")
        return redirect(url_for("staff.locks"))

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("staff.locks"))

    return submit(lambda: operations.lift_lock(current_user, key), then=done, otherwise=refused)
