"""The deadline sweep reminds a desk's clerks of online applications left past their working day."""
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.core import clock
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.notices import Notification
from onestop.online.operations import refuse_online_application, submit_application
from onestop.online.reminders import remind_late_applications
from tests.conftest import vn

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CITIZEN = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                    address="5 Lê Lợi, Máy Tơ, Ngô Quyền")


def file_at(db, at):
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    with clock.frozen(at):
        return submit_application(procedure_code="1.001193", desk_id=desk, applicant=CITIZEN, delivery_method="desk",
                                  uploads=[("declaration", "to-khai.pdf", PDF), ("birth_notice", "chung-sinh.pdf", PDF)])


def reminders(db):
    return list(db.session.scalars(select(Notification).where(Notification.kind == "online_late")))


def test_the_clerks_are_reminded_once_when_the_working_day_has_passed(client, login_as, db, user):
    waiting = file_at(db, vn(2026, 12, 8, 16, 30))  # to be checked by Wednesday 16:30
    refused = file_at(db, vn(2026, 12, 8, 9, 0))
    with clock.frozen(vn(2026, 12, 8, 11, 0)):
        refuse_online_application(refused, user("hbmk.clerk"), "Tờ khai không có chữ ký.")
    db.session.commit()

    with clock.frozen(vn(2026, 12, 9, 16, 0)):
        assert remind_late_applications(clock.now()) == 0
    with clock.frozen(vn(2026, 12, 9, 16, 45)):
        assert remind_late_applications(clock.now()) == 1
        assert remind_late_applications(clock.now()) == 0  # each reminder once
    db.session.commit()
    [reminder] = reminders(db)
    assert reminder.user_id == user("hbmk.clerk").id and reminder.dossier_id is None
    assert reminder.message == (f"Hồ sơ nộp trực tuyến {waiting.reference} đã quá một ngày làm việc "
                                "chưa được tiếp nhận hoặc từ chối.")

    login_as("hbmk.clerk")
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'<a href="/desk/?tab=online">Hồ sơ nộp trực tuyến {waiting.reference}' in page
