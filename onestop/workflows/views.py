"""The procedure catalogue for staff: the list with search, and one page per procedure with its diagram."""
import unicodedata

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from onestop.agencies.structure import structure
from onestop.dossiers.operations import engine
from onestop.workflows.definition import HOURS_PER_DAY, Procedure
from onestop.workflows.diagrams import mermaid, passed_steps

bp = Blueprint("workflows", __name__, url_prefix="/procedures")

#: words for the levels and sectors of ``structure.toml`` (a level or sector without one shows its key)
LEVEL_LABELS = {"city": "UBND thành phố", "department": "Sở, ngành", "district": "Quận, huyện",
                "ward": "Phường, xã"}
SECTOR_LABELS = {
    "general": "chung", "land": "đất đai", "environment": "môi trường", "construction": "xây dựng",
    "investment": "đầu tư", "justice": "tư pháp", "civil_status": "hộ tịch", "business": "đăng ký kinh doanh",
    "tax": "thuế", "police": "công an", "social_insurance": "bảo hiểm xã hội", "health": "y tế",
    "home_affairs": "nội vụ", "finance": "tài chính",
}
ROLE_LABELS = {"clerk": "Cán bộ một cửa", "officer": "Chuyên viên", "supervisor": "Lãnh đạo"}
FORM_LABELS = {"original": "Bản chính", "copy": "Bản sao", "certified_copy": "Bản sao chứng thực"}
SERVICE_LABELS = {2: "Mức độ 2", 3: "Một phần (mức độ 3)", 4: "Toàn trình (mức độ 4)"}


def holder_label(spec: str) -> str:
    """A step's holder rule in words."""
    if spec == "desk":
        return "Bộ phận một cửa nơi tiếp nhận"
    kind, _, value = spec.partition(":")
    if kind == "level":
        return f"{LEVEL_LABELS.get(value, value)} (cấp của nơi tiếp nhận)"
    if kind == "sector":
        return f"Cơ quan ngành {SECTOR_LABELS.get(value, value)}"
    return f"Cơ quan mã {value}"


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, so "dat dai" finds "Đất đai"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(procedures: list[Procedure], query: str) -> list[Procedure]:
    """Procedures whose code, name or field contain every word of the query."""
    words = fold(query).split()
    return [p for p in procedures if all(w in fold(f"{p.code} {p.name} {p.field}") for w in words)]


def working_days(hours: float) -> str:
    return f"{hours / HOURS_PER_DAY:g} ngày" if hours else "—"


@bp.get("/")
@login_required
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
@login_required
def procedure(code: str):
    if not engine().has(code):
        abort(404)
    compiled = engine().compiled[code]
    return render_template("workflows/procedure.html", procedure=compiled.procedure,
                           diagram=mermaid(compiled), holder_label=holder_label, working_days=working_days,
                           roles=ROLE_LABELS,
                           levels=LEVEL_LABELS, forms=FORM_LABELS, services=SERVICE_LABELS)


@bp.app_template_global()
def dossier_diagram(dossier, events) -> str:
    """Mermaid text of a dossier's procedure with its current step and the steps it passed."""
    return mermaid(engine().compiled[dossier.procedure_code], current=dossier.step, passed=passed_steps(events))
