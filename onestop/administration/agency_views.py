"""The agency tree in the browser (admins only): create, rename, move, set level, sectors and desk,
close and reopen. Every change goes through ``agencies/operations.py``, whose tree checks refuse one
that would leave a running dossier without a possible holder."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from onestop.administration.forms import AgencyForm
from onestop.administration.scope import require_admin
from onestop.agencies import operations
from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.auth.access import access
from onestop.auth.models import User
from onestop.core.submit import submit
from onestop.dossiers import tree_check  # noqa: F401  (registers the running-dossier check)
from onestop.dossiers.models import Dossier
from onestop.extensions import db

bp = Blueprint("agency_admin", __name__, url_prefix="/admin/agencies")


@bp.before_request
@login_required
def _admins_only():
    require_admin()


def _agency_or_404(agency_id: int) -> Agency:
    return db.get_or_404(Agency, agency_id)


@bp.get("/")
@access("admin")
def index():
    """The whole tree, in tree order, with each agency's active staff and open dossiers (two grouped queries)."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.path)).all()
    staff = dict(db.session.execute(select(User.agency_id, func.count()).where(User.active).group_by(User.agency_id)).all())
    held = dict(db.session.execute(select(Dossier.holder_agency_id, func.count()).where(Dossier.is_open)
                                   .group_by(Dossier.holder_agency_id)).all())
    return render_template("administration/agencies.html", agencies=_tree_order(agencies), staff=staff, held=held)


def _tree_order(agencies: list[Agency]) -> list[Agency]:
    """Parents before children, siblings by code (a path's ids do not sort as the tree reads)."""
    children: dict[int | None, list[Agency]] = {}
    for a in agencies:
        children.setdefault(a.parent_id, []).append(a)
    ordered: list[Agency] = []

    def walk(parent_id):
        for a in sorted(children.get(parent_id, []), key=lambda a: a.code):
            ordered.append(a)
            walk(a.id)

    walk(None)
    return ordered


def _form(agency: Agency | None = None) -> AgencyForm:
    form = AgencyForm(obj=agency) if request.method == "GET" and agency else AgencyForm()
    known = structure()
    form.level.choices = [(level, level) for level in known.levels]
    candidates = [a for a in _tree_order(db.session.scalars(select(Agency).where(Agency.active)).all())
                  if agency is None or not a.path.startswith(agency.path)]
    form.parent_id.choices = [("", "— " + _("Không (cấp cao nhất)") + " —")] + [
        (str(a.id), ("— " * (a.path.count("/") - 2)) + f"{a.name} ({a.code})") for a in candidates]
    form.sectors.choices = [(s, s) for s in sorted(known.sectors)]
    if request.method == "GET" and agency:
        form.parent_id.data = str(agency.parent_id or "")
        form.sectors.data = sorted(agency.sector_set)
    elif request.method == "GET" and request.args.get("parent", "").isdigit():
        form.parent_id.data = request.args["parent"]
    return form


def _fields(form: AgencyForm) -> dict:
    value = form.parent_id.data or ""
    parent = db.session.get(Agency, int(value)) if value.isdigit() and len(value) < 10 else None
    return {"code": (form.code.data or "").upper(), "name": form.name.data or "", "level": form.level.data or "",
            "sectors": ",".join(form.sectors.data or []), "parent": parent}


def _valid(form: AgencyForm, agency: Agency | None = None) -> bool:
    ok = form.validate_on_submit()
    fields = _fields(form)
    problems = operations.field_problems(agency=agency, **fields) if form.is_submitted() else {}
    if form.is_submitted() and form.parent_id.data and fields["parent"] is None:
        problems["parent"] = _("Chọn đơn vị cấp trên trong danh sách.")
    for name, message in problems.items():
        field = getattr(form, "parent_id" if name == "parent" else name)
        field.errors = [*field.errors, message]
    return ok and not problems


def _page(form: AgencyForm, agency: Agency | None, status: int = 200, error: str | None = None):
    return render_template("administration/agency_form.html", form=form, agency=agency, error=error), status


@bp.route("/new", methods=["GET", "POST"])
@access("admin")
def create():
    form = _form()
    if not _valid(form):
        return _page(form, None, 422 if form.is_submitted() else 200)

    def done(agency):
        flash(_("Đã tạo đơn vị %(name)s.", name=agency.name), "success")
        return redirect(url_for("agency_admin.index"))

    return submit(lambda: operations.create_agency(actor=current_user, has_desk=form.has_desk.data, **_fields(form)),
                  then=done, otherwise=lambda reason: _page(form, None, 422, reason))


@bp.route("/<int:agency_id>", methods=["GET", "POST"])
@access("admin")
def edit(agency_id: int):
    agency = _agency_or_404(agency_id)
    form = _form(agency)
    if not _valid(form, agency):
        return _page(form, agency, 422 if form.is_submitted() else 200)

    def done(changed):
        flash(_("Đã lưu đơn vị %(name)s.", name=agency.name) if changed else _("Không có gì thay đổi."), "success")
        return redirect(url_for("agency_admin.edit", agency_id=agency_id))

    return submit(lambda: operations.update_agency(current_user, agency, has_desk=form.has_desk.data, **_fields(form)),
                  then=done, otherwise=lambda reason: _page(form, db.session.get(Agency, agency_id), 422, reason))


@bp.post("/<int:agency_id>/deactivate")
@access("admin")
def deactivate(agency_id: int):
    return _set_active(_agency_or_404(agency_id), False)


@bp.post("/<int:agency_id>/activate")
@access("admin")
def activate(agency_id: int):
    return _set_active(_agency_or_404(agency_id), True)


def _set_active(agency: Agency, active: bool):
    agency_id, name = agency.id, agency.name

    def done(_changed):
        flash(_("Đã mở lại đơn vị %(name)s.", name=name) if active else _("Đã ngừng hoạt động đơn vị %(name)s.", name=name),
              "success")
        return redirect(url_for("agency_admin.edit", agency_id=agency_id))

    def refused(reason: str):
        flash(reason, "error")
        return redirect(url_for("agency_admin.edit", agency_id=agency_id))

    return submit(lambda: operations.set_agency_active(current_user, agency, active), then=done, otherwise=refused)
