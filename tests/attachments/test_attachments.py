"""Attachments: what may be uploaded, where it is kept, who may see and remove it."""
import hashlib
import re
from io import BytesIO
from pathlib import Path

import pytest
import segno
from sqlalchemy import select

from onestop.attachments.models import Attachment
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.operations import perform_action
from tests.conftest import LAND_DOCS

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    out = BytesIO()
    segno.make("HB-261207-0001").save(out, kind="png", scale=4)
    return out.getvalue()


def upload(client, dossier_id: int, data: bytes, name: str = "don-de-nghi.pdf", document: str = "", more=()):
    files = [(BytesIO(data), name)] + [(BytesIO(d), n) for d, n in more]
    return client.post(f"/dossiers/{dossier_id}/attachments/", content_type="multipart/form-data",
                       data={"file": files, "document": document})


def fetch(client, url: str):
    """GET a file and close it (a served file stays open until its response is closed)."""
    response = client.get(url)
    response.get_data()  # read it all into the response before the file closes
    response.close()
    return response


def stored_files(app) -> set[Path]:
    folder = Path(app.config["ONESTOP_ATTACHMENT_DIR"])
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def attachments(db, dossier_id: int) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.dossier_id == dossier_id)))


def at_department(db, dossier, user):
    """Forward the land dossier from the Hồng Bàng desk through the district to the department."""
    perform_action(dossier, user("hb.clerk"), "forward")
    perform_action(dossier, user("hb.officer"), "forward")
    db.session.commit()
    return dossier


def test_the_desk_attaches_a_scan_kept_under_a_generated_name(app, client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    response = upload(client, dossier.id, PDF, name="../../Đơn đề nghị cấp GCN.pdf", document="application")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/dossiers/{dossier.id}#attachments")

    [attachment] = attachments(db, dossier.id)
    assert attachment.filename == "Đơn đề nghị cấp GCN.pdf"
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.pdf", attachment.stored_name)
    on_disk = Path(app.config["ONESTOP_ATTACHMENT_DIR"]) / attachment.stored_name
    assert on_disk.read_bytes() == PDF and Path(app.instance_path) in on_disk.parents
    assert (attachment.content_type, attachment.size, attachment.document) == ("application/pdf", len(PDF), "application")
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    event = db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                               .order_by(DossierEvent.id.desc())).first()
    assert event.action == "attach" and "Đơn đề nghị cấp GCN.pdf" in event.note
    assert (event.to_step, event.to_agency_id) == (dossier.step, dossier.holder_agency_id)  # the dossier did not move

    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Đơn đề nghị cấp GCN.pdf" in page and f"/dossiers/{dossier.id}/attachments/{attachment.id}" in page

    served = fetch(client, f"/dossiers/{dossier.id}/attachments/{attachment.id}")
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert "filename*=UTF-8''%C4%90%C6%A1n" in served.headers["Content-Disposition"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_an_office_document_is_downloaded_not_shown(client, login_as, db, create_dossier):
    import zipfile
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    dossier = create_dossier()
    login_as("hb.clerk")
    assert upload(client, dossier.id, out.getvalue(), name="to-trinh.docx").status_code == 302
    [attachment] = attachments(db, dossier.id)
    served = fetch(client, f"/dossiers/{dossier.id}/attachments/{attachment.id}")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert attachment.stored_name.endswith(".docx")


@pytest.mark.parametrize("data, name, message", [
    (b"", "rong.pdf", "Tệp rỗng."),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64, "hop-dong.pdf", "Chỉ nhận tệp"),
    (b"<html><script>alert(1)</script></html>", "trang.pdf", "Chỉ nhận tệp"),
    (b"ho ten, so cccd\n", "danh-sach.csv", "Chỉ nhận tệp"),
    (PDF + b"x" * 2048, "qua-lon.pdf", "Tệp quá lớn: tối đa 0.001 MB."),
])
def test_a_refused_file_gets_a_field_error_and_nothing_is_kept(app, client, login_as, db, create_dossier,
                                                               monkeypatch, data, name, message):
    monkeypatch.setitem(app.config, "ONESTOP_ATTACHMENT_MAX_MB", 0.001)
    dossier = create_dossier()
    before = stored_files(app)
    login_as("hb.clerk")
    response = upload(client, dossier.id, data, name=name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="attachments"' in page and 'aria-invalid="true"' in page
    assert attachments(db, dossier.id) == [] and stored_files(app) == before


def test_no_file_and_a_document_outside_the_checklist_are_field_errors(app, client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    response = client.post(f"/dossiers/{dossier.id}/attachments/", data={"document": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Chọn tệp cần đính kèm." in response.get_data(as_text=True)
    response = upload(client, dossier.id, PDF, document="passport")
    assert response.status_code == 422
    assert "Giấy tờ không có trong thành phần hồ sơ của thủ tục." in response.get_data(as_text=True)
    assert attachments(db, dossier.id) == []


def test_errors_are_in_english_for_an_english_user(app, client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    client.get("/lang/en")
    page = upload(client, dossier.id, b"plain text", name="note.pdf").get_data(as_text=True)
    assert "Only PDF" in page and "Chỉ nhận tệp" not in page


def test_a_request_over_the_hard_limit_is_cut_off_with_a_clear_page(app, client, login_as, db, create_dossier,
                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    dossier = create_dossier()
    before = stored_files(app)
    login_as("hb.clerk")
    response = upload(client, dossier.id, PDF + b"x" * 8192)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert attachments(db, dossier.id) == [] and stored_files(app) == before


def test_files_are_served_only_in_scope(client, login_as, db, create_dossier, user):
    dossier = at_department(db, create_dossier(), user)
    login_as("stnmt.officer")
    assert upload(client, dossier.id, png(), name="ban-ve.png").status_code == 302
    [attachment] = attachments(db, dossier.id)
    url = f"/dossiers/{dossier.id}/attachments/{attachment.id}"
    assert fetch(client, url).mimetype == "image/png"

    for username in ("hb.clerk", "hb.officer", "hp.supervisor", "stnmt.supervisor"):
        login_as(username)
        assert fetch(client, url).status_code == 200, username
    for username in ("lc.officer", "lc.clerk", "sxd.officer", "lc.supervisor"):
        login_as(username)
        assert client.get(url).status_code == 404, username
        assert upload(client, dossier.id, PDF).status_code == 404, username

    other = create_dossier()
    login_as("hb.clerk")
    assert client.get(f"/dossiers/{other.id}/attachments/{attachment.id}").status_code == 404
    assert client.get(f"/dossiers/{dossier.id}/attachments/999999").status_code == 404


def test_only_the_desk_and_the_holder_may_attach(client, login_as, db, create_dossier, user):
    dossier = at_department(db, create_dossier(), user)
    login_as("hp.supervisor")  # sees the dossier (the city is above everyone) but does not work on it
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="attachment-form"' not in page
    response = upload(client, dossier.id, PDF)
    assert response.status_code == 302
    assert "Chỉ bộ phận một cửa tiếp nhận" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert attachments(db, dossier.id) == []

    login_as("hb.clerk")  # the receiving desk, though the department holds it now
    assert 'data-testid="attachment-form"' in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert upload(client, dossier.id, PDF).status_code == 302


def test_nothing_is_attached_to_a_closed_dossier(client, login_as, db, create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "withdraw", note="Công dân rút hồ sơ")
    db.session.commit()
    login_as("hb.clerk")
    assert 'data-testid="attachment-form"' not in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    upload(client, dossier.id, PDF)
    assert attachments(db, dossier.id) == []


def test_removing_keeps_the_record_and_only_the_uploader_or_a_supervisor_may(app, client, login_as, db,
                                                                             create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    upload(client, dossier.id, PDF, name="ban-sao.pdf")
    upload(client, dossier.id, png(), name="anh.png")
    first, second = sorted(attachments(db, dossier.id), key=lambda a: a.id)

    login_as("hb.officer")  # same agency, not the uploader
    assert f'action="/dossiers/{dossier.id}/attachments/{first.id}/remove"' not in client.get(
        f"/dossiers/{dossier.id}").get_data(as_text=True)
    client.post(f"/dossiers/{dossier.id}/attachments/{first.id}/remove")
    db.session.refresh(first)
    assert first.removed_at is None

    login_as("hb.clerk")
    assert client.post(f"/dossiers/{dossier.id}/attachments/{first.id}/remove").status_code == 302
    db.session.refresh(first)
    assert first.removed_at is not None and first.removed_by_id is not None
    assert client.get(f"/dossiers/{dossier.id}/attachments/{first.id}").status_code == 404
    assert (Path(app.config["ONESTOP_ATTACHMENT_DIR"]) / first.stored_name).exists()
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "anh.png" in page and "Gỡ tệp đính kèm" in page  # the history keeps the removal

    login_as("hb.supervisor")
    assert client.post(f"/dossiers/{dossier.id}/attachments/{second.id}/remove").status_code == 302
    db.session.refresh(second)
    assert second.removed_at is not None


def test_attaching_is_not_a_handover_on_slip_06_or_the_public_look_up(client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    upload(client, dossier.id, PDF, name="ban-chup-rieng-tu.pdf")
    client.get(f"/dossiers/{dossier.id}")  # shows, and so clears, the upload's flash message
    slip = client.get(f"/dossiers/{dossier.id}/slips/06").get_data(as_text=True)
    assert "ban-chup-rieng-tu.pdf" not in slip and "Đính kèm tệp" not in slip
    client.get("/logout")
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": dossier.applicant_id_number[-4:]})
    assert dossier.code in page.get_data(as_text=True)
    assert "ban-chup-rieng-tu.pdf" not in page.get_data(as_text=True)


def test_the_checklist_documents_are_offered_for_each_file(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    form = page[page.index('data-testid="attachment-form"'):]
    assert 'enctype="multipart/form-data"' in page and 'accept=".docx' in form
    for key in LAND_DOCS:
        assert f'value="{key}"' in form


def test_a_file_name_is_only_ever_text_on_the_page(client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    upload(client, dossier.id, PDF, name="x');alert(1);('<b>.pdf")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "alert(1);('<b>" not in page and "onclick" not in page
    assert 'data-confirm="Gỡ tệp x&#39;);alert(1);(&#39;&lt;b&gt;.pdf?"' in page


def test_the_checklist_links_each_document_to_its_electronic_copy(client, login_as, db, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    upload(client, dossier.id, PDF, name="so-do.pdf", document="land_papers")
    [attachment] = attachments(db, dossier.id)
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    checklist = page[page.index('<ul class="docs">'):page.index("</ul>", page.index('<ul class="docs">'))]
    item = next(line for line in checklist.split("<li")[1:] if "Giấy tờ về quyền sử dụng đất" in line)
    assert f'href="/dossiers/{dossier.id}/attachments/{attachment.id}"' in item and "so-do.pdf" in item
    assert checklist.count("so-do.pdf") == 1


def test_the_receipt_leads_the_clerk_on_to_attach_the_scans(client, login_as, create_dossier):
    dossier = create_dossier()
    login_as("hb.clerk")
    page = client.get(f"/desk/dossiers/{dossier.id}/receipt").get_data(as_text=True)
    assert f'href="/dossiers/{dossier.id}#attachments">Đính kèm bản chụp giấy tờ</a>' in page


def test_several_files_at_once_are_all_kept_or_none(app, client, login_as, db, create_dossier, monkeypatch):
    dossier = create_dossier()
    login_as("hb.clerk")
    before = stored_files(app)
    response = upload(client, dossier.id, PDF, name="trang-1.pdf", document="land_papers",
                      more=[(png(), "trang-2.png"), (b"MZ" + b"\x00" * 64, "trang-3.pdf")])
    assert response.status_code == 422
    assert "trang-3.pdf: Chỉ nhận tệp" in response.get_data(as_text=True)
    assert attachments(db, dossier.id) == [] and stored_files(app) == before

    response = upload(client, dossier.id, PDF, name="trang-1.pdf", document="land_papers",
                      more=[(png(), "trang-2.png")])
    assert response.status_code == 302
    assert sorted((a.filename, a.document) for a in attachments(db, dossier.id)) == [
        ("trang-1.pdf", "land_papers"), ("trang-2.png", "land_papers")]
    assert "Đã đính kèm tệp trang-1.pdf, trang-2.png." in client.get(response.headers["Location"]).get_data(as_text=True)

    monkeypatch.setitem(app.config, "ONESTOP_ATTACHMENT_MAX_FILES", 2)
    response = upload(client, dossier.id, PDF, more=[(PDF, "b.pdf"), (PDF, "c.pdf")])
    assert response.status_code == 422 and "Tối đa 2 tệp một lần." in response.get_data(as_text=True)
    assert len(attachments(db, dossier.id)) == 2


def test_a_failure_while_saving_leaves_no_file_behind(app, client, login_as, db, create_dossier, monkeypatch):
    from onestop.attachments import views as attachment_views
    from onestop.core.errors import OperationError
    dossier = create_dossier()
    login_as("hb.clerk")
    before = stored_files(app)
    calls = []

    def add_then_fail(*args, **kwargs):
        if calls:
            raise OperationError("Hồ sơ đã kết thúc.")
        calls.append(1)
        return original(*args, **kwargs)
    original = attachment_views.add_attachment
    monkeypatch.setattr(attachment_views, "add_attachment", add_then_fail)
    response = upload(client, dossier.id, PDF, more=[(PDF, "b.pdf")])
    assert response.status_code == 302
    assert attachments(db, dossier.id) == [] and stored_files(app) == before
