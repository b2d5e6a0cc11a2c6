"""The audit trail for admins: who did what, when, from where; filtered by person, kind and date,
paged, and exported to XLSX (every text cell made safe: no control characters, no live formula)."""
import io
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required
from openpyxl import Workbook
from sqlalchemy import String, cast, func, literal, or_, select

from onestop.administration.scope import page_number, require_admin
from onestop.administration.sheets import XLSX_MIME, cell
from onestop.auth.access import access
from onestop.auth.models import User
from onestop.core.audit import AuditEntry
from onestop.core.calendar import VN_TZ, local_time_text
from onestop.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
EXPORT_LIMIT = 100_000
#: the kinds offered in the filter (a group, ``auth``, or one kind; any other typed in the URL works too)
KINDS = ("auth", "auth.login", "auth.login_failed", "auth.login_locked", "auth.logout", "auth.lock_lift",
         "user", "user.create", "user.update", "user.activate", "user.deactivate", "user.password_reset",
         "user.password_change", "agency", "agency.create", "agency.update", "agency.activate", "agency.deactivate",
         "absence", "absence.create", "absence.cancel", "calendar", "calendar.override_add",
         "calendar.override_remove", "reminder_rule", "reminder_rule.save", "reminder_rule.remove",
         "attachment.download", "online_file.download", "citizen.lookup")


@bp.before_request
@login_required
def _admins_only():
    require_admin()


def _day(name: str):
    text = request.args.get(name, "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day
    return None


def _filters():
    """The filters from the query string (a bad value is dropped, never an error) and their SQL."""
    person = "".join(ch for ch in request.args.get("person", "") if ch.isprintable()).strip()[:80]
    kind = "".join(ch for ch in request.args.get("kind", "") if ch.isprintable()).strip()[:60]
    start, end = _day("from"), _day("to")
    where = []
    if person:
        ids = select(User.id).where(or_(func.lower(User.username) == person.lower(),
                                        func.lower(User.full_name).contains(person.lower(), autoescape=True)))
        where.append(or_(AuditEntry.actor_id.in_(ids), AuditEntry.actor_label == f"login:{person}",
                         AuditEntry.target.in_(select(literal("user:") + cast(User.id, String)).where(User.id.in_(ids)))))
    if kind:
        where.append(AuditEntry.kind == kind if "." in kind else AuditEntry.kind.startswith(kind + ".", autoescape=True))
    if start:
        where.append(AuditEntry.at >= datetime.combine(start, time(), VN_TZ))
    if end:
        where.append(AuditEntry.at < datetime.combine(end + timedelta(days=1), time(), VN_TZ))
    return {"person": person, "kind": kind, "from": start.isoformat() if start else "",
            "to": end.isoformat() if end else ""}, where


@bp.get("/")
@access("admin")
def index():
    filters, where = _filters()
    query = select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    page = db.paginate(query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False,
                       count=False)
    actors = _actors(page.items)
    kinds = KINDS
    return render_template("administration/audit.html", page=page, actors=actors, kinds=kinds, filters=filters,
                           has_next=len(page.items) == page.per_page)


def _actors(entries) -> dict[int, User]:
    ids = {e.actor_id for e in entries if e.actor_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@bp.get("/export.xlsx")
@access("admin")
def export():
    filters, where = _filters()
    entries = db.session.scalars(select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                 .limit(EXPORT_LIMIT)).all()
    actors = _actors(entries)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhat ky")
    sheet.append(["Thời gian", "Người thực hiện", "Tên đăng nhập", "Loại", "Đối tượng", "Địa chỉ", "Trước", "Sau",
                  "Ghi chú"])
    for e in entries:
        actor = actors.get(e.actor_id)
        sheet.append([cell(local_time_text(e.at, "%d/%m/%Y %H:%M:%S")), cell(actor.full_name if actor else ""),
                      cell(actor.username if actor else (e.actor_label or "")), cell(e.kind), cell(e.target or ""),
                      cell(e.address or ""), cell(_json(e.before)), cell(_json(e.after)), cell(e.note or "")])
    buffer = io.BytesIO()
    book.save(buffer)
    answer = Response(buffer.getvalue(), mimetype=XLSX_MIME)
    answer.headers["Content-Disposition"] = 'attachment; filename="nhat-ky.xlsx"'
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _json(value) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
