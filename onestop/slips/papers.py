"""The official slips the desk prints (giấy tờ, biểu mẫu của bộ phận một cửa).

01 receipt and appointment, 02 supplement request, 03 refusal, 04 apology and extension, 05 notice
to stop processing and 06 processing control slip are HTML pages printable on A4 and PDFs
(``pdf.py``); 07, the tracking ledger of a period, is an XLSX workbook (``ledger.py``). Each slip
exists only where it makes sense (``SlipKind.applies``): a refusal slip for a refused dossier, and so on.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import segno
from flask import current_app, render_template, url_for
from markupsafe import Markup

from onestop.agencies.models import Agency
from onestop.core.calendar import VN_TZ
from onestop.core.i18n import on_paper
from onestop.core.workdays import current_calendar
from onestop.dossiers.details import shown
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.extension_requests.models import latest_approved
from onestop.fees.models import METHOD_PAPER
from onestop.fees.words import in_words, money_text
from onestop.supplements.models import OUTCOME_PAPER
from onestop.supplements.operations import rounds_of
from onestop.workflows.definition import Procedure
from onestop.workflows.engine import engine
from onestop.workflows.fee_schedule import KIND_LABELS

DESK_UNIT = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
#: agency names are broken after their kind, as on paper ("ỦY BAN NHÂN DÂN" / "QUẬN HỒNG BÀNG")
_NAME_HEADS = ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN ")
#: events that are not a handover between agencies (the receipt is in the slip's header)
NOT_HANDOVERS = ("receive", "assign")
DELIVERY_LABELS = {"desk": "Tại bộ phận một cửa", "post": "Qua bưu chính công ích"}


# --- which slip, when -------------------------------------------------------------------------

def last_event(dossier: Dossier, action: str) -> DossierEvent | None:
    return next((e for e in reversed(dossier.events) if e.action == action), None)


@dataclass(frozen=True)
class SlipKind:
    #: the form number, ``"01"``…
    number: str
    #: the slip's name as printed and listed on the dossier page
    title: str
    template: str
    #: whether the slip makes sense for the dossier now
    applies: Callable[[Dossier], bool] = field(compare=False)

    def filename(self, dossier: Dossier) -> str:
        return f"{dossier.code}-phieu-{self.number}.pdf"


SLIPS: dict[str, SlipKind] = {s.number: s for s in (
    SlipKind("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "slips/01_receipt.html",
             lambda d: True),
    SlipKind("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "slips/02_supplement.html",
             lambda d: last_event(d, "request_supplement") is not None),
    SlipKind("03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ", "slips/03_refusal.html",
             lambda d: d.status == Status.REFUSED and last_event(d, "refuse") is not None),
    SlipKind("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "slips/04_extension.html",
             lambda d: latest_approved(d) is not None),
    SlipKind("05", "Thông báo dừng xử lý hồ sơ", "slips/05_stop.html",
             lambda d: d.status == Status.WITHDRAWN and stop_event(d) is not None),
    SlipKind("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "slips/06_control.html",
             lambda d: True),
)}


def stop_event(dossier: Dossier) -> DossierEvent | None:
    """What ended the dossier: the citizen's withdrawal, or the sweep's stop once a supplement's limit passed."""
    return next((e for e in reversed(dossier.events) if e.action in ("withdraw", "stop")), None)


def available_slips(dossier: Dossier) -> list[SlipKind]:
    return [kind for kind in SLIPS.values() if kind.applies(dossier)]


# --- what each slip shows ---------------------------------------------------------------------

def heading_lines(name: str) -> tuple[str, ...]:
    """A name in capitals for the top-left block, broken after the agency's kind when long."""
    upper = name.upper()
    for head in _NAME_HEADS:
        if upper.startswith(head) and len(upper) > 24:
            return head.strip(), upper[len(head):]
    return (upper,)


@dataclass(frozen=True)
class Issuer:
    """The top-left block of an official paper: the governing body, then the issuing unit (bold)."""

    governing: tuple[str, ...]
    unit: tuple[str, ...]

    @classmethod
    def of(cls, agency: Agency, *, desk: bool) -> "Issuer":
        """The agency's desk, or the agency itself under its parent."""
        if desk:
            return cls(heading_lines(agency.name), ("BỘ PHẬN TIẾP NHẬN", "VÀ TRẢ KẾT QUẢ"))
        return cls(heading_lines(agency.parent.name) if agency.parent else (), heading_lines(agency.name))


@dataclass(frozen=True)
class Handover:
    """One row of the processing control slip (06)."""

    number: int
    event: DossierEvent
    #: what was done (the action's label)
    result: str
    #: the step the dossier went to
    step: str
    #: ``Trước hạn`` / ``Đúng hạn`` / ``Quá hạn`` for the step just left, or "" when it has no deadline
    timing: str


def timing_label(finished: datetime, due: datetime) -> str:
    """Early when finished on a day before the due day, on time up to the due moment, else late."""
    if finished > due:
        return "Quá hạn"
    if finished.astimezone(VN_TZ).date() < due.astimezone(VN_TZ).date():
        return "Trước hạn"
    return "Đúng hạn"


def handovers(dossier: Dossier, procedure: Procedure) -> list[Handover]:
    """Every move between steps and agencies, with how the step it left kept its deadline."""
    cal = current_calendar()
    rows: list[Handover] = []
    entered = dossier.received_at
    for event in dossier.events:
        if not event.is_move:
            continue
        if event.action != "receive":
            left = procedure.step(event.from_step)
            timing = ""
            if left.kind == "work" and left.hours > 0:
                timing = timing_label(event.at, cal.add_working_hours(entered, left.hours))
            rows.append(Handover(number=len(rows) + 1, event=event, result=event.label(procedure),
                                 step=procedure.step(event.to_step).name, timing=timing))
        entered = event.at
    return rows


def qr_svg(dossier: Dossier) -> tuple[str, Markup]:
    """The public look-up address with the code pre-filled, and its QR code as inline SVG."""
    return qr_of(url_for("public.lookup", code=dossier.code, _external=True))


def qr_of(url: str, scale: float = 2.5) -> tuple[str, Markup]:
    svg = segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=False)
    return url, Markup(svg)


def render_result_cover(result) -> str:
    """The cover of an e-result (``results.models.SignedResult``) with the QR code of its verification page."""
    dossier = result.dossier
    verify_url, qr = qr_of(url_for("results.verify", token=result.token, _external=True), scale=4)
    with on_paper():
        return render_template("slips/result_cover.html", result=result, dossier=dossier,
                               procedure=engine().of(dossier), verify_url=verify_url, qr=qr,
                               issuer=Issuer.of(result.agency, desk=False))


def _desk_of(kind: SlipKind, dossier: Dossier):
    """The desk issuing the slip: the receipt (01) is the desk that received the dossier, as it was on the
    day even after a reorganisation; the later slips are the desk of return now."""
    return dossier.received_desk if kind.number == "01" else dossier.receiving_agency


def _context(kind: SlipKind, dossier: Dossier) -> dict:
    procedure = engine().of(dossier)
    ctx: dict = {"slip": kind, "dossier": dossier, "procedure": procedure, "details": shown(procedure, dossier.details),
                 "place": current_app.config["ONESTOP_PLACE_NAME"],
                 "issuer": Issuer.of(_desk_of(kind, dossier), desk=True), "issued_at": dossier.received_at,
                 "slips": available_slips(dossier)}
    if kind.number == "01":
        ctx["lookup_url"], ctx["qr"] = qr_svg(dossier)
    elif kind.number in ("02", "03", "05"):
        event = (stop_event(dossier) if kind.number == "05"
                 else last_event(dossier, {"02": "request_supplement", "03": "refuse"}[kind.number]))
        agency = event.from_agency or dossier.receiving_agency
        # the one-stop desk asked (a clerk's step of the desk), or the agency's own staff did at their step
        asked_at = procedure.step(event.from_step)
        at_desk = asked_at.holder == "desk" and asked_at.role == "clerk"
        ctx.update(event=event, issuer=Issuer.of(agency, desk=at_desk), issued_at=event.at, agency=agency,
                   at_desk=at_desk, lapsed=event.action == "stop")
        rounds = rounds_of(dossier)
        if kind.number == "02":
            asked = next((r for r in reversed(rounds) if r.requested_at <= event.at), None)
            ctx["round"] = asked
            keys = set(asked.missing) if asked is not None else {
                d.key for d in procedure.required_documents(dossier.submitter_name is not None)
                if d.key not in (dossier.documents or [])}
            ctx["missing"] = [d for d in procedure.documents if d.key in keys]
        elif kind.number == "05" and event.action == "stop":
            ctx["round"] = rounds[-1] if rounds else None
    elif kind.number == "04":  # from the approved extension that set the current appointment
        extension = latest_approved(dossier)
        ctx.update(extension=extension, agency=extension.agency, issued_at=extension.decided_at,
                   issuer=Issuer.of(extension.agency, desk=False))
    elif kind.number == "06":
        ctx["rows"] = handovers(dossier, procedure)
        ctx["rounds"] = rounds_of(dossier)
        ctx["round_outcomes"] = OUTCOME_PAPER
        ctx["document_names"] = {d.key: d.name for d in procedure.documents}
        if dossier.finished_at is not None and dossier.status == Status.DONE:
            ctx["overall"] = timing_label(dossier.finished_at, dossier.due_at)
    return ctx


def render_fee_receipt(payment) -> str:
    """The receipt of a fee payment (``fees.models.FeePayment``), as the PDF's HTML."""
    dossier = payment.dossier
    with on_paper():
        return render_template("slips/fee_receipt.html", payment=payment, dossier=dossier,
                               procedure=engine().of(dossier),
                               issuer=Issuer.of(payment.agency, desk=True), place=current_app.config["ONESTOP_PLACE_NAME"],
                               money=money_text, words=in_words, kind_labels=KIND_LABELS, method_paper=METHOD_PAPER)


def render_slip(kind: SlipKind, dossier: Dossier, *, pdf: bool = False) -> str:
    with on_paper():
        context = _context(kind, dossier)
        context["status_label"] = dossier.status_label
    return render_template(kind.template, pdf=pdf, **context)
