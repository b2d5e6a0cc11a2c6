"""The date fields: blank, out-of-range and malformed dates are field errors, never a 500."""
import pytest


@pytest.mark.parametrize("query, message", [
    ("start=%20&end=2026-12-11", "Nhập ngày bắt đầu."),
    ("start=2026-12-01&end=9999-12-31", "Năm phải từ 1900 đến 2099."),
    ("start=0001-01-01&end=2026-12-31", "Năm phải từ 1900 đến 2099."),
    ("start=31/02/2026&end=2026-12-11", "Ngày không hợp lệ"),
    ("start=2026-12-01&end=2026-12-01%00", "Ngày"),
])
def test_the_ledger_period_is_checked(client, login_as, query, message):
    login_as("hb.clerk")
    response = client.get(f"/ledger?{query}")
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert message in response.get_data(as_text=True)


def test_a_blank_override_day_is_a_field_error(client, login_as):
    login_as("admin")
    response = client.post("/admin/calendar/overrides", data={"day": " ", "kind": "off"})
    assert response.status_code == 422 and "Chọn ngày cần điều chỉnh." in response.get_data(as_text=True)
