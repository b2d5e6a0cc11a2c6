"""Fees at the desk: computed at intake from the procedure file, paid at intake or at return against
a numbered receipt (a PDF), refunded when the dossier is refused; no result without payment."""
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action, route
from onestop.fees.models import FeeAssessment, FeePayment
from tests.conftest import vn

COPY = "2.000815"
LAND = "1.013978"
#: a certified copy at the Minh Khai ward desk: 2 copies of 5 pages
COPY_FORM = {"procedure_code": COPY, "applicant_name": "Trần Thị Bình", "applicant_id_number": "031190004321",
             "applicant_phone": "0987654321", "applicant_address": "5 Lạch Tray, Ngô Quyền",
             "documents": ["original", "copy"], "delivery_method": "desk", "fee_pages": "5", "fee_copies": "2",
             "payment_method": "cash"}


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/test does)")
    return " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())


def _payments(db) -> list[FeePayment]:
    return db.session.scalars(select(FeePayment).order_by(FeePayment.id)).all()


def test_the_intake_page_shows_the_fee_and_the_live_quote_computes_it(client, login_as):
    login_as("hbmk.clerk")
    page = client.get(f"/desk/new?procedure={COPY}").get_data(as_text=True)
    assert 'data-testid="fees-2.000815"' in page and "Phí chứng thực bản sao từ bản chính" in page
    assert 'data-testid="fee-intake">2.000 đ' in page  # one page, one copy until counted
    quote = client.get(f"/desk/api/fees/{COPY}?pages=5&copies=2").json
    assert (quote["total"], quote["intake"], quote["text"]["intake"]) == (14000, 14000, "14.000 đ")
    assert quote["lines"][0]["quantity"] == "2 bản × 5 trang"
    assert client.get(f"/desk/api/fees/{COPY}?pages=999999999999&copies=-1").json["total"] == 200000  # bounded
    assert client.get("/desk/api/fees/9.999999").status_code == 404


def test_a_fee_paid_at_intake_gets_the_next_receipt_and_its_pdf(client, login_as, db):
    login_as("hbmk.clerk")
    with clock.frozen(vn(2026, 12, 7, 9)):
        response = client.post("/desk/new", data=COPY_FORM)
    assert response.status_code == 302
    dossier = db.session.scalar(select(Dossier))
    (payment,) = _payments(db)
    assert (payment.amount, payment.stage, payment.method, payment.series, payment.receipt_number) == (
        14000, "intake", "cash", "HBMK-2026", "0000001")
    assert payment.lines[0]["quantity"] == "2 bản × 5 trang"
    assert db.session.get(FeeAssessment, dossier.id).unpaid == 0
    assert "biên lai HBMK-2026 số 0000001" in dossier.events[-1].note
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="receipts"' in page and "0000001" in page
    pdf = client.get(f"/dossiers/{dossier.id}/fees/{payment.id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    for part in ("BIÊN LAI THU PHÍ, LỆ PHÍ", "Ký hiệu: HBMK-2026", "Số: 0000001", "Trần Thị Bình", "14.000",
                 "Mười bốn nghìn đồng", "Tiền mặt", "2 bản × 5 trang", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"):
        assert part in text, part


@pytest.mark.parametrize("change, message", [
    ({"payment_method": "transfer"}, "Nhập mã giao dịch chuyển khoản."),
    ({"fee_pages": ""}, "Nhập số trang mỗi bản để tính phí."),
    ({"fee_pages": "0"}, "Từ 1 đến 10000 trang."),
    ({"fee_copies": "x"}, "Nhập một số nguyên."),
    ({"payment_method": "cheque"}, "Chọn tiền mặt hoặc chuyển khoản."),
])
def test_a_wrong_payment_is_a_field_error_and_nothing_is_saved(client, login_as, db, change, message):
    login_as("hbmk.clerk")
    response = client.post("/desk/new", data={**COPY_FORM, **change})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0 and _payments(db) == []


def test_a_transfer_is_recorded_with_its_reference(client, login_as, db):
    login_as("hbmk.clerk")
    client.post("/desk/new", data={**COPY_FORM, "payment_method": "transfer", "payment_reference": " FT26341 "})
    (payment,) = _payments(db)
    assert (payment.method, payment.reference) == ("transfer", "FT26341")


def _land_at_return(db, create_dossier, user):
    dossier = create_dossier()
    for username, action in (("hb.clerk", "forward"), ("hb.officer", "forward"), ("stnmt.officer", "forward"),
                             ("hp.supervisor", "sign")):
        perform_action(dossier, user(username), action, note="ok")
        route(dossier.id, dossier.step_seq)
    db.session.commit()
    return dossier


def test_a_fee_collected_at_return_is_taken_by_the_return_form(client, login_as, db, create_dossier, user):
    dossier = _land_at_return(db, create_dossier, user)
    assert _payments(db) == []  # nothing due at intake
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="return-payment"' in page and "100.000 đ" in page
    response = client.post(f"/desk/dossiers/{dossier.id}/return", data={"recipient": "Nguyễn Văn An",
                                                                        "payment_method": "transfer"})
    assert response.status_code == 302 and dossier.is_open and _payments(db) == []  # no reference: refused
    response = client.post(f"/desk/dossiers/{dossier.id}/return", data={
        "recipient": "Nguyễn Văn An", "payment_method": "transfer", "payment_reference": "FT-9"})
    assert response.status_code == 302 and dossier.status == "done"
    (payment,) = _payments(db)
    assert (payment.stage, payment.amount, payment.reference, payment.series) == ("return", 100000, "FT-9", "HB-" + str(
        payment.paid_at.year))
    assert payment.lines[0]["estimated"] is True


def test_no_result_while_a_fee_is_unpaid(client, login_as, db, create_dossier, user):
    from onestop.core.errors import OperationError
    from onestop.dossiers.operations import return_result

    dossier = _land_at_return(db, create_dossier, user)
    with pytest.raises(OperationError, match="Còn 100.000 đ phí, lệ phí chưa thu"):
        return_result(dossier, user("hb.clerk"), recipient="Nguyễn Văn An")
    assert dossier.is_open and dossier.result_recipient is None


def test_unpaid_fees_are_collected_from_the_dossier_page(client, login_as, db, create_dossier):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY, pay=False)  # as an online filing would be
    login_as("hbmk.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="fee-unpaid"' in page and "Thu 2.000 đ và in biên lai" in page
    response = client.post(f"/dossiers/{dossier.id}/fees/collect", data={"payment_method": "cash"})
    assert response.status_code == 302
    assert [p.amount for p in _payments(db)] == [2000]
    response = client.post(f"/dossiers/{dossier.id}/fees/collect", data={"payment_method": "cash"})
    assert response.status_code == 422 and "Không còn khoản phí" in response.get_data(as_text=True)
    login_as("hb.clerk")  # another desk
    assert client.post(f"/dossiers/{dossier.id}/fees/collect", data={"payment_method": "cash"}).status_code == 404


def test_a_refused_dossier_refunds_its_fees_once(client, login_as, db, create_dossier, user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    (payment,) = _payments(db)
    login_as("hbmk.clerk")
    url = f"/dossiers/{dossier.id}/fees/{payment.id}/refund"
    response = client.post(url, data={"refund_method": "cash", "refund_reason": "x"})  # not refused: said, not hidden
    assert response.status_code == 422 and "hồ sơ bị từ chối" in response.get_data(as_text=True)
    perform_action(dossier, user("hbmk.clerk"), "refuse", note="Bản chính bị tẩy xóa")
    db.session.commit()
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Hoàn trả phí, lệ phí" in page
    response = client.post(url, data={"refund_method": "transfer", "refund_reason": "Hồ sơ bị từ chối"})
    assert response.status_code == 422 and payment.refunded_at is None
    response = client.post(url, data={"refund_method": "cash", "refund_reason": "Hồ sơ bị từ chối"})
    assert response.status_code == 302
    db.session.refresh(payment)
    assert payment.refunded_at is not None and payment.refund_method == "cash"
    assert dossier.events[-1].action == "refund"
    response = client.post(url, data={"refund_method": "cash", "refund_reason": "lần nữa"})
    assert response.status_code == 422  # once
    assert "Đã hoàn trả" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)


def test_the_supervisors_fee_report(client, login_as, db, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 9)):
        create_dossier(clerk="hbmk.clerk", procedure=COPY)
        refused = create_dossier(clerk="hbmk.clerk", procedure=COPY)
        perform_action(refused, user("hbmk.clerk"), "refuse", note="Không hợp lệ")
        from onestop.fees.operations import refund_fee
        refund_fee(_payments(db)[1], user("hbmk.clerk"), method="cash", reason="Từ chối")
        db.session.commit()
    login_as("hp.supervisor")
    page = client.get("/reports/fees?p=2026-12").get_data(as_text=True)
    assert 'data-testid="fees-collected">4.000 đ' in page and 'data-testid="fees-net">2.000 đ' in page
    assert 'data-procedure="2.000815"' in page and 'data-agency="HBMK"' in page
    from io import BytesIO

    from openpyxl import load_workbook
    xlsx = client.get("/reports/fees?p=2026-12&format=xlsx")
    rows = [r for r in load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True)]
    assert rows[0][0] == "Báo cáo thu phí, lệ phí"
    total = next(r for r in rows if r[0] == "Tổng cộng")
    assert total[2:9] == (2, 4000, 4000, 0, 1, 2000, 2000)
    assert client.get("/reports/fees?p=2026-11").status_code == 200
    login_as("lc.supervisor")  # another district: nothing of Hồng Bàng's
    assert 'data-testid="fees-collected">0 đ' in client.get("/reports/fees?p=2026-12").get_data(as_text=True)


def test_a_fee_due_at_return_is_not_offered_before(client, login_as, db, create_dossier):
    dossier = create_dossier()  # land: its fee is collected with the result
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="fee-unpaid"' in page and "và in biên lai" not in page
    response = client.post(f"/dossiers/{dossier.id}/fees/collect", data={"payment_method": "cash"})
    assert response.status_code == 422 and _payments(db) == []
