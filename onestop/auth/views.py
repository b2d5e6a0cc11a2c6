"""Logging in and out, and each user's own password."""
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from onestop.auth import operations, sessions, throttle
from onestop.auth.access import access
from onestop.auth.forms import LoginForm, PasswordChangeForm
from onestop.auth.models import Role, User
from onestop.core import audit, versions
from onestop.core.submit import submit
from onestop.core.urls import safe_target
from onestop.extensions import db, login_manager

bp = Blueprint("auth", __name__)

HOME_ENDPOINTS = {
    Role.CLERK: "desk.queue",
    Role.OFFICER: "casework.inbox",
    Role.SUPERVISOR: "reports.overdue",
    Role.ADMIN: "reports.overdue",
}
#: what a user who must change a one-time password may still open
_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "static", "set_language"}
#: checked against when the login name matches no account, so both cost the same time
_DUMMY_HASH = "scrypt:32768:8:1$x3lHbK7fNwQyZ3Pe$" + "0" * 128


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, while the session is still valid for the account (``sessions.py``), with
    the agency (every page asks it), and the stamps of the caches (``core/versions.py``)."""
    if not (user_id.isdigit() and len(user_id) < 12):
        return None
    row = db.session.execute(select(User, *versions.stamp_columns()).where(User.id == int(user_id))
                             .options(joinedload(User.agency))).first()
    if row is None:
        return None
    versions.remember(row)  # the caches' stamps, read with the user: no statement of their own
    return row.User if sessions.is_valid(row.User) else None


@bp.before_app_request
def _sessions_and_first_password():
    """Load the user afresh for each request (an application context kept across requests, as the
    tests keep one, would otherwise keep the last request's), keep every session on the idle
    time-out, and send a user with a one-time password to change it first."""
    g.pop("_login_user", None)
    if session and not session.permanent:
        session.permanent = True
    if current_user.is_authenticated and current_user.must_change_password \
            and request.endpoint not in _BEFORE_PASSWORD_CHANGE:
        return redirect(url_for("auth.change_password"))
    return None


@bp.get("/")
@access("staff")
def home():
    return redirect(url_for(HOME_ENDPOINTS[current_user.role]))


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable()).strip()[:80]


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    """Every wrong password counts against the name typed and the address; a locked name or address
    is refused even with the right password, with a message that does not tell whether it exists."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        name = _printable(form.username.data)
        keys = (throttle.account_key(name), throttle.address_key(request.remote_addr))
        if throttle.is_locked(*keys):
            audit.record("auth.login_locked", actor_label=f"login:{name}"[:120])
            db.session.commit()
            form.password.errors.append(_("Đăng nhập tạm khóa do nhập sai mật khẩu nhiều lần. Thử lại sau "
                                          "%(minutes)s phút hoặc liên hệ quản trị hệ thống.",
                                          minutes=_lockout_minutes()))
            status = 429
        else:
            user = db.session.scalar(select(User).where(func.lower(User.username) == name.lower())) if name else None
            right = user.check_password(form.password.data) if user is not None else \
                check_password_hash(_DUMMY_HASH, form.password.data)
            if user is None or not right or not user.active:
                throttle.record_failure(*keys)
                audit.record("auth.login_failed", actor=user, actor_label=f"login:{name}"[:120])
                db.session.commit()
                form.password.errors.append(_("Sai tên đăng nhập hoặc mật khẩu."))
            else:
                throttle.clear(keys[0])
                sessions.start(user)
                audit.record("auth.login", actor=user, target=f"user:{user.id}")
                db.session.commit()
                if user.must_change_password:
                    return redirect(url_for("auth.change_password"))
                return redirect(safe_target(request.args.get("next"), url_for(HOME_ENDPOINTS[user.role])))
    return render_template("auth/login.html", form=form), status


def _lockout_minutes() -> int:
    from flask import current_app

    return int(current_app.config["ONESTOP_LOGIN_LOCKOUT_MINUTES"])


@bp.post("/logout")
@access("public")
def logout():
    """Ends this session and every other session of the account (a copied cookie included)."""
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        sessions.end_everywhere(user)
        audit.record("auth.logout", actor=user, target=f"user:{user.id}")
        db.session.commit()
    logout_user()
    session.pop(sessions.VERSION_KEY, None)
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@access("staff")
def change_password():
    """Every user changes their own password; one with a one-time password must, before anything else."""
    form = PasswordChangeForm()
    page = "auth/password.html"
    if not form.validate_on_submit():
        return render_template(page, form=form), 422 if form.is_submitted() else 200
    user = db.session.get(User, current_user.id)

    def done(_result):
        sessions.keep_this_one(user)
        flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
        return redirect(url_for("auth.home"))

    def refused(reason: str):
        form.new.errors.append(reason)
        return render_template(page, form=form), 422

    return submit(lambda: operations.change_password(user, current=form.current.data, new=form.new.data),
                  then=done, otherwise=refused)
