"""The desk decides on an online application: accepted, it becomes a dossier of the online channel
counted from the acceptance; refused, it keeps its reason; one decision only, by the chosen desk."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.attachments.models import Attachment
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.errors import OperationError
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Channel, Dossier, Status
from onestop.dossiers.operations import receive_dossier
from onestop.online.models import ApplicationStatus, OnlineApplication
from onestop.online.operations import accept_online_application, refuse_online_application, submit_application
from onestop.reports import statistics
from onestop.reports.periods import Period
from tests.conftest import vn

BIRTH = "1.001193"
BIRTH_DOCS = ["birth_notice", "declaration"]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CITIZEN = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                    address="5 Lê Lợi, Máy Tơ, Ngô Quyền", email="binh@example.vn")
FILED = vn(2026, 12, 8, 16, 30)     # a Tuesday, after the procedure's 15:00 cut-off
ACCEPTED = vn(2026, 12, 9, 10, 0)   # the next morning


@pytest.fixture
def application(db) -> OnlineApplication:
    desk = db.session.scalar(select(Agency.id).where(Agency.code == "HBMK"))
    with clock.frozen(FILED):
        filed = submit_application(procedure_code=BIRTH, desk_id=desk, applicant=CITIZEN, delivery_method="post",
                                   uploads=[("declaration", "Tờ khai.pdf", PDF), ("birth_notice", "Giấy chứng sinh.pdf", PDF)])
    db.session.commit()
    return filed


def test_accepting_logs_an_online_dossier_counted_from_the_acceptance(db, application, user):
    clerk = user("hbmk.clerk")
    with clock.frozen(ACCEPTED):
        dossier = accept_online_application(application, clerk, BIRTH_DOCS)
        walk_in = receive_dossier(clerk, procedure_code=BIRTH, applicant=CITIZEN, documents=BIRTH_DOCS)
    db.session.commit()
    assert dossier.channel == Channel.ONLINE and walk_in.channel == Channel.DESK
    assert dossier.code == "HBMK-261209-0001" and walk_in.code == "HBMK-261209-0002"
    assert dossier.received_at == ACCEPTED and dossier.received_by == clerk
    assert dossier.due_at == walk_in.due_at and dossier.step_due_at == walk_in.step_due_at
    assert dossier.due_at.astimezone(VN_TZ).date().isoformat() == "2026-12-10"  # one working day after acceptance
    assert dossier.applicant_id_number == "031190004321" and dossier.delivery_method == "post"
    assert dossier.documents == BIRTH_DOCS and dossier.status == Status.PROCESSING
    assert application.status == ApplicationStatus.ACCEPTED and application.dossier == dossier
    assert application.decided_by == clerk and application.decided_at == ACCEPTED
    assert dossier.events[0].action == "receive" and application.reference in dossier.events[0].note


def test_the_citizens_files_become_the_dossiers_attachments(app, db, application, user):
    with clock.frozen(ACCEPTED):
        dossier = accept_online_application(application, user("hbmk.clerk"), BIRTH_DOCS)
    db.session.commit()
    attachments = db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier.id)
                                     .order_by(Attachment.id)).all()
    assert [(a.document, a.filename) for a in attachments] == [
        ("declaration", "Tờ khai.pdf"), ("birth_notice", "Giấy chứng sinh.pdf")]
    assert all(a.uploaded_by_id is None and a.agency.code == "HBMK" and a.uploaded_at == FILED for a in attachments)
    assert {a.stored_name for a in attachments} == {f.stored_name for f in application.files}
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    assert all((folder / a.stored_name).read_bytes() == PDF for a in attachments)


def test_a_second_decision_is_refused(db, application, user):
    clerk = user("hbmk.clerk")
    accept_online_application(application, clerk, BIRTH_DOCS)
    db.session.commit()
    with pytest.raises(OperationError, match="đã được xử lý"):
        accept_online_application(application, clerk, BIRTH_DOCS)
    with pytest.raises(OperationError, match="đã được xử lý"):
        refuse_online_application(application, clerk, "Thiếu giấy tờ")
    assert db.session.scalars(select(Dossier).where(Dossier.applicant_id_number == CITIZEN.id_number)).all() == [
        application.dossier]


@pytest.mark.parametrize("username", ["hb.clerk", "hbmk.officer", "hbmk.supervisor", "hp.supervisor"])
def test_only_a_clerk_of_the_chosen_desk_may_decide(db, application, user, username):
    with pytest.raises(OperationError):
        accept_online_application(application, user(username), BIRTH_DOCS)
    with pytest.raises(OperationError):
        refuse_online_application(application, user(username), "Không rõ")
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_missing_required_document_stops_the_acceptance(db, application, user):
    with pytest.raises(OperationError, match="Còn thiếu giấy tờ bắt buộc"):
        accept_online_application(application, user("hbmk.clerk"), ["declaration"])
    assert application.status == ApplicationStatus.SUBMITTED


def test_refusing_keeps_the_reason_and_logs_no_dossier(db, application, user):
    with pytest.raises(OperationError, match="Nêu lý do"):
        refuse_online_application(application, user("hbmk.clerk"), "  ")
    with clock.frozen(ACCEPTED):
        refuse_online_application(application, user("hbmk.clerk"), "Giấy chứng sinh không đọc được")
    db.session.commit()
    assert application.status == ApplicationStatus.REFUSED and application.dossier is None
    assert application.refusal_reason == "Giấy chứng sinh không đọc được" and application.decided_at == ACCEPTED
    assert db.session.scalar(select(Dossier).where(Dossier.applicant_id_number == CITIZEN.id_number)) is None


# --- through the desk's pages -------------------------------------------------------------------

def test_the_desk_tab_lists_waiting_applications_and_the_clerk_accepts_one(client, login_as, db, application):
    login_as("hbmk.clerk")
    page = client.get("/desk/").get_data(as_text=True)
    assert re.search(r'data-tab="online">[^<]*<span class="tab-count">1<', page)
    listing = client.get("/desk/?tab=online").get_data(as_text=True)
    assert application.reference in listing and "Trần Thị Bình" in listing
    shown = client.get(f"/desk/online/{application.id}").get_data(as_text=True)
    assert "031190004321" in shown and "Tờ khai.pdf" in shown and "Giấy chứng sinh.pdf" in shown
    with clock.frozen(ACCEPTED):
        response = client.post(f"/desk/online/{application.id}/accept", data={"documents": BIRTH_DOCS})
    assert response.status_code == 302 and re.search(r"/desk/dossiers/\d+/receipt$", response.headers["Location"])
    dossier = application.dossier
    assert dossier.channel == Channel.ONLINE
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200 and dossier.code in receipt.get_data(as_text=True)
    assert "Công dân (nộp trực tuyến)" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    page = client.get("/desk/").get_data(as_text=True)
    assert re.search(r'data-tab="online">[^<]*<span class="tab-count">0<', page)
    again = client.post(f"/desk/online/{application.id}/accept", data={"documents": BIRTH_DOCS})
    assert again.status_code == 422 and "đã được xử lý" in again.get_data(as_text=True)


def test_the_clerk_downloads_a_file_of_the_application(client, login_as, db, application):
    login_as("hbmk.clerk")
    file = application.files[0]
    response = client.get(f"/desk/online/{application.id}/files/{file.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("username", ["hb.clerk", "hbmk.officer", "hbmk.supervisor", "admin"])
def test_out_of_scope_users_get_404(client, login_as, db, application, username):
    login_as(username)
    file = application.files[0]
    assert client.get(f"/desk/online/{application.id}").status_code == 404
    assert client.get(f"/desk/online/{application.id}/files/{file.id}").status_code == 404
    assert client.post(f"/desk/online/{application.id}/accept", data={"documents": BIRTH_DOCS}).status_code == 404
    assert client.post(f"/desk/online/{application.id}/refuse", data={"reason": "x"}).status_code == 404
    assert application.status == ApplicationStatus.SUBMITTED


def test_anonymous_users_are_sent_to_the_login(client, application):
    assert client.get(f"/desk/online/{application.id}").status_code == 302


def test_refusing_needs_a_reason_and_the_citizen_reads_it(client, login_as, db, application):
    login_as("hbmk.clerk")
    response = client.post(f"/desk/online/{application.id}/refuse", data={"reason": ""})
    assert response.status_code == 422 and "Nêu lý do từ chối tiếp nhận." in response.get_data(as_text=True)
    response = client.post(f"/desk/online/{application.id}/refuse", data={"reason": "Ảnh tờ khai bị mờ"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/desk/?tab=online")
    assert application.status == ApplicationStatus.REFUSED
    page = client.post("/tra-cuu/", data={"code": application.reference, "id_tail": "4321"}).get_data(as_text=True)
    assert "Bị từ chối tiếp nhận" in page and "Ảnh tờ khai bị mờ" in page


def test_the_look_up_of_an_accepted_application_gives_the_dossier_code(client, db, application, user):
    dossier = accept_online_application(application, user("hbmk.clerk"), BIRTH_DOCS)
    db.session.commit()
    page = client.post("/tra-cuu/", data={"code": application.reference, "id_tail": "4321"}).get_data(as_text=True)
    assert "Đã tiếp nhận" in page and dossier.code in page
    assert client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": "4321"}).status_code == 200


def test_the_statistics_count_an_accepted_application_as_online(db, application, user):
    clerk = user("hbmk.clerk")
    with clock.frozen(ACCEPTED):
        accept_online_application(application, clerk, BIRTH_DOCS)
        receive_dossier(clerk, procedure_code=BIRTH, applicant=CITIZEN, documents=BIRTH_DOCS)
    db.session.commit()
    report = statistics.build(db.session, user("hbmk.supervisor"), Period.parse("2026-12"), vn(2027, 1, 15, 9))
    assert report.total["new"] == 2 and report.total["new_online"] == 1 and report.total["new_desk"] == 1
    assert report.total.online_rate == pytest.approx(1 / 2)
    levels = {s.service_level: (s.new, s.online) for s in report.service_levels}
    assert levels[4] == (2, 1)


def test_the_desk_tab_shows_each_applications_check_deadline(client, login_as, db, application):
    login_as("hbmk.clerk")
    with clock.frozen(ACCEPTED):
        listing = client.get("/desk/?tab=online").get_data(as_text=True)
    assert '<span class="due" data-testid="check-due">09/12/2026 16:30</span>' in listing  # one working day
    with clock.frozen(vn(2026, 12, 10, 8, 0)):
        listing = client.get("/desk/?tab=online").get_data(as_text=True)
    assert '<span class="due late" data-testid="check-due">09/12/2026 16:30 · quá hạn</span>' in listing


def test_the_ledger_says_the_dossier_was_filed_online(client, login_as, db, application, user):
    from io import BytesIO

    from openpyxl import load_workbook
    with clock.frozen(ACCEPTED):
        dossier = accept_online_application(application, user("hbmk.clerk"), BIRTH_DOCS)
    db.session.commit()
    login_as("hbmk.clerk")
    response = client.get("/ledger?start=09/12/2026&end=09/12/2026&format=xlsx")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    [row] = [r for r in rows if r[1] == dossier.code]
    assert row[-1] == "Trực tuyến"
