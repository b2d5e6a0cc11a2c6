"""Public look-up: code + last 4 ID digits, nothing out of scope, throttled."""
import pytest

from onestop.core import throttle
from onestop.dossiers.operations import perform_action
from onestop.workflows.engine import engine


@pytest.fixture
def moved(db, create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward", note="Ghi chú nội bộ: gọi lại anh An")
    db.session.commit()
    return dossier


def test_right_code_and_digits_show_public_status(client, moved):
    response = client.post("/tra-cuu/", data={"code": moved.code.lower(), "id_tail": "1234"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="lookup-result"' in page and moved.code in page
    assert "Đang giải quyết" in page and engine().of(moved).step(moved.step).name in page
    assert "Ủy ban nhân dân quận Hồng Bàng" in page


def test_public_page_reveals_no_staff_names_notes_or_applicant_details(client, moved):
    page = client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "1234"}).get_data(as_text=True)
    for secret in ("Ghi chú nội bộ", "Cán bộ một cửa", "Chuyên viên", "031090001234", "0912345678",
                   "12 Minh Khai"):
        assert secret not in page


@pytest.mark.parametrize("code, tail", [("HB-000000-0000", "1234"), (None, "9999")])
def test_wrong_code_or_digits_answer_the_same_not_found(client, moved, code, tail):
    response = client.post("/tra-cuu/", data={"code": code or moved.code, "id_tail": tail})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Không tìm thấy hồ sơ với mã và số định danh đã nhập." in page
    assert 'data-testid="lookup-result"' not in page


def test_invalid_input_gets_field_errors(client):
    response = client.post("/tra-cuu/", data={"code": "", "id_tail": "12a"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nhập mã hồ sơ." in page and "Nhập đúng 4 chữ số." in page


def test_repeated_failures_are_throttled_even_for_a_right_answer(client, moved):
    for _ in range(throttle.MAX_FAILURES):
        assert client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "0000"}).status_code == 404
    response = client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "1234"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.get_data(as_text=True)


def test_qr_style_get_link_prefills_the_code(client, moved):
    page = client.get(f"/tra-cuu/?code={moved.code}").get_data(as_text=True)
    assert f'value="{moved.code}"' in page


def test_lookup_form_carries_a_working_csrf_token(app, client, moved):
    """The QR link opens the form by GET; its token must let the POST through with CSRF on."""
    import re
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(f"/tra-cuu/?code={moved.code}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/tra-cuu/", data={"csrf_token": token, "code": moved.code, "id_tail": "1234"})
        assert response.status_code == 200 and 'data-testid="lookup-result"' in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_one_citizen_mistyping_at_a_shared_kiosk_does_not_lock_the_others_out(client, moved, create_dossier):
    from tests.conftest import APPLICANT
    other = create_dossier(applicant=APPLICANT)
    for _ in range(throttle.MAX_FAILURES):
        client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "0000"})
    assert client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "1234"}).status_code == 429
    assert client.post("/tra-cuu/", data={"code": other.code, "id_tail": "1234"}).status_code == 200


def test_sweeping_codes_from_one_address_is_throttled(client, moved, monkeypatch):
    from onestop.public import views
    monkeypatch.setattr(views, "MAX_ADDRESS_FAILURES", 5)
    for n in range(5):
        assert client.post("/tra-cuu/", data={"code": f"HB-261201-{n:04d}X", "id_tail": "0000"}).status_code == 404
    assert client.post("/tra-cuu/", data={"code": moved.code, "id_tail": "1234"}).status_code == 429
