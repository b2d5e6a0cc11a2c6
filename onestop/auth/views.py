from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from onestop.auth.access import access
from onestop.auth.forms import LoginForm
from onestop.auth.models import Role, User
from onestop.core.urls import safe_target
from onestop.extensions import db, login_manager

bp = Blueprint("auth", __name__)

HOME_ENDPOINTS = {
    Role.CLERK: "desk.queue",
    Role.OFFICER: "casework.inbox",
    Role.SUPERVISOR: "reports.overdue",
    Role.ADMIN: "reports.overdue",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@bp.get("/")
@access("staff")
def home():
    return redirect(url_for(HOME_ENDPOINTS[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.check_password(form.password.data) or not user.active:
            form.password.errors.append(_("Sai tên đăng nhập hoặc mật khẩu."))
        else:
            login_user(user)
            return redirect(safe_target(request.args.get("next"), url_for(HOME_ENDPOINTS[user.role])))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@access("public")
def logout():
    logout_user()
    flash(_("Đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))
