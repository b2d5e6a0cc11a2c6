"""An admin onboards a new clerk in the browser; the clerk logs in with the one-time password, is made
to choose their own, logs a dossier at the desk and finds it again with the header search ("/")."""
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, or_, select

from onestop.auth.models import User
from onestop.auth.throttle import LoginFailure
from onestop.core.audit import AuditEntry
from onestop.dossiers.models import Dossier
from tests.e2e.conftest import screenshot
from tests.e2e.test_clerk_intake import NAME, _fill_intake, _open_intake

pytestmark = pytest.mark.browser

USERNAME = "tran.thu.ha"
FULL_NAME = "Trần Thu Hà"
OWN_PASSWORD = "Sóng biển Đồ Sơn mùa hạ 2027"


@pytest.fixture
def leaves_no_account(app):
    """Set up before the live server (and its ``committed``), torn down after it: once the dossiers are
    deleted, the account made by the test and the trail of this test go too."""
    from onestop.extensions import db

    started = datetime.now(UTC)
    yield
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == USERNAME))
        db.session.execute(delete(AuditEntry).where(or_(AuditEntry.at >= started, AuditEntry.actor_id == user_id)))
        db.session.execute(delete(LoginFailure))
        if user_id is not None:
            db.session.execute(delete(User).where(User.id == user_id))
        db.session.commit()


def test_an_admin_onboards_a_clerk_who_logs_a_dossier(leaves_no_account, live_server, committed, new_page, login):
    admin = new_page()
    login(admin, "admin", "admin1234")
    admin.get_by_role("navigation").get_by_role("link", name="Cán bộ", exact=True).click()
    expect(admin.get_by_role("heading", name="Cán bộ")).to_be_visible()
    admin.get_by_test_id("new-staff").click()
    admin.locator("#username").fill(USERNAME)
    admin.locator("#full_name").fill(FULL_NAME)
    admin.locator("#email").fill("ha.tran@hongbang.example")
    admin.locator("#phone").fill("0905 111 222")
    admin.locator("#role").select_option("clerk")
    hb = admin.locator("#agency_id option", has_text=re.compile(r"Hồng Bàng \(HB\)$")).get_attribute("value")
    admin.locator("#agency_id").select_option(hb)
    screenshot(admin, "onboarding-staff-form")
    admin.get_by_role("button", name="Tạo tài khoản").click()
    expect(admin.get_by_test_id("new-username")).to_have_text(USERNAME)
    one_time = admin.get_by_test_id("one-time-password").inner_text()
    assert len(one_time) == 12
    screenshot(admin, "onboarding-one-time-password")

    clerk = new_page()
    clerk.goto("/login")
    clerk.locator("#username").fill(USERNAME)
    clerk.locator("#password").fill(one_time)
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(re.compile(r"/password$"))
    expect(clerk.get_by_test_id("one-time-password-notice")).to_be_visible()
    clerk.goto("/desk/")  # nothing else opens before the password is changed
    expect(clerk).to_have_url(re.compile(r"/password$"))
    clerk.locator("#current").fill(one_time)
    clerk.locator("#new").fill("matkhau123")
    clerk.locator("#confirm").fill("matkhau123")
    clerk.get_by_role("button", name="Đổi mật khẩu").click()
    expect(clerk.get_by_role("alert").first).to_contain_text("Mật khẩu")  # refused: too short and too common
    clerk.locator("#current").fill(one_time)
    clerk.locator("#new").fill(OWN_PASSWORD)
    clerk.locator("#confirm").fill(OWN_PASSWORD)
    clerk.get_by_role("button", name="Đổi mật khẩu").click()
    expect(clerk).to_have_url(re.compile(r"/desk/$"))
    expect(clerk.get_by_role("status")).to_contain_text("Đã đổi mật khẩu")

    _open_intake(clerk)
    _fill_intake(clerk, id_number="031090007788")
    clerk.keyboard.press("Enter")
    expect(clerk).to_have_url(re.compile(r"/desk/dossiers/\d+/receipt$"))
    code = clerk.get_by_test_id("dossier-code").inner_text()

    clerk.goto("/desk/")
    clerk.locator("body").press("/")
    expect(clerk.get_by_test_id("header-search")).to_be_focused()
    clerk.keyboard.type("tran thi bich")
    clerk.keyboard.press("Enter")
    expect(clerk.get_by_test_id("search-results")).to_contain_text(code)
    screenshot(clerk, "onboarding-search")

    committed.session.rollback()
    dossier = committed.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier.received_by.username == USERNAME and dossier.applicant_name == NAME
    user = committed.session.scalar(select(User).where(User.username == USERNAME))
    assert not user.must_change_password and user.check_password(OWN_PASSWORD)
    kinds = set(committed.session.scalars(select(AuditEntry.kind).where(AuditEntry.target == f"user:{user.id}")))
    assert {"user.create", "auth.login", "user.password_change"} <= kinds
    committed.session.rollback()

    # the admin's staff list shows the new clerk, and the audit page their story
    admin.goto(f"/admin/staff/?q={USERNAME}")
    expect(admin.locator(f'tr[data-username="{USERNAME}"]')).to_be_visible()
    admin.goto(f"/admin/audit/?person={USERNAME}")
    expect(admin.locator('tr[data-kind="user.password_change"]')).to_be_visible()
    screenshot(admin, "onboarding-audit")
