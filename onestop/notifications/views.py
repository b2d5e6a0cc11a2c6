from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, update

from onestop.auth.access import access
from onestop.core import clock
from onestop.core.urls import safe_target
from onestop.dossiers.notices import Notification
from onestop.extensions import db

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@access("staff")
def index():
    items = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(200)).all()
    return render_template("notifications/index.html", items=items)


@bp.post("/read")
@access("staff")
def mark_read():
    """Mark one (``id``) or all of the user's notifications as read."""
    stmt = update(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
    one = request.form.get("id", type=int)
    if one:
        stmt = stmt.where(Notification.id == one)
    db.session.execute(stmt.values(read_at=clock.now()))
    db.session.commit()
    return redirect(safe_target(request.form.get("next"), url_for("notifications.index")))
