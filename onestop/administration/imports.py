"""Bulk onboarding: staff and agencies from a list, checked row by row, then applied at once.

``plan_*`` checks every row against the database and the rest of the file and says, for each, what
applying would do (create, update, nothing) or why it cannot (every error of the row, in the
user's language). ``apply_*`` runs the plan's changes through the same operations as the pages,
only when no row has an error: a list goes in whole or not at all, so an admin fixes the file and
tries again. A file applied twice changes nothing the second time: rows are matched by login name
or agency code, and a row equal to what is stored is left alone (a new account's one-time password
is made once, when it is created). ``export_*`` write the lists as they are now, in the same columns.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from onestop.administration.forms import ROLE_LABELS
from onestop.administration.sheets import Column
from onestop.agencies import operations as agency_operations
from onestop.agencies.models import Agency
from onestop.auth import operations as user_operations
from onestop.auth.models import User
from onestop.auth.passwords import ONE_TIME_HASH
from onestop.core.folding import fold
from onestop.extensions import db

STAFF_COLUMNS = [Column("username", "Tên đăng nhập"), Column("full_name", "Họ và tên"), Column("email", "Thư điện tử"),
                 Column("phone", "Điện thoại"), Column("role", "Vai trò"), Column("agency", "Mã đơn vị"),
                 Column("active", "Đang hoạt động")]
AGENCY_COLUMNS = [Column("code", "Mã đơn vị"), Column("name", "Tên đơn vị"), Column("level", "Cấp"),
                  Column("parent", "Mã đơn vị cấp trên"), Column("sectors", "Lĩnh vực"),
                  Column("has_desk", "Có bộ phận một cửa"), Column("active", "Đang hoạt động")]
_YES, _NO = {"1", "x", "co", "yes", "true", "đ", "dung"}, {"0", "khong", "no", "false", "sai"}
_ROLES = {fold(str(label)): key for key, label in ROLE_LABELS.items()} | {key: key for key in ROLE_LABELS} | {
    "can bo mot cua": "clerk", "chuyen vien": "officer", "lanh dao": "supervisor", "quan tri": "admin"}


@dataclass
class Row:
    line: int
    values: dict[str, str]
    #: ``create``, ``update``, ``unchanged``; None while it has errors
    action: str | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Plan:
    kind: str
    rows: list[Row]

    @property
    def ok(self) -> bool:
        return all(not r.errors for r in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _flag(text: str, default: bool) -> bool | None:
    folded = fold(text)
    if not folded:
        return default
    return True if folded in _YES else False if folded in _NO else None


# -- staff --------------------------------------------------------------------------------------

def plan_staff(actor: User, rows: list[tuple[int, dict[str, str]]]) -> Plan:
    names = [v.get("username", "").strip().lower() for _line, v in rows]
    existing = {u.username.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.username).in_([n for n in names if n])))}
    every_login = _every_login()
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    seen: dict[str, int] = {}
    plan = Plan("staff", [])
    for line, values in rows:
        row = Row(line, values)
        plan.rows.append(row)
        username = values.get("username", "").strip().lower()
        role = _ROLES.get(fold(values.get("role", "")), values.get("role", "").strip())
        code = values.get("agency", "").strip().upper()
        agency = agencies.get(code)
        active = _flag(values.get("active", ""), True)
        if username in seen:
            row.errors.append(_("Tên đăng nhập %(name)s trùng với dòng %(line)s.", name=username, line=seen[username]))
        seen.setdefault(username, line)
        if code and agency is None:
            row.errors.append(_("Không có đơn vị mã %(code)s.", code=code))
        if active is None:
            row.errors.append(_("Cột «Đang hoạt động»: ghi có hoặc không."))
        user = existing.get(username)
        if user is not None and not user_operations.can_manage(actor, user):
            row.errors.append(_("Bạn không có quyền sửa tài khoản %(name)s.", name=username))
        problems = user_operations.field_problems(
            username=username, full_name=values.get("full_name", "").strip(), email=values.get("email") or None,
            phone=values.get("phone") or None, role=role, agency=agency, actor=actor, user=user,
            taken=lambda name: name in every_login and name not in existing)
        row.errors += [m for k, m in problems.items() if not (k == "agency" and code and agency is None)]
        if row.errors:
            continue
        wanted = {"username": username, "full_name": values.get("full_name", "").strip(),
                  "email": (values.get("email") or "").strip() or None,
                  "phone": user_operations.clean_phone(values.get("phone")), "role": role, "agency": code,
                  "active": active}
        if user is None:
            row.action = "create"
        else:
            now = user_operations.snapshot(user)
            row.action = "unchanged" if now == wanted else "update"
    return plan


def _every_login() -> set[str]:
    return {name.lower() for name in db.session.scalars(select(User.username))}


def apply_staff(actor: User, plan: Plan) -> list[tuple[User, str]]:
    """Apply a plan without errors; the accounts created, each with its one-time password."""
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    every_login = _every_login()
    created = []
    for row in plan.rows:
        if row.action not in ("create", "update"):
            continue
        v = row.values
        fields = {"username": v.get("username", "").strip().lower(), "full_name": v.get("full_name", "").strip(),
                  "email": v.get("email") or None, "phone": v.get("phone") or None,
                  "role": _ROLES.get(fold(v.get("role", "")), v.get("role", "").strip()),
                  "agency": agencies[v.get("agency", "").strip().upper()]}
        active = _flag(v.get("active", ""), True)
        if row.action == "create":
            user, password = user_operations.create_user(actor, password_method=ONE_TIME_HASH,
                                                         taken=every_login.__contains__, **fields)
            every_login.add(user.username)
            created.append((user, password))
            if not active:
                user_operations.set_active(actor, user, False)
        else:
            user = db.session.scalar(select(User).where(func.lower(User.username) == fields["username"]))
            user_operations.update_user(actor, user, taken=lambda name: False, **fields)
            if user.active != active:
                user_operations.set_active(actor, user, active)
    return created


def export_staff(actor: User) -> list[dict]:
    users = db.session.scalars(select(User).where(user_operations.manageable(actor)).order_by(User.username)).all()
    codes = dict(db.session.execute(select(Agency.id, Agency.code)).all())
    return [{"username": u.username, "full_name": u.full_name, "email": u.email or "", "phone": u.phone or "",
             "role": u.role.value, "agency": codes[u.agency_id], "active": "có" if u.active else "không"}
            for u in users]


# -- agencies -----------------------------------------------------------------------------------

def _agency_fields(values: dict[str, str]) -> dict:
    return {"code": values.get("code", "").strip().upper(), "name": values.get("name", "").strip(),
            "level": values.get("level", "").strip().lower(),
            "sectors": ",".join(sorted({s.strip().lower() for s in values.get("sectors", "").replace(";", ",").split(",")
                                        if s.strip()})),
            "has_desk": _flag(values.get("has_desk", ""), False), "active": _flag(values.get("active", ""), True),
            "parent": values.get("parent", "").strip().upper() or None}


def plan_agencies(rows: list[tuple[int, dict[str, str]]]) -> Plan:
    existing = {a.code: a for a in db.session.scalars(select(Agency))}
    codes_in_file = {_agency_fields(v)["code"] for _line, v in rows}
    in_file: dict[str, int] = {}
    plan = Plan("agencies", [])
    for line, values in rows:
        row = Row(line, values)
        plan.rows.append(row)
        f = _agency_fields(values)
        if f["code"] in in_file:
            row.errors.append(_("Mã đơn vị %(code)s trùng với dòng %(line)s.", code=f["code"], line=in_file[f["code"]]))
        in_file.setdefault(f["code"], line)
        for key, label in (("has_desk", "Có bộ phận một cửa"), ("active", "Đang hoạt động")):
            if f[key] is None:
                row.errors.append(_("Cột «%(column)s»: ghi có hoặc không.", column=label))
        agency = existing.get(f["code"])
        parent_known = f["parent"] is None or f["parent"] in existing or f["parent"] in codes_in_file
        if not parent_known:
            row.errors.append(_("Không có đơn vị cấp trên mã %(code)s.", code=f["parent"]))
        if f["parent"] == f["code"]:
            row.errors.append(_("Một đơn vị không thể trực thuộc chính nó."))
        problems = agency_operations.field_problems(code=f["code"], name=f["name"], level=f["level"],
                                                    sectors=f["sectors"], parent=None, agency=agency)
        row.errors += list(problems.values())
        if row.errors:
            continue
        if agency is None:
            row.action = "create"
        else:
            now = agency_operations.snapshot(agency)
            wanted = {k: f[k] for k in ("code", "name", "level", "sectors", "has_desk", "active", "parent")}
            row.action = "unchanged" if now == wanted else "update"
    return plan


def apply_agencies(actor: User, plan: Plan) -> int:
    """Apply a plan without errors, parents before children; how many agencies changed.
    A change the tree checks refuse (a running dossier would lose its holder) raises ``OperationError``."""
    pending = [r for r in plan.rows if r.action in ("create", "update")]
    changed = 0
    while pending:
        codes = {a.code: a for a in db.session.scalars(select(Agency))}
        waiting_for = {_agency_fields(r.values)["code"] for r in pending if r.action == "create"}
        ready = [r for r in pending if _agency_fields(r.values)["parent"] not in waiting_for]
        if not ready:
            raise agency_operations.AgencyError(_("Các đơn vị trong tệp trực thuộc lẫn nhau thành vòng."))
        for row in ready:
            f = _agency_fields(row.values)
            parent = codes.get(f["parent"]) if f["parent"] else None
            if row.action == "create":
                agency = agency_operations.create_agency(actor=actor, code=f["code"], name=f["name"], level=f["level"],
                                                         parent=parent, sectors=f["sectors"], has_desk=f["has_desk"])
                codes[agency.code] = agency
            else:
                agency = codes[f["code"]]
                agency_operations.update_agency(actor, agency, code=f["code"], name=f["name"], level=f["level"],
                                                sectors=f["sectors"], has_desk=f["has_desk"], parent=parent)
            if agency.active != f["active"]:
                agency_operations.set_agency_active(actor, agency, f["active"])
            changed += 1
        pending = [r for r in pending if r not in ready]
    return changed


def export_agencies() -> list[dict]:
    agencies = db.session.scalars(select(Agency).order_by(Agency.path)).all()
    codes = {a.id: a.code for a in agencies}
    return [{"code": a.code, "name": a.name, "level": a.level, "parent": codes.get(a.parent_id, ""),
             "sectors": a.sectors, "has_desk": "có" if a.has_desk else "không",
             "active": "có" if a.active else "không"} for a in agencies]
