"""What administrators and supervisors do to staff accounts, and what every user does to their own.

Who may manage whom: an admin, everyone; a supervisor, the staff of their own agency subtree, never
an admin account and never their own (no one raises or moves themselves); nobody else. Accounts are
never deleted (history keeps the names): they are deactivated, which also ends their sessions.
Every change is written to the audit trail with the fields before and after. Verbs flush, never
commit, and raise ``OperationError`` with the reason when refused.
"""
import re
from collections.abc import Callable

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select, true

from onestop.agencies.models import Agency
from onestop.agencies.operations import tree_check
from onestop.auth import passwords, sessions, throttle
from onestop.auth.models import Role, User
from onestop.auth.scope import scope_agency_ids
from onestop.core import audit, clock
from onestop.core.errors import OperationError
from onestop.core.folding import ascii_digits
from onestop.extensions import db

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
#: the roles a supervisor may give (never admin)
SUPERVISOR_ROLES = (Role.CLERK, Role.OFFICER, Role.SUPERVISOR)


def snapshot(user: User) -> dict:
    """The audited fields of an account."""
    return {"username": user.username, "full_name": user.full_name, "email": user.email, "phone": user.phone,
            "role": user.role.value, "agency": user.agency.code if user.agency else None, "active": user.active}


# -- who may manage whom ------------------------------------------------------------------------

def may_manage_staff(actor: User) -> bool:
    return actor.is_authenticated and actor.active and actor.role in (Role.ADMIN, Role.SUPERVISOR)


def manageable(actor: User) -> ColumnElement[bool]:
    """SQL: the accounts ``actor`` may see and change on the staff pages."""
    if actor.role == Role.ADMIN:
        return true()
    return User.agency_id.in_(scope_agency_ids(actor)) & (User.role != Role.ADMIN) & (User.id != actor.id)


def in_agency_scope(actor: User, agency: Agency) -> bool:
    return actor.role == Role.ADMIN or (actor.role == Role.SUPERVISOR and agency.path.startswith(actor.agency.path))


def can_manage(actor: User, user: User) -> bool:
    if not may_manage_staff(actor):
        return False
    if actor.role == Role.ADMIN:
        return True
    return user.id != actor.id and user.role != Role.ADMIN and in_agency_scope(actor, user.agency)


def roles_for(actor: User) -> tuple[Role, ...]:
    return tuple(Role) if actor.role == Role.ADMIN else SUPERVISOR_ROLES


# -- the fields of an account -------------------------------------------------------------------

def clean_phone(phone: str | None) -> str | None:
    digits = ascii_digits(phone)
    return digits or None


def field_problems(*, username: str, full_name: str, email: str | None, phone: str | None, role: str,
                   agency: Agency | None, actor: User, user: User | None = None,
                   taken: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Every field error of an account's details, by field name, in the user's language.
    ``taken(name)``: whether another account has that login (a bulk import asks a set it read once)."""
    errors: dict[str, str] = {}
    if not USERNAME.match(username or ""):
        errors["username"] = _("Tên đăng nhập 3–80 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới.")
    elif (taken(username.lower()) if taken is not None else db.session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower(),
                                  User.id != (user.id if user else -1))) is not None):
        errors["username"] = _("Tên đăng nhập %(name)s đã có người dùng.", name=username)
    if not (full_name or "").strip() or len(full_name) > 200 or any(not ch.isprintable() for ch in full_name):
        errors["full_name"] = _("Nhập họ và tên (tối đa 200 ký tự).")
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
        if len(email) > 200:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if phone and not 9 <= len(clean_phone(phone) or "") <= 11:
        errors["phone"] = _("Số điện thoại có 9–11 chữ số.")
    allowed = {r.value for r in roles_for(actor)}
    if role not in allowed:
        errors["role"] = _("Vai trò không hợp lệ: chọn một trong %(roles)s.", roles=", ".join(sorted(allowed)))
    if agency is None or not agency.active:
        errors["agency"] = _("Đơn vị không tồn tại hoặc đã ngừng hoạt động.")
    elif not in_agency_scope(actor, agency):
        errors["agency"] = _("Bạn chỉ quản lý cán bộ của đơn vị mình và các đơn vị trực thuộc.")
    elif role == Role.CLERK.value and not agency.has_desk:
        errors["role"] = _("Đơn vị %(agency)s không có bộ phận một cửa: không thể có cán bộ một cửa.", agency=agency.name)
    return errors


def _check(actor: User, user: User | None, taken=None, **fields) -> None:
    errors = field_problems(actor=actor, user=user, taken=taken, **fields)
    if errors:
        raise OperationError(" ".join(errors.values()))


@tree_check
def closed_agencies_have_no_active_staff() -> str | None:
    """A tree check (``agencies/operations.py``): an agency is closed only once its staff are moved or
    deactivated."""
    row = db.session.execute(select(Agency.name, func.count(User.id)).join(User, User.agency_id == Agency.id)
                             .where(~Agency.active, User.active).group_by(Agency.id, Agency.name).limit(1)).first()
    if row is None:
        return None
    return _("%(agency)s còn %(n)s cán bộ đang hoạt động: chuyển hoặc khóa các tài khoản trước.",
             agency=row[0], n=row[1])


# -- the verbs ----------------------------------------------------------------------------------

def create_user(actor: User, *, username: str, full_name: str, role: str, agency: Agency, email: str | None = None,
                phone: str | None = None, password: str | None = None,
                password_method: str | None = None, taken: Callable[[str], bool] | None = None) -> tuple[User, str]:
    """A new account with a one-time password (``password``, else one made up): it must be changed
    at the first login. Returns the account and the one-time password, to hand to its owner."""
    if not may_manage_staff(actor):
        raise OperationError(_("Bạn không có quyền quản lý cán bộ."))
    username, email = (username or "").strip().lower(), (email or "").strip() or None
    _check(actor, None, taken, username=username, full_name=full_name, email=email, phone=phone, role=role,
           agency=agency)
    one_time = password or passwords.one_time_password()
    if password:
        _password_or_refuse(password, username=username, full_name=full_name, email=email)
    user = User(username=username, full_name=full_name.strip(), email=email, phone=clean_phone(phone),
                role=Role(role), agency=agency, active=True, must_change_password=True)
    user.set_password(one_time, method=password_method if not password else None)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor=actor, target=f"user:{user.id}", after=snapshot(user))
    return user, one_time


def update_user(actor: User, user: User, *, username: str, full_name: str, role: str, agency: Agency,
                email: str | None = None, phone: str | None = None, taken: Callable[[str], bool] | None = None) -> bool:
    """Change an account's details; True when anything changed."""
    if not can_manage(actor, user):
        raise OperationError(_("Bạn không có quyền sửa tài khoản này."))
    username, email = (username or "").strip().lower(), (email or "").strip() or None
    _check(actor, user, taken, username=username, full_name=full_name, email=email, phone=phone, role=role,
           agency=agency)
    before = snapshot(user)
    user.username, user.full_name, user.email, user.phone = username, full_name.strip(), email, clean_phone(phone)
    user.role, user.agency = Role(role), agency
    after = snapshot(user)
    if after == before:
        return False
    if (before["role"], before["agency"]) != (after["role"], after["agency"]):
        sessions.end_everywhere(user)  # what they may see changed: their pages start afresh
    db.session.flush()
    audit.record("user.update", actor=actor, target=f"user:{user.id}", before=before, after=after)
    return True


def set_active(actor: User, user: User, active: bool) -> bool:
    """Deactivate (their sessions end at once) or reactivate an account; True when it changed."""
    if not can_manage(actor, user) or user.id == actor.id:
        raise OperationError(_("Bạn không có quyền khóa hoặc mở tài khoản này."))
    if user.active == active:
        return False
    if active and not user.agency.active:
        raise OperationError(_("Đơn vị %(agency)s đã ngừng hoạt động: chuyển tài khoản sang đơn vị khác trước.",
                               agency=user.agency.name))
    before = snapshot(user)
    user.active = active
    if not active:
        sessions.end_everywhere(user)
    db.session.flush()
    audit.record("user.activate" if active else "user.deactivate", actor=actor, target=f"user:{user.id}",
                 before=before, after=snapshot(user))
    return True


def reset_password(actor: User, user: User, password: str | None = None) -> str:
    """Give the account a one-time password (``password``, else one made up) and end its sessions."""
    if not can_manage(actor, user):
        raise OperationError(_("Bạn không có quyền đặt lại mật khẩu tài khoản này."))
    if password:
        _password_or_refuse(password, username=user.username, full_name=user.full_name, email=user.email or "")
    one_time = password or passwords.one_time_password()
    user.set_password(one_time)
    user.must_change_password = True
    sessions.end_everywhere(user)
    throttle.clear(throttle.account_key(user.username))
    db.session.flush()
    audit.record("user.password_reset", actor=actor, target=f"user:{user.id}")
    return one_time


def change_password(user: User, *, current: str, new: str) -> None:
    """The user changes their own password: every other session of theirs ends."""
    if not user.check_password(current or ""):
        raise OperationError(_("Mật khẩu hiện tại không đúng."))
    if new == current:
        raise OperationError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    _password_or_refuse(new, username=user.username, full_name=user.full_name, email=user.email or "")
    user.set_password(new)
    user.must_change_password = False
    user.password_changed_at = clock.now()
    sessions.end_everywhere(user)
    db.session.flush()
    audit.record("user.password_change", actor=user, target=f"user:{user.id}")


def lift_lock(actor: User, key: str) -> bool:
    """Lift a login lockout (an admin's act); True when there was one."""
    if actor.role != Role.ADMIN:
        raise OperationError(_("Chỉ quản trị hệ thống được mở khóa đăng nhập."))
    lifted = throttle.lift(key)
    if lifted:
        audit.record("auth.lock_lift", actor=actor, target=key[:120])
    return lifted


def _password_or_refuse(password: str, **account) -> None:
    reason = passwords.problem(password, **account)
    if reason:
        raise OperationError(reason)
