"""The texts the citizen receives, and when: the result is ready (once, when the dossier first
reaches a step where the desk hands it back), with a reminder to collect it after
``ONESTOP_PICKUP_REMINDER_DAYS`` working days, cancelled once it is collected; a supplement is
awaited (before its limit); the dossier was stopped for want of it. Records, so in Vietnamese.
"""
from datetime import datetime

from flask import current_app

from onestop.core.calendar import HOURS_PER_DAY, local_time_text
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Delivery, Dossier
from onestop.dossiers.signals import moved
from onestop.messages.operations import cancel, tell
from onestop.workflows.engine import engine

TIME = "%H:%M ngày %d/%m/%Y"
SIGNATURE = "Tin nhắn gửi tự động từ hệ thống một cửa liên thông."


def _lookup_line() -> str:
    base = current_app.config["ONESTOP_BASE_URL"]
    return f"Tra cứu: {base.rstrip('/')}/tra-cuu/" if base else "Tra cứu tại trang tra cứu hồ sơ của bộ phận một cửa."


def _mail(dossier: Dossier, *lines: str) -> str:
    return "\n".join([f"Kính gửi Ông/Bà {dossier.applicant_name},", "", *lines, "", _lookup_line(), "", SIGNATURE])


@moved.connect
def _result_ready(dossier: Dossier, target=None, action: str = "", **_kwargs) -> None:
    """Entering a step where the result is handed back: tell the citizen, once; once collected (or
    stopped), the pick-up reminder is not sent."""
    if target is None:
        return
    if target.is_final:
        cancel(dossier.id, "pickup_reminder")
        return
    if target.action("return_result") is None:
        return
    procedure = engine().of(dossier)
    desk = dossier.receiving_agency.name
    if dossier.delivery_method == Delivery.POST:
        tell(dossier, kind="result_ready", occasion="1", subject=f"[Một cửa] Hồ sơ {dossier.code} đã có kết quả",
             body=_mail(dossier, f"Hồ sơ {dossier.code} ({procedure.name}) đã có kết quả.",
                        "Kết quả sẽ được gửi đến Ông/Bà qua dịch vụ bưu chính công ích như đã đăng ký."),
             sms=f"Ho so {dossier.code} da co ket qua, se gui qua buu chinh. {desk}")
        return
    tell(dossier, kind="result_ready", occasion="1", subject=f"[Một cửa] Mời nhận kết quả hồ sơ {dossier.code}",
         body=_mail(dossier, f"Hồ sơ {dossier.code} ({procedure.name}) đã có kết quả.",
                    f"Mời Ông/Bà đến nhận kết quả tại Bộ phận tiếp nhận và trả kết quả — {desk}, "
                    "mang theo giấy tiếp nhận hồ sơ và hẹn trả kết quả."),
         sms=f"Ho so {dossier.code} da co ket qua. Moi Ong/Ba den nhan tai bo phan mot cua {desk}.")
    days = current_app.config["ONESTOP_PICKUP_REMINDER_DAYS"]
    if days > 0:
        later = current_calendar().add_working_hours(dossier.step_started_at, days * HOURS_PER_DAY)
        tell(dossier, kind="pickup_reminder", occasion="1", send_after=later,
             subject=f"[Một cửa] Nhắc nhận kết quả hồ sơ {dossier.code}",
             body=_mail(dossier, f"Kết quả hồ sơ {dossier.code} ({procedure.name}) đã sẵn sàng từ "
                                 f"{local_time_text(dossier.step_started_at, TIME)} và chưa được nhận.",
                        f"Mời Ông/Bà đến nhận tại Bộ phận tiếp nhận và trả kết quả — {desk}."),
             sms=f"Nhac: ket qua ho so {dossier.code} dang cho Ong/Ba nhan tai bo phan mot cua {desk}.")


def supplement_reminder(dossier: Dossier, round_number: int, due_at: datetime, send_after: datetime) -> None:
    """Before the limit of a supplement: what is awaited, and until when."""
    tell(dossier, kind="supplement_reminder", occasion=str(round_number), send_after=send_after,
         subject=f"[Một cửa] Nhắc bổ sung hồ sơ {dossier.code}",
         body=_mail(dossier, f"Hồ sơ {dossier.code} đang chờ Ông/Bà bổ sung giấy tờ (yêu cầu lần {round_number}).",
                    f"Nếu không bổ sung trước {local_time_text(due_at, TIME)}, hồ sơ sẽ bị dừng xử lý.",
                    f"Liên hệ Bộ phận tiếp nhận và trả kết quả — {dossier.receiving_agency.name}."),
         sms=f"Ho so {dossier.code} cho bo sung giay to. Han: {local_time_text(due_at, TIME)}, "
             "qua han ho so se bi dung xu ly.")


def supplement_stopped(dossier: Dossier, round_number: int) -> None:
    """The supplement's limit passed: the dossier was stopped (slip 05 is the paper notice)."""
    tell(dossier, kind="supplement_stopped", occasion=str(round_number),
         subject=f"[Một cửa] Thông báo dừng xử lý hồ sơ {dossier.code}",
         body=_mail(dossier, f"Hồ sơ {dossier.code} đã bị dừng xử lý vì quá thời hạn bổ sung giấy tờ.",
                    f"Ông/Bà nhận lại hồ sơ và thông báo dừng xử lý tại Bộ phận tiếp nhận và trả kết quả — "
                    f"{dossier.receiving_agency.name}."),
         sms=f"Ho so {dossier.code} da bi dung xu ly vi qua han bo sung. Lien he bo phan mot cua.")
