"""The procedure catalogue for staff: the list with search, and one page per procedure with its diagram."""
import unicodedata

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from onestop.agencies.structure import structure
from onestop.auth.access import access
from onestop.core.calendar import HOURS_PER_DAY
from onestop.workflows.definition import Procedure, parse_holder
from onestop.workflows.diagrams import mermaid
from onestop.workflows.engine import engine

bp = Blueprint("workflows", __name__, url_prefix="/procedures")

#: words for the levels and sectors of ``structure.toml`` (a level or sector without one shows its key)
LEVEL_LABELS = {"city": _l("UBND thành phố"), "department": _l("Sở, ngành"), "district": _l("Quận, huyện"),
                "ward": _l("Phường, xã")}
SECTOR_LABELS = {
    "general": _l("chung"), "land": _l("đất đai"), "environment": _l("môi trường"), "construction": _l("xây dựng"),
    "investment": _l("đầu tư"), "justice": _l("tư pháp"), "civil_status": _l("hộ tịch"),
    "business": _l("đăng ký kinh doanh"), "tax": _l("thuế"), "police": _l("công an"),
    "social_insurance": _l("bảo hiểm xã hội"), "health": _l("y tế"), "home_affairs": _l("nội vụ"),
    "finance": _l("tài chính"),
}
ROLE_LABELS = {"clerk": _l("Cán bộ một cửa"), "officer": _l("Chuyên viên"), "supervisor": _l("Lãnh đạo")}
FORM_LABELS = {"original": _l("Bản chính"), "copy": _l("Bản sao"), "certified_copy": _l("Bản sao chứng thực")}
SERVICE_LABELS = {2: _l("Mức độ 2"), 3: _l("Một phần (mức độ 3)"), 4: _l("Toàn trình (mức độ 4)")}


def holder_label(spec: str) -> str:
    """A step's holder rule in words."""
    rule = parse_holder(spec)
    level = LEVEL_LABELS.get(rule.level, rule.level) if rule.level else None
    if rule.kind == "desk":
        if level:
            return _("Bộ phận một cửa nơi tiếp nhận, chỉ khi là %(level)s", level=level)
        return _("Bộ phận một cửa nơi tiếp nhận")
    if rule.kind == "competent":
        return _("Đơn vị có thẩm quyền giải quyết (nơi tiếp nhận, hoặc đơn vị bộ phận một cửa chọn)")
    if rule.kind == "level":
        return _("%(level)s (cấp của nơi tiếp nhận)", level=LEVEL_LABELS.get(rule.value, rule.value))
    if rule.kind == "sector":
        sector = SECTOR_LABELS.get(rule.value, rule.value)
        if level:
            return _("Cơ quan ngành %(sector)s thuộc cấp %(level)s", sector=sector, level=level)
        return _("Cơ quan ngành %(sector)s", sector=sector)
    if rule.kind == "external":
        system = structure().external_systems.get(rule.value)
        return _("Hệ thống khác: %(system)s (liên thông qua API)", system=system.name if system else rule.value)
    return _("Cơ quan mã %(code)s", code=rule.value)


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, so "dat dai" finds "Đất đai"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(procedures: list[Procedure], query: str) -> list[Procedure]:
    """Procedures whose code, name or field contain every word of the query."""
    words = fold(query).split()
    return [p for p in procedures if all(w in fold(f"{p.code} {p.name} {p.field}") for w in words)]


def working_days(hours: float) -> str:
    if not hours:
        return "—"
    days = hours / HOURS_PER_DAY
    return ngettext("%(days)s ngày", "%(days)s ngày", 1 if days == 1 else 2, days=f"{days:g}")


@bp.get("/")
@access("staff")
def index():
    query = request.args.get("q", "").strip()[:200]
    level = request.args.get("level", "")
    levels = {key: LEVEL_LABELS.get(key, key) for key in structure().levels}
    procedures = engine().procedures()
    if level in levels:
        procedures = [p for p in procedures if p.level == level]
    found = search(procedures, query) if query else procedures
    return render_template("workflows/index.html", procedures=found, total=len(engine().procedures()),
                           query=query, level=level, levels=levels, forms=FORM_LABELS,
                           services=SERVICE_LABELS)


@bp.get("/<code>")
@access("staff")
def procedure(code: str):
    compiled = engine().compiled_version(code, request.args.get("version", type=int))
    if compiled is None:
        abort(404)
    return render_template("workflows/procedure.html", procedure=compiled.procedure, versions=engine().versions[code],
                           current=engine().current(code),
                           diagram=mermaid(compiled), holder_label=holder_label, working_days=working_days,
                           roles=ROLE_LABELS,
                           levels=LEVEL_LABELS, forms=FORM_LABELS, services=SERVICE_LABELS)
