"""Who may open the administration pages, and the lookups that answer 404 outside scope."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.auth.operations import manageable, may_manage_staff
from onestop.auth.scope import scope_agency_ids
from onestop.extensions import db


def require_staff_manager() -> None:
    """Admins and supervisors; anyone else gets the 404 of an unknown page."""
    if not may_manage_staff(current_user):
        abort(404)


def require_admin() -> None:
    if not (current_user.is_authenticated and current_user.active and current_user.role == Role.ADMIN):
        abort(404)


def page_number(limit: int = 100_000) -> int:
    """``?page=``: a whole number from 1, anything else (huge, negative, not a number) the nearest valid page."""
    from flask import request

    text = request.args.get("page", "1")
    return min(max(int(text), 1), limit) if text.isdecimal() and len(text) < 8 else (limit if text.isdecimal() else 1)


def user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id, manageable(current_user)))
    if user is None:
        abort(404)
    return user


def agencies_in_scope(active_only: bool = True) -> list[Agency]:
    """The agencies the current manager may put staff in, in tree order."""
    query = select(Agency).order_by(Agency.path)
    if current_user.role != Role.ADMIN:
        query = query.where(Agency.id.in_(scope_agency_ids(current_user)))
    if active_only:
        query = query.where(Agency.active)
    return list(db.session.scalars(query))
