"""Bulk import and export of staff and agencies (admins only).

Upload a list (XLSX or CSV): the dry run shows every row with what applying would do and every
error in Vietnamese; nothing is written. The page keeps the rows read (as JSON in the apply form),
so "apply" needs no second upload; they are checked again in full before anything is written.
"""
import json

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from onestop.administration import imports, sheets
from onestop.administration.scope import require_admin
from onestop.auth.access import access
from onestop.core.submit import submit
from onestop.dossiers import tree_check  # noqa: F401  (registers the running-dossier check)

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")
KINDS = {"staff": imports.STAFF_COLUMNS, "agencies": imports.AGENCY_COLUMNS}


@bp.before_request
@login_required
def _admins_only():
    require_admin()


def _page(status: int = 200, **context):
    return render_template("administration/imports.html", kinds=KINDS, **context), status


@bp.get("/")
@access("admin")
def index():
    return _page()


def _plan(kind: str, rows):
    return imports.plan_staff(current_user, rows) if kind == "staff" else imports.plan_agencies(rows)


@bp.post("/check")
@access("admin")
def check():
    """The dry run: nothing is written."""
    kind = request.form.get("kind", "")
    upload = request.files.get("file")
    if kind not in KINDS:
        return _page(422, error=_("Chọn loại danh sách."))
    if upload is None or not upload.filename:
        return _page(422, error=_("Chọn tệp danh sách (.xlsx hoặc .csv)."), kind=kind)
    try:
        rows = sheets.read(upload.filename, upload.read(), KINDS[kind])
    except sheets.SheetError as exc:
        return _page(422, error=str(exc), kind=kind)
    if not rows:
        return _page(422, error=_("Tệp không có dòng nào."), kind=kind)
    plan = _plan(kind, rows)
    return _page(200 if plan.ok else 422, plan=plan, kind=kind, columns=KINDS[kind],
                 rows_json=json.dumps([[line, values] for line, values in rows], ensure_ascii=False))


@bp.post("/apply")
@access("admin")
def apply():
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        return _page(422, error=_("Dữ liệu kiểm tra không hợp lệ; tải tệp lên lại."))
    try:
        rows = [(int(line), {str(k): str(v) for k, v in values.items()})
                for line, values in json.loads(request.form.get("rows", "[]"))][:sheets.MAX_ROWS]
    except (ValueError, TypeError, AttributeError):
        return _page(422, error=_("Dữ liệu kiểm tra không hợp lệ; tải tệp lên lại."), kind=kind)
    plan = _plan(kind, rows)
    if not plan.ok:
        return _page(422, plan=plan, kind=kind, columns=KINDS[kind], error=_("Danh sách còn lỗi; chưa áp dụng dòng nào."))

    def run():
        return imports.apply_staff(current_user, plan) if kind == "staff" else imports.apply_agencies(current_user, plan)

    def done(result):
        response = make_response(render_template("administration/import_done.html", plan=plan, kind=kind,
                                                 created=result if kind == "staff" else []))
        response.headers["Cache-Control"] = "no-store"  # one-time passwords
        return response

    return submit(run, then=done, otherwise=lambda reason: _page(422, error=reason, kind=kind))


@bp.get("/export/<kind>.<fmt>")
@access("admin")
def export(kind: str, fmt: str):
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        abort(404)
    rows = imports.export_staff(current_user) if kind == "staff" else imports.export_agencies()
    return sheets.response("can-bo" if kind == "staff" else "don-vi", fmt, KINDS[kind], rows)
