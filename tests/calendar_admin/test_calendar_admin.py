"""The admin's calendar page: holidays, overrides and reminder rules; 404 for everyone else."""
from datetime import date

import pytest
from sqlalchemy import select

from onestop.core import clock
from onestop.core.audit import AuditEntry
from onestop.core.workdays import CalendarOverride, current_calendar
from onestop.dossiers.rules import ReminderRule, current_rules
from tests.conftest import LAND, vn

PAGE = "/admin/calendar"
RULES = "/admin/reminders"


@pytest.mark.parametrize("username", ["hb.clerk", "hb.officer", "hb.supervisor", "hp.supervisor"])
def test_not_for_staff(client, login_as, username):
    login_as(username)
    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}/overrides", data={"day": "2026-08-15", "kind": "working"}).status_code == 404
    assert client.post(f"{PAGE}/overrides/2026-08-15/delete").status_code == 404
    assert client.post(f"{RULES}", data={"scope": "*", "due_soon_percent": "50"}).status_code == 404
    assert 'href="/admin/calendar"' not in client.get("/notifications/").get_data(as_text=True)


def test_needs_a_login(client):
    assert client.get(PAGE).status_code == 302


def test_lists_upcoming_holidays_and_make_up_days(client, login_as):
    login_as("admin")
    with clock.frozen(vn(2026, 8, 1, 9, 0)):
        page = client.get(PAGE).get_data(as_text=True)
    assert 'href="/admin/calendar"' in page  # the admin's menu
    for day in ("2026-08-22", "2026-08-31", "2026-09-02", "2027-01-01"):
        assert f'data-day="{day}"' in page, day
    assert "Ngày làm việc bù" in page and "Quốc khánh" in page
    assert 'data-day="2026-04-30"' not in page  # past


def test_add_and_remove_an_override(db, client, login_as):
    admin = login_as("admin")
    with clock.frozen(vn(2026, 8, 1, 9, 0)):
        answer = client.post(f"{PAGE}/overrides", data={"day": "15/08/2026", "kind": "working", "note": "Làm bù"})
        assert answer.status_code == 302
        override = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == date(2026, 8, 15)))
        assert override.is_working and override.note == "Làm bù" and override.created_by_id == admin.id
        assert current_calendar().is_working_day(date(2026, 8, 15))
        page = client.get(PAGE).get_data(as_text=True)
        assert "Đã đặt ngày 15/08/2026 là ngày làm việc." in page and 'data-day="2026-08-15"' in page
        assert client.post(f"{PAGE}/overrides/2026-08-15/delete").status_code == 302
        db.session.refresh(override)  # kept, as history is, with who removed it
        assert override.removed_at is not None and override.removed_by_id == admin.id
        trail = db.session.scalars(select(AuditEntry.kind).where(AuditEntry.target == "calendar:2026-08-15")
                                   .order_by(AuditEntry.id)).all()
        assert trail == ["calendar.override_add", "calendar.override_remove"]
        assert not current_calendar().is_working_day(date(2026, 8, 15))
        assert client.post(f"{PAGE}/overrides/2026-08-15/delete").status_code == 404
        assert client.post(f"{PAGE}/overrides/not-a-date/delete").status_code == 404
        # the same day may be overridden again; the removed row stays beside the new one
        assert client.post(f"{PAGE}/overrides", data={"day": "15/08/2026", "kind": "working"}).status_code == 302
        assert len(db.session.scalars(select(CalendarOverride).where(CalendarOverride.day == date(2026, 8, 15))).all()) == 2


@pytest.mark.parametrize("data, message", [
    ({"kind": "off"}, "Chọn ngày cần điều chỉnh."),
    ({"day": "31/02/2026", "kind": "off"}, "Ngày không hợp lệ (ngày/tháng/năm)."),
    ({"day": "2026-08-14"}, "Chọn ngày nghỉ hoặc ngày làm việc."),
    ({"day": "2026-08-14", "kind": "holiday"}, "Chọn ngày nghỉ hoặc ngày làm việc."),
    ({"day": "2026-08-14", "kind": "working"}, "Ngày này vốn đã là ngày làm việc."),  # a Friday
    ({"day": "2026-08-16", "kind": "off"}, "Ngày này vốn đã là ngày nghỉ."),  # a Sunday
    ({"day": "2026-09-02", "kind": "off"}, "Ngày này vốn đã là ngày nghỉ."),  # National Day
    ({"day": "2020-01-06", "kind": "off"}, "Chỉ điều chỉnh ngày từ 02/07/2026 đến"),
    ({"day": "2026-08-14", "kind": "off", "note": "x" * 201}, "Ghi chú tối đa 200 ký tự."),
])
def test_override_validation(db, client, login_as, data, message):
    login_as("admin")
    with clock.frozen(vn(2026, 8, 1, 9, 0)):
        answer = client.post(f"{PAGE}/overrides", data=data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalars(select(CalendarOverride)).all() == []


def test_an_existing_override_must_be_removed_first(db, client, login_as):
    login_as("admin")
    db.session.add(CalendarOverride(day=date(2026, 8, 14), is_working=False, note="Bão"))
    db.session.commit()
    with clock.frozen(vn(2026, 8, 1, 9, 0)):
        answer = client.post(f"{PAGE}/overrides", data={"day": "2026-08-14", "kind": "working"})
    assert answer.status_code == 422 and "xóa điều chỉnh cũ" in answer.get_data(as_text=True)


def test_forms_carry_a_csrf_token(app, client, login_as, monkeypatch):
    login_as("admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get(PAGE).get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2
    assert client.post(f"{PAGE}/overrides", data={"day": "2026-08-15", "kind": "working"}).status_code == 400


def test_reminder_rules_global_and_per_procedure(db, client, login_as):
    login_as("admin")
    assert current_rules().default.due_soon_percent == 75  # configuration
    answer = client.post(f"{RULES}", data={"scope": LAND, "due_soon_percent": "50", "remind_overdue": "y",
                                                 "escalate_days": "2", "escalate_parent_days": ""})
    assert answer.status_code == 302
    row = db.session.scalar(select(ReminderRule).where(ReminderRule.procedure_code == LAND))
    assert (row.due_soon_percent, row.remind_overdue, row.escalate_days, row.escalate_parent_days) == (50, True, 2, None)
    assert current_rules().for_procedure(LAND).escalate_parent_days is None
    assert client.post(f"{RULES}", data={"scope": "*", "due_soon_percent": "80", "escalate_days": "1",
                                               "escalate_parent_days": "4"}).status_code == 302
    rules = current_rules()
    assert (rules.default.due_soon_percent, rules.default.remind_overdue, rules.default.escalate_parent_days) == (80, False, 4)
    page = client.get(f"{RULES}/{LAND}").get_data(as_text=True)
    assert 'value="50"' in page and f'data-scope="{LAND}"' in page
    assert client.get(f"{RULES}/9.999999").status_code == 404
    assert client.post(f"{RULES}/{LAND}/delete").status_code == 302
    assert client.post(f"{RULES}/*/delete").status_code == 302
    assert current_rules().default.due_soon_percent == 75
    assert client.post(f"{RULES}/*/delete").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"scope": "*", "due_soon_percent": "150"}, "Tỉ lệ từ 0 (tắt) đến 99 %."),
    ({"scope": "*", "due_soon_percent": ""}, "Nhập tỉ lệ (0 để tắt)."),
    ({"scope": "*", "due_soon_percent": "bảy lăm"}, "Nhập một số nguyên."),
    ({"scope": "*", "due_soon_percent": "75", "escalate_days": "3", "escalate_parent_days": "2"},
     "Báo cấp trên phải sau khi báo lãnh đạo đơn vị."),
    ({"scope": "*", "due_soon_percent": "75", "escalate_days": "-1"}, "Số ngày từ 0 đến 60"),
    ({"scope": "9.999999", "due_soon_percent": "75"}, "Thủ tục không có trong danh mục."),
])
def test_rule_validation(db, client, login_as, data, message):
    login_as("admin")
    answer = client.post(f"{RULES}", data=data)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert db.session.scalars(select(ReminderRule)).all() == []
