"""The agency tree's own operations: create, edit (rename, re-code, move, level, sectors, desk),
deactivate and reactivate. Agencies are never deleted: dossiers and history keep pointing at them.

A change that could strand work (an edit, a deactivation) is flushed and then put to the tree
checks registered with ``tree_check``: the features above the tree that know what depends on it
(``dossiers/tree_check.py``: every running dossier keeps a possible holder for each of its
procedure's steps) answer with a reason, and the change is refused with it (the caller's
transaction rolls back). With no check registered such a change is refused outright, so a check
that was not loaded can never be skipped silently. Every change is written to the audit trail.
"""
import re
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.core import audit
from onestop.core.errors import OperationError
from onestop.extensions import db

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]{0,19}$")

#: the registered checks: each returns why the tree as flushed now cannot be kept, or None
TREE_CHECKS: list[Callable[[], str | None]] = []


class AgencyError(OperationError, ValueError):
    pass


def tree_check(fn: Callable[[], str | None]) -> Callable[[], str | None]:
    """Register ``fn`` as a check every tree change must pass."""
    if fn not in TREE_CHECKS:
        TREE_CHECKS.append(fn)
    return fn


def snapshot(agency: Agency) -> dict:
    parent = db.session.get(Agency, agency.parent_id) if agency.parent_id else None
    return {"code": agency.code, "name": agency.name, "level": agency.level, "sectors": agency.sectors,
            "has_desk": agency.has_desk, "parent": parent.code if parent else None, "active": agency.active}


def field_problems(*, code: str, name: str, level: str, sectors: str, parent: Agency | None,
                   agency: Agency | None = None) -> dict[str, str]:
    """Every field error of an agency's details, by field name, in the user's language."""
    known = structure()
    errors: dict[str, str] = {}
    if not CODE.match(code or ""):
        errors["code"] = _("Mã đơn vị 1–20 ký tự: chữ in hoa không dấu, số, gạch dưới.")
    elif db.session.scalar(select(Agency.id).where(func.upper(Agency.code) == code,
                                                   Agency.id != (agency.id if agency else -1))) is not None:
        errors["code"] = _("Mã đơn vị %(code)s đã được dùng.", code=code)
    if not (name or "").strip() or len(name) > 200 or any(not ch.isprintable() for ch in name):
        errors["name"] = _("Nhập tên đơn vị (tối đa 200 ký tự).")
    if level not in known.levels:
        errors["level"] = _("Cấp không hợp lệ: chọn một trong %(levels)s.", levels=", ".join(known.levels))
    unknown = sorted({s for s in sectors.split(",") if s} - known.sectors)
    if unknown:
        errors["sectors"] = _("Lĩnh vực không có trong danh mục: %(sectors)s.", sectors=", ".join(unknown))
    if parent is not None:
        if not parent.active:
            errors["parent"] = _("Đơn vị cấp trên %(name)s đã ngừng hoạt động.", name=parent.name)
        elif agency is not None and agency.id is not None and parent.path.startswith(agency.path):
            errors["parent"] = _("Không thể chuyển một đơn vị vào chính nó hoặc đơn vị trực thuộc nó.")
    return errors


def _refuse_problems(**fields) -> None:
    problems = field_problems(**fields)
    if problems:
        raise AgencyError(" ".join(problems.values()))


def _normal_sectors(sectors: str) -> str:
    return ",".join(sorted({s.strip() for s in (sectors or "").split(",") if s.strip()}))


def create_agency(*, code: str, name: str, level: str, parent: Agency | None = None,
                  sectors: str = "", has_desk: bool = False, actor=None) -> Agency:
    """A new agency under ``parent`` (a root when None). Adding an agency cannot strand work."""
    sectors = _normal_sectors(sectors)
    _refuse_problems(code=code, name=name, level=level, sectors=sectors, parent=parent)
    agency = Agency(code=code, name=name.strip(), level=level, parent=parent, sectors=sectors,
                    has_desk=has_desk, active=True)
    db.session.add(agency)
    db.session.flush()
    agency.path = (parent.path if parent else "/") + f"{agency.id}/"
    db.session.flush()
    if actor is not None:
        audit.record("agency.create", actor=actor, target=f"agency:{agency.id}", after=snapshot(agency))
    return agency


def update_agency(actor, agency: Agency, *, code: str, name: str, level: str, sectors: str, has_desk: bool,
                  parent: Agency | None) -> bool:
    """Rename, re-code, move under ``parent``, set level, sectors and desk; True when anything changed.
    Refused when a running dossier would be left without a possible holder."""
    sectors = _normal_sectors(sectors)
    _refuse_problems(code=code, name=name, level=level, sectors=sectors, parent=parent, agency=agency)
    before = snapshot(agency)
    agency.code, agency.name, agency.level, agency.sectors, agency.has_desk = code, name.strip(), level, sectors, has_desk
    if (parent.id if parent else None) != agency.parent_id:
        _move(agency, parent)
    after = snapshot(agency)
    if after == before:
        return False
    db.session.flush()
    _check_tree()
    audit.record("agency.update", actor=actor, target=f"agency:{agency.id}", before=before, after=after)
    return True


def _move(agency: Agency, parent: Agency | None) -> None:
    """Re-hang the agency and its whole subtree: one UPDATE rewrites every path under it."""
    old = agency.path
    new = (parent.path if parent else "/") + f"{agency.id}/"
    agency.parent = parent
    db.session.flush()
    db.session.execute(update(Agency).where(Agency.path.startswith(old)).values(
        path=new + func.substr(Agency.path, len(old) + 1)).execution_options(synchronize_session=False))
    db.session.expire_all()


def set_agency_active(actor, agency: Agency, active: bool) -> bool:
    """Close or reopen an agency; True when it changed. A closed agency holds and gets no work:
    refused while it has open sub-agencies, or when a check says something needs it (its active
    staff, ``auth/operations.py``; running dossiers, ``dossiers/tree_check.py``)."""
    if agency.active == active:
        return False
    before = snapshot(agency)
    if not active:
        children = db.session.scalar(select(func.count()).select_from(Agency).where(
            Agency.parent_id == agency.id, Agency.active))
        if children:
            raise AgencyError(_("%(agency)s còn %(n)s đơn vị trực thuộc đang hoạt động.", agency=agency.name, n=children))
    elif agency.parent is not None and not agency.parent.active:
        raise AgencyError(_("Đơn vị cấp trên %(name)s đã ngừng hoạt động.", name=agency.parent.name))
    agency.active = active
    db.session.flush()
    if not active:
        _check_tree()
    audit.record("agency.activate" if active else "agency.deactivate", actor=actor, target=f"agency:{agency.id}",
                 before=before, after=snapshot(agency))
    return True


def _check_tree() -> None:
    if not TREE_CHECKS:
        raise AgencyError(_("Không kiểm tra được hồ sơ đang giải quyết; thay đổi chưa được lưu."))
    for check in TREE_CHECKS:
        reason = check()
        if reason:
            raise AgencyError(reason)
