"""The official slips: content of each (HTML and PDF), where each exists, and the XLSX ledger."""
import re
import shutil
import subprocess
from datetime import date, datetime
from io import BytesIO

import pytest
import segno
from openpyxl import load_workbook
from sqlalchemy import event

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.operations import perform_action, return_result
from onestop.extension_requests.operations import approve_extension, request_extension
from onestop.extensions import db as _db
from onestop.workflows.engine import engine
from tests.conftest import vn
from tests.helpers import settle_fees

#: the top-left block of a Hồng Bàng desk slip, as HTML and as lines of the PDF's text
HB_DESK = ("ỦY BAN NHÂN DÂN<br>QUẬN HỒNG BÀNG", "BỘ PHẬN TIẾP NHẬN<br>VÀ TRẢ KẾT QUẢ")
HB_DESK_LINES = ("ỦY BAN NHÂN DÂN", "QUẬN HỒNG BÀNG", "BỘ PHẬN TIẾP NHẬN", "VÀ TRẢ KẾT QUẢ")
LAND_NAME = "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận"
BINH = Applicant(name="Trần Thị Bình", id_number="031190004321", phone="0987654321",
                 address="5 Lạch Tray, Ngô Quyền, Hải Phòng")


def _pdftotext(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/test does)")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _pdffonts(pdf: bytes) -> list[list[str]]:
    done = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    return [line.split() for line in done.stdout.decode().splitlines()[2:] if line.strip()]


def _squash(text: str) -> str:
    """Text with every run of white space as one space (PDF text wraps and aligns columns)."""
    return " ".join(text.split())


def _act(dossier, action, username, user, note=None, *, at):
    with clock.frozen(at):
        return perform_action(dossier, user(username), action, note=note)


@pytest.fixture
def received(db, create_dossier):
    """A land dossier received at the Hồng Bàng desk on Monday 07/12/2026 at 09:00."""
    with clock.frozen(vn(2026, 12, 7, 9, 0)):
        return create_dossier(applicant=BINH)


@pytest.fixture
def journey(db, received, user):
    """The land dossier's whole journey, with a supplement round and a late signature."""
    d = received
    _act(d, "forward", "hb.clerk", user, at=vn(2026, 12, 7, 10, 0))
    _act(d, "forward", "hb.officer", user, "Đủ điều kiện", at=vn(2026, 12, 9, 14, 0))
    _act(d, "request_supplement", "stnmt.officer", user, "Bổ sung sơ đồ tài sản gắn liền với đất",
         at=vn(2026, 12, 10, 9, 0))
    _act(d, "supplement_received", "hb.clerk", user, at=vn(2026, 12, 14, 8, 0))
    _act(d, "forward", "hb.officer", user, at=vn(2026, 12, 14, 10, 0))
    _act(d, "forward", "stnmt.officer", user, at=vn(2026, 12, 15, 9, 0))
    _act(d, "sign", "hp.supervisor", user, at=vn(2027, 1, 4, 9, 0))  # 40 working hours were due 22/12
    with clock.frozen(vn(2027, 1, 5, 15, 0)):
        settle_fees(d, user("hb.clerk"))
        return_result(d, user("hb.clerk"), recipient="Trần Thị Bình")
    db.session.commit()
    return d


# --- 01 receipt and appointment ---------------------------------------------------------------

def test_receipt_shows_the_code_dates_applicant_and_a_qr_code_to_the_look_up(client, login_as, received):
    login_as("hb.clerk")
    response = client.get(f"/desk/dossiers/{received.id}/receipt")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-testid="dossier-code">{received.code}<' in page
    assert "Mẫu số 01" in page and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
    assert all(line in page for line in HB_DESK)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert "Hải Phòng, ngày 07 tháng 12 năm 2026" in page
    assert "Trần Thị Bình" in page and "031190004321" in page and LAND_NAME in page
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 07/12/2026." in page
    # 27 working days from Mon 07/12/2026 09:00, New Year's Day skipped
    assert received.due_at == vn(2027, 1, 14, 9, 0)
    assert '<b data-testid="due-date">09 giờ 00 phút, ngày 14/01/2027</b>' in page
    assert "Tờ khai lệ phí trước bạ, tờ khai thuế sử dụng đất — 02 bản" in page
    assert "Cán bộ một cửa Ủy ban nhân dân quận Hồng Bàng" in page  # who received it signs
    lookup = f"http://localhost/tra-cuu/?code={received.code}"
    assert f'<a href="{lookup}">' in page
    assert segno.make(lookup, error="m").svg_inline(scale=2.5, border=2, omitsize=False) in page
    # the other slips that exist now, and the PDF of this one
    assert f"/dossiers/{received.id}/slips/01.pdf" in page
    assert f"/dossiers/{received.id}/slips/06" in page
    assert all(f"/dossiers/{received.id}/slips/{n}" not in page for n in ("02", "03", "05"))


def test_receipt_is_the_same_page_under_the_slips_address(client, login_as, received):
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}/slips/01").get_data(as_text=True)
    assert '<b data-testid="due-date">09 giờ 00 phút, ngày 14/01/2027</b>' in page


def test_receipt_pdf_embeds_the_fonts_and_carries_the_text(client, login_as, received):
    login_as("hb.clerk")
    response = client.get(f"/dossiers/{received.id}/slips/01.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="{received.code}-phieu-01.pdf"'
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    lines = _pdftotext(pdf).splitlines()
    assert lines[:5] == ["Mẫu số 01", *HB_DESK_LINES]
    text = _squash("\n".join(lines))
    for expected in (received.code, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Mẫu số 01",
                     "Hải Phòng, ngày 07 tháng 12 năm 2026", "Trần Thị Bình",
                     "09 giờ 00 phút, ngày 07/12/2026", "09 giờ 00 phút, ngày 14/01/2027"):
        assert expected in text, expected
    assert "In phiếu" not in text and "Đăng xuất" not in text  # the paper alone
    fonts = _pdffonts(pdf)
    assert fonts and all("DejaVu" in f[0] for f in fonts), fonts
    # name, type…, then emb sub uni: every font is embedded (as a subset) with a Unicode map
    assert all(f[-5:-2] == ["yes", "yes", "yes"] for f in fonts), fonts


# --- 02 supplement request --------------------------------------------------------------------

def test_supplement_slip_lists_the_missing_papers_and_the_request(client, login_as, received, user, db):
    _act(received, "forward", "hb.clerk", user, at=vn(2026, 12, 7, 10, 0))
    # the district finds the cadastral extract unusable: the checklist no longer counts it
    received.documents = ["application", "fee_declaration", "land_papers"]
    _act(received, "request_supplement", "hb.officer", user, "Trích đo thửa đất đã hết hiệu lực, đề nghị đo lại",
         at=vn(2026, 12, 8, 14, 30))
    db.session.commit()
    login_as("hb.clerk")
    response = client.get(f"/dossiers/{received.id}/slips/02")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in page and "Mẫu số 02" in page
    assert "Hải Phòng, ngày 08 tháng 12 năm 2026" in page
    # asked by the district office, not at the desk: the district under the city heads the slip
    assert '<div class="governing">ỦY BAN NHÂN DÂN<br>THÀNH PHỐ HẢI PHÒNG</div>' in page
    assert '<div class="unit">ỦY BAN NHÂN DÂN<br>QUẬN HỒNG BÀNG</div>' in page
    missing = page.split('data-testid="missing">')[1].split("</ol>")[0]
    assert "Trích lục bản đồ địa chính hoặc trích đo thửa đất" in missing
    assert "Trích đo thửa đất đã hết hiệu lực, đề nghị đo lại" in missing
    assert "Đơn đăng ký" not in missing and "Giấy tờ về quyền sở hữu tài sản" not in missing  # given / optional
    assert "tạm dừng từ 14 giờ 30 phút, ngày 08/12/2026" in page
    assert "Chuyên viên Ủy ban nhân dân quận Hồng Bàng" in page  # the officer who asked signs

    text = _squash(_pdftotext(client.get(f"/dossiers/{received.id}/slips/02.pdf").get_data()))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and received.code in text
    assert "Trích lục bản đồ địa chính hoặc trích đo thửa đất" in text
    assert "Trích đo thửa đất đã hết hiệu lực, đề nghị đo lại" in text


# --- 03 refusal ---------------------------------------------------------------------------------

def test_refusal_slip_gives_the_reason(client, login_as, received, user, db):
    _act(received, "forward", "hb.clerk", user, at=vn(2026, 12, 7, 10, 0))
    _act(received, "forward", "hb.officer", user, at=vn(2026, 12, 8, 9, 0))
    _act(received, "refuse", "stnmt.officer", user, "Thửa đất nằm trong quy hoạch hành lang giao thông",
         at=vn(2026, 12, 11, 16, 0))
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}/slips/03").get_data(as_text=True)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in page and "Mẫu số 03" in page
    assert "Hải Phòng, ngày 11 tháng 12 năm 2026" in page
    assert '<div class="unit">SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG</div>' in page
    assert "Ngày 07/12/2026, Ủy ban nhân dân quận Hồng Bàng tiếp nhận hồ sơ của:" in page
    assert "Qua xem xét, Sở Tài nguyên và Môi trường từ chối" in page
    assert '<p class="reason" data-testid="reason">Thửa đất nằm trong quy hoạch hành lang giao thông</p>' in page
    assert "NGƯỜI GIẢI QUYẾT HỒ SƠ" in page and "Chuyên viên Sở Tài nguyên và Môi trường" in page

    text = _squash(_pdftotext(client.get(f"/dossiers/{received.id}/slips/03.pdf").get_data()))
    assert "Thửa đất nằm trong quy hoạch hành lang giao thông" in text and "Trần Thị Bình" in text


def test_refusal_at_the_desk_is_signed_by_the_desk(client, login_as, received, user, db):
    _act(received, "refuse", "hb.clerk", user, "Thủ tục không thuộc thẩm quyền", at=vn(2026, 12, 7, 9, 30))
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}/slips/03").get_data(as_text=True)
    assert all(line in page for line in HB_DESK)
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page and "Thủ tục không thuộc thẩm quyền" in page


# --- 05 notice to stop processing ----------------------------------------------------------------

def test_stop_notice_for_a_withdrawn_dossier(client, login_as, received, user, db):
    _act(received, "withdraw", "hb.clerk", user, "Công dân xin rút để hoàn thiện giấy tờ thừa kế",
         at=vn(2026, 12, 8, 15, 45))
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}/slips/05").get_data(as_text=True)
    assert "THÔNG BÁO" in page and "Về việc dừng xử lý hồ sơ" in page and "Mẫu số 05" in page
    assert "Hải Phòng, ngày 08 tháng 12 năm 2026" in page
    assert "dừng xử lý hồ sơ nêu trên kể từ 15 giờ 45 phút, ngày 08/12/2026" in page
    assert "Công dân xin rút để hoàn thiện giấy tờ thừa kế" in page
    text = _squash(_pdftotext(client.get(f"/dossiers/{received.id}/slips/05.pdf").get_data()))
    assert "Về việc dừng xử lý hồ sơ" in text and "Công dân xin rút để hoàn thiện giấy tờ thừa kế" in text


# --- 06 processing control slip ------------------------------------------------------------------

def _rows(page: str) -> list[str]:
    """The handover rows of slip 06 as plain text, one string per row."""
    body = page.split('data-testid="handovers">')[1].split("</table>")[0]
    return [_squash(re.sub(r"<[^>]+>", " ", row)) for row in body.split('data-testid="handover">')[1:]]


def test_control_slip_has_one_row_per_handover(client, login_as, journey):
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{journey.id}/slips/06").get_data(as_text=True)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in page and "Mẫu số 06" in page
    assert 'data-testid="received-at">09 giờ 00 phút, ngày 07/12/2026<' in page
    # the supplement round stopped the clock from 10/12 09:00 to 14/12 08:00: 15 working hours later
    assert journey.due_at == vn(2027, 1, 18, 8, 0)
    assert 'data-testid="due-date">08 giờ 00 phút, ngày 18/01/2027<' in page
    assert "15 giờ 00 phút, ngày 05/01/2027 — Đã trả kết quả (trước hạn)" in page
    hb, stnmt, hp = "Ủy ban nhân dân quận Hồng Bàng", "Sở Tài nguyên và Môi trường", "Ủy ban nhân dân thành phố Hải Phòng"
    rows = _rows(page)
    assert len(rows) == 8
    procedure = engine().of(journey)  # the version in force on the day it was received
    check, appraisal, sign = (procedure.step(key).name for key in ("district_check", "department_appraisal", "city_sign"))
    expected = [  # from, to, the step it went to, when, what was done, how the step left kept its deadline
        (hb, hb, check, "10:00 07/12/2026", "Chuyển xử lý", "Đúng hạn"),
        (hb, stnmt, appraisal, "14:00 09/12/2026", "Chuyển Sở Tài nguyên và Môi trường thẩm định", "Trước hạn"),
        (stnmt, hb, "Chờ công dân bổ sung hồ sơ", "09:00 10/12/2026", "Yêu cầu bổ sung", "Trước hạn"),
        (hb, hb, check, "08:00 14/12/2026", "Đã nhận bổ sung", ""),  # waiting for the citizen has no deadline
        (hb, stnmt, appraisal, "10:00 14/12/2026", "Chuyển Sở Tài nguyên và Môi trường thẩm định", "Trước hạn"),
        (stnmt, hp, sign, "09:00 15/12/2026", "Trình UBND thành phố ký", "Trước hạn"),
        (hp, hb, "Kết quả về bộ phận một cửa, chờ trả", "09:00 04/01/2027", "Ký duyệt", "Quá hạn"),
        (hb, hb, "Đã trả kết quả", "15:00 05/01/2027", "Trả kết quả", "Trước hạn"),
    ]
    for number, (row, (giver, taker, step, when, result, timing)) in enumerate(zip(rows, expected, strict=True), 1):
        assert row.startswith(f"{number} {giver} "), row
        assert f" {taker} {step} {when} {result}{' ' + timing if timing else ''}" in row, row
        assert timing or not any(t in row for t in ("Đúng hạn", "Trước hạn", "Quá hạn")), row
    assert "Bổ sung sơ đồ tài sản gắn liền với đất" in rows[2] and "Đủ điều kiện" in rows[1]
    assert "Người nhận: Trần Thị Bình" in rows[7]

    text = _squash(_pdftotext(client.get(f"/dossiers/{journey.id}/slips/06.pdf").get_data()))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Bổ sung sơ đồ tài sản gắn liền với đất" in text
    assert "Trang 1/2" in text and "Trang 2/2" in text  # eight rows: the table goes on, headed again


# --- 04 apology and new appointment ---------------------------------------------------------------

def test_apology_slip_from_the_approved_extension(client, login_as, received, user, db):
    _act(received, "forward", "hb.clerk", user, at=vn(2026, 12, 7, 10, 0))
    _act(received, "forward", "hb.officer", user, at=vn(2026, 12, 8, 9, 0))
    with clock.frozen(vn(2027, 1, 13, 10, 0)):  # the day before the appointment of 14/01/2027 09:00
        extension = request_extension(received, user("stnmt.officer"), new_date=date(2027, 1, 21),
                                      reason="Chờ ý kiến của Cục Thuế về nghĩa vụ tài chính")
    with clock.frozen(vn(2027, 1, 13, 14, 0)):
        approve_extension(extension, user("stnmt.supervisor"))
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}/slips/04").get_data(as_text=True)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in page and "Mẫu số 04" in page
    assert '<div class="unit">SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG</div>' in page
    assert "Hải Phòng, ngày 13 tháng 01 năm 2027" in page
    assert "09 giờ 00 phút, ngày 14/01/2027" in page and "09 giờ 00 phút, ngày 21/01/2027" in page
    assert "Chờ ý kiến của Cục Thuế về nghĩa vụ tài chính" in page

    response = client.get(f"/dossiers/{received.id}/slips/04.pdf")
    assert response.headers["Content-Disposition"] == f'inline; filename="{received.code}-phieu-04.pdf"'
    text = _squash(_pdftotext(response.get_data()))
    for expected in ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", received.code, "Trần Thị Bình",
                     "09 giờ 00 phút, ngày 21/01/2027", "Chờ ý kiến của Cục Thuế về nghĩa vụ tài chính"):
        assert expected in text, expected
    # the new appointment is no handover: the control slip does not list it, its header shows the date
    control = client.get(f"/dossiers/{received.id}/slips/06").get_data(as_text=True)
    assert len(_rows(control)) == 2 and "ngày 21/01/2027" in control


# --- where each slip exists ----------------------------------------------------------------------

@pytest.mark.parametrize("number", ["02", "03", "04", "05", "04x", "07", "00"])
def test_slips_that_do_not_apply_are_not_found(client, login_as, received, number):
    login_as("hb.clerk")
    assert client.get(f"/dossiers/{received.id}/slips/{number}").status_code == 404
    assert client.get(f"/dossiers/{received.id}/slips/{number}.pdf").status_code == 404


@pytest.mark.parametrize("username, visible", [
    ("hb.clerk", True), ("hb.officer", True), ("hp.supervisor", True), ("admin", True),
    ("lc.clerk", False), ("lc.officer", False), ("stnmt.officer", False), ("hbmk.officer", False),
])
def test_slips_follow_the_agency_scope(client, login_as, received, username, visible):
    login_as(username)
    for path in ("slips/01", "slips/01.pdf", "slips/06", "slips/06.pdf"):
        assert client.get(f"/dossiers/{received.id}/{path}").status_code == (200 if visible else 404), path


def test_slips_need_a_login(client, received):
    response = client.get(f"/dossiers/{received.id}/slips/01.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dossier_page_lists_the_slips_that_apply(client, login_as, received, user, db):
    _act(received, "withdraw", "hb.clerk", user, "Rút hồ sơ", at=vn(2026, 12, 8, 9, 0))
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{received.id}").get_data(as_text=True)
    slips = page.split('data-testid="slips">')[1].split("</ul>")[0]
    assert "Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in slips
    assert f"/desk/dossiers/{received.id}/receipt" in slips
    assert f"/dossiers/{received.id}/slips/05" in slips and f"/dossiers/{received.id}/slips/05.pdf" in slips
    assert f"/dossiers/{received.id}/slips/06" in slips
    assert "slips/02" not in slips and "slips/03" not in slips


# --- 07 tracking ledger ---------------------------------------------------------------------------

@pytest.fixture
def period(db, create_dossier, user):
    """Dossiers around the week of 07–11/12/2026 at Hồng Bàng, and one at Lê Chân."""
    made = {}
    for key, at, clerk in [("before", vn(2026, 12, 4, 16, 0), "hb.clerk"),
                           ("early", vn(2026, 12, 7, 6, 30), "hb.clerk"),  # still 6 December in UTC
                           ("done", vn(2026, 12, 8, 8, 15), "hb.clerk"),
                           ("post", vn(2026, 12, 11, 16, 59), "hb.clerk"),
                           ("after", vn(2026, 12, 14, 7, 45), "hb.clerk"),
                           ("elsewhere", vn(2026, 12, 9, 10, 0), "lc.clerk")]:
        with clock.frozen(at):
            made[key] = create_dossier(clerk=clerk, applicant=Applicant(
                name=f"Người nộp {key}", id_number="031190000001", phone="0912345678", address="Hải Phòng"))
    made["post"].delivery_method = "post"
    d = made["done"]
    _act(d, "refuse", "hb.clerk", user, "Không đủ điều kiện", at=vn(2026, 12, 8, 9, 0))
    db.session.commit()
    return made


def _ledger(client, start="2026-12-07", end="2026-12-11"):
    return client.get(f"/ledger?start={start}&end={end}")


def _sheet(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    wb = load_workbook(BytesIO(response.get_data()))
    try:
        return [list(row) for row in wb.active.iter_rows(values_only=True)]
    finally:
        wb.close()


def test_ledger_lists_the_desk_s_dossiers_of_the_period(client, login_as, period):
    login_as("hb.clerk")
    response = _ledger(client)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == 'attachment; filename="so-theo-doi-ho-so-HB-20261207-20261211.xlsx"'
    rows = _sheet(response)
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ"
    assert rows[1][0] == "Ủy ban nhân dân quận Hồng Bàng — Bộ phận tiếp nhận và trả kết quả"
    assert rows[2][0] == "Từ ngày 07/12/2026 đến ngày 11/12/2026"
    assert rows[4] == ["STT", "Mã hồ sơ", "Người nộp", "Thủ tục", "Tiếp nhận", "Hẹn trả", "Hoàn thành",
                       "Tình trạng", "Hình thức trả kết quả", "Hình thức nộp"]
    data = rows[5:]
    assert [r[1] for r in data] == [period[k].code for k in ("early", "done", "post")]
    early, done, post = data
    assert early[0] == 1 and early[2] == "Người nộp early" and early[3].startswith(LAND_NAME)
    assert early[4] == datetime(2026, 12, 7, 6, 30)  # Vietnam wall time
    assert early[5] == period["early"].due_at.astimezone(VN_TZ).replace(tzinfo=None)
    assert early[6] is None and early[7] == "Đang giải quyết" and early[8] == "Tại bộ phận một cửa"
    assert done[4] == datetime(2026, 12, 8, 8, 15) and done[6] == datetime(2026, 12, 8, 9, 0)
    assert done[7] == "Từ chối"
    assert post[4] == datetime(2026, 12, 11, 16, 59) and post[8] == "Qua bưu chính công ích"


def test_ledger_due_and_returned_how(client, login_as, journey):
    login_as("hb.clerk")
    rows = _sheet(_ledger(client, "07/12/2026", "07/12/2026"))
    (row,) = rows[5:]
    assert row[1:3] == [journey.code, "Trần Thị Bình"]
    assert row[4:7] == [datetime(2026, 12, 7, 9, 0), datetime(2027, 1, 18, 8, 0), datetime(2027, 1, 5, 15, 0)]
    assert row[7:] == ["Đã trả kết quả", "Tại bộ phận một cửa — người nhận: Trần Thị Bình", "Trực tiếp"]


def test_supervisor_ledger_covers_the_subtree(client, login_as, period):
    login_as("hp.supervisor")
    rows = _sheet(_ledger(client))
    assert rows[1][0] == "Ủy ban nhân dân thành phố Hải Phòng và các đơn vị trực thuộc"
    assert {r[1] for r in rows[5:]} == {period[k].code for k in ("early", "done", "post", "elsewhere")}
    login_as("lc.supervisor")
    assert [r[1] for r in _sheet(_ledger(client))[5:]] == [period["elsewhere"].code]


def test_ledger_is_one_query_however_many_dossiers(client, login_as, period, create_dossier, app):
    login_as("hb.clerk")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "dossiers" in statement:
            statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        _sheet(_ledger(client))
        few = len(statements)
        with clock.frozen(vn(2026, 12, 9, 9, 0)):
            for _ in range(5):
                create_dossier()
        statements.clear()
        _sheet(_ledger(client))
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)
    assert len(statements) == few == 1, statements


@pytest.mark.parametrize("query, message", [
    ("start=&end=2026-12-11", "Nhập ngày bắt đầu."),
    ("start=2026-12-07", "Nhập ngày kết thúc."),
    ("start=31/02/2026&end=2026-12-11", "Ngày không hợp lệ (ngày/tháng/năm)."),
    ("start=hôm qua&end=2026-12-11", "Ngày không hợp lệ (ngày/tháng/năm)."),
    ("start=2026-12-11&end=2026-12-07", "Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."),
    ("start=2025-01-01&end=2026-12-31", "Mỗi lần xuất sổ tối đa 366 ngày."),
])
def test_ledger_period_is_validated(client, login_as, query, message):
    login_as("hb.clerk")
    response = client.get(f"/ledger?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'role="alert"' in page


def test_ledger_form_and_who_may_use_it(client, login_as, db):
    login_as("hb.clerk")
    page = client.get("/ledger").get_data(as_text=True)
    assert 'type="date"' in page and "Sổ theo dõi hồ sơ" in page
    login_as("hb.officer")
    assert client.get("/ledger").status_code == 404
    assert client.get("/ledger?start=2026-12-07&end=2026-12-11").status_code == 404


def test_desk_queue_and_supervisors_link_to_the_ledger(client, login_as, db):
    login_as("hb.clerk")
    assert 'href="/ledger"' in client.get("/desk/").get_data(as_text=True)
    login_as("hp.supervisor")
    assert 'href="/ledger"' in client.get("/inbox").get_data(as_text=True)

