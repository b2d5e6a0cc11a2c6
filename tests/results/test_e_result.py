"""The e-result: the signed PDF uploaded at the signing step (required before the signature where the
procedure says so), its SHA-256 kept and shown, downloaded by the citizen from the look-up, and a
public page reached from the QR code of its cover that says whether a file is the one issued."""
import hashlib
import re
import shutil
import subprocess
from io import BytesIO

import pytest
from sqlalchemy import select

from onestop.core.errors import OperationError
from onestop.dossiers.operations import perform_action, route
from onestop.results.models import SignedResult
from tests.conftest import APPLICANT
from tests.helpers import PDF

BUSINESS = "1.001612"  # e_result = true
SIGNED = PDF.replace(b"<<>>", b"<< /Signed (yes) >>")


def _at_signing(db, create_dossier, user):
    dossier = create_dossier(clerk="hb.clerk", procedure=BUSINESS,
                             documents=["application", "identity_papers"], applicant=APPLICANT)
    for username in ("hb.clerk", "hb.officer"):
        perform_action(dossier, user(username), "forward", note="ok")
        route(dossier.id, dossier.step_seq)
    db.session.commit()
    assert dossier.step == "leader_sign"
    return dossier


def _upload(client, dossier, data=SIGNED, name="giay-chung-nhan.pdf"):
    return client.post(f"/dossiers/{dossier.id}/result", data={"file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_no_signature_before_the_signed_result_is_uploaded(client, login_as, db, create_dossier, user):
    dossier = _at_signing(db, create_dossier, user)
    with pytest.raises(OperationError, match="Tải lên kết quả đã ký số"):
        perform_action(dossier, user("hb.supervisor"), "sign")
    assert dossier.step == "leader_sign"
    login_as("hb.supervisor")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="e-result"' in page and "trước khi ký duyệt" in page
    assert _upload(client, dossier).status_code == 302
    result = db.session.scalar(select(SignedResult))
    assert result.sha256 == hashlib.sha256(SIGNED).hexdigest() and result.filename == "giay-chung-nhan.pdf"
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert result.sha256 in page
    perform_action(dossier, user("hb.supervisor"), "sign")
    assert dossier.step == "result_at_desk"


@pytest.mark.parametrize("data, message", [(b"not a pdf at all", "Chỉ nhận tệp"),
                                           (b"\x89PNG\r\n\x1a\n" + b"0" * 64, "phải là tệp PDF")])
def test_only_a_pdf_is_taken(client, login_as, db, create_dossier, user, data, message):
    dossier = _at_signing(db, create_dossier, user)
    login_as("hb.supervisor")
    response = _upload(client, dossier, data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(SignedResult)) is None


def test_only_whoever_signs_uploads(client, login_as, db, create_dossier, user):
    dossier = _at_signing(db, create_dossier, user)
    login_as("hb.officer")
    assert 'data-testid="e-result"' not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert _upload(client, dossier).status_code == 422
    login_as("lc.supervisor")  # another district: not even the dossier
    assert _upload(client, dossier).status_code == 404
    assert db.session.scalar(select(SignedResult)) is None


def test_the_citizen_downloads_it_from_the_look_up_and_verifies_it_from_the_cover(client, login_as, db,
                                                                                   create_dossier, user):
    dossier = _at_signing(db, create_dossier, user)
    login_as("hb.supervisor")
    _upload(client, dossier)
    perform_action(dossier, user("hb.supervisor"), "sign")
    db.session.commit()
    result = db.session.scalar(select(SignedResult))
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": "1234"}).get_data(as_text=True)
    link = re.search(r'href="(/tra-cuu/ket-qua/[^"]+)"', page).group(1)
    assert result.sha256 in page
    with client.get(link) as download:
        assert download.status_code == 200 and download.data == SIGNED and download.mimetype == "application/pdf"
    assert client.get(link[:-3] + "xyz").status_code == 404  # a forged link
    # the cover's QR code opens the verification page
    login_as("hb.supervisor")
    cover = client.get(f"/dossiers/{dossier.id}/result/{result.id}/cover.pdf")
    assert cover.status_code == 200
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=cover.data, capture_output=True).stdout.decode()
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text and result.sha256[:20] in text.replace("\n", "")
        assert f"/xac-minh/{result.token}" in text.replace("\n", "")
    verify = f"/xac-minh/{result.token}"
    page = client.get(verify).get_data(as_text=True)
    assert dossier.code in page and result.sha256 in page and "031090001234" not in page
    same = client.post(verify, data={"file": (BytesIO(SIGNED), "x.pdf")}, content_type="multipart/form-data")
    assert "đúng là kết quả đã ban hành" in same.get_data(as_text=True)
    other = client.post(verify, data={"file": (BytesIO(PDF), "x.pdf")}, content_type="multipart/form-data")
    assert "KHÔNG phải kết quả đã ban hành" in other.get_data(as_text=True)
    assert hashlib.sha256(PDF).hexdigest() in other.get_data(as_text=True)
    assert client.post(verify, data={}).status_code == 422
    assert client.get("/xac-minh/nope").status_code == 404 and client.get("/xac-minh/a%00b").status_code == 404


def test_a_replaced_result_still_verifies_as_replaced(client, login_as, db, create_dossier, user):
    dossier = _at_signing(db, create_dossier, user)
    login_as("hb.supervisor")
    _upload(client, dossier)
    _upload(client, dossier, SIGNED + b"% corrected\n")
    first, second = db.session.scalars(select(SignedResult).order_by(SignedResult.id)).all()
    assert first.replaced_at is not None and second.replaced_at is None
    page = client.post(f"/xac-minh/{first.token}", data={"file": (BytesIO(SIGNED), "x.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "đã được thay thế" in page and "không còn hiệu lực" in page


def test_the_look_up_offers_no_download_before_the_result_is_ready(client, db, create_dossier, user):
    dossier = _at_signing(db, create_dossier, user)
    from onestop.results.operations import upload_signed_result
    upload_signed_result(dossier, user("hb.supervisor"), filename="a.pdf", data=SIGNED)
    db.session.commit()
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": "1234"}).get_data(as_text=True)
    assert "/tra-cuu/ket-qua/" not in page and "SHA-256" not in page
