"""In a real browser, with CSRF on: the desk attaches a scan to a dossier, a refused file is explained
beside the field, and the file is served to the department that works on it but not to another district."""
from io import BytesIO

import pytest
import segno
from sqlalchemy import select

from onestop.auth.models import User
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import perform_action

expect = pytest.importorskip("playwright.sync_api").expect


def test_the_desk_attaches_a_scan_and_only_staff_in_scope_can_open_it(committed, create_dossier, new_page, login,
                                                                        tmp_path):
    db = committed
    dossier = create_dossier()
    dossier_id, code = dossier.id, dossier.code
    db.session.rollback()  # end the read transaction: the server's connections write next

    scan = tmp_path / "Giấy tờ đất - bản chụp.png"
    out = BytesIO()
    segno.make(code).save(out, kind="png", scale=8)
    scan.write_bytes(out.getvalue())
    wrong = tmp_path / "danh-sach.txt"
    wrong.write_text("không phải tệp được nhận\n")

    clerk = new_page()
    login(clerk, "hb.clerk")
    clerk.goto(f"/dossiers/{dossier_id}")
    panel = clerk.get_by_test_id("attachments")
    expect(panel).to_contain_text("Chưa có tệp nào.")

    panel.get_by_label("Tệp").set_input_files(str(wrong))
    panel.get_by_role("button", name="Đính kèm").click()
    panel = clerk.get_by_test_id("attachments")
    expect(panel.get_by_role("alert")).to_contain_text("Chỉ nhận tệp")
    expect(panel.get_by_label("Tệp")).to_have_attribute("aria-invalid", "true")

    panel.get_by_label("Tệp").set_input_files(str(scan))
    panel.get_by_label("Là bản của giấy tờ").select_option("land_papers")
    panel.get_by_role("button", name="Đính kèm").click()
    expect(clerk.locator(".flash.success")).to_contain_text("Đã đính kèm tệp Giấy tờ đất - bản chụp.png")
    row = clerk.get_by_test_id("attachment")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Cán bộ một cửa")
    link = row.get_by_role("link", name="Giấy tờ đất - bản chụp.png")
    href = link.get_attribute("href")
    served = clerk.request.get(href)
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert served.body() == scan.read_bytes()
    expect(clerk.get_by_test_id("history")).to_contain_text("Đính kèm tệp")

    dossier = db.session.get(Dossier, dossier_id)
    perform_action(dossier, db.session.scalar(select(User).where(User.username == "hb.clerk")), "forward")
    perform_action(dossier, db.session.scalar(select(User).where(User.username == "hb.officer")), "forward")
    db.session.commit()

    department = new_page()
    login(department, "stnmt.officer")
    department.goto(f"/dossiers/{dossier_id}")
    expect(department.get_by_test_id("attachment")).to_contain_text("Giấy tờ đất - bản chụp.png")
    assert department.request.get(href).status == 200

    stranger = new_page()
    login(stranger, "lc.officer")
    assert stranger.request.get(href).status == 404
    stranger.goto(f"/dossiers/{dossier_id}")
    expect(stranger.locator("h1")).to_contain_text("404")
