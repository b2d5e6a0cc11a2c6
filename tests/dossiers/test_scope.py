"""Agency scope: who sees and acts on which dossier; outside scope is a 404."""
import pytest

from onestop.dossiers.operations import perform_action


@pytest.fixture
def at_department(db, create_dossier, user):
    """A Hồng Bàng land dossier that has reached the department of natural resources."""
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    perform_action(dossier, user("hb.officer"), "forward")
    db.session.commit()
    return dossier


@pytest.mark.parametrize("username, visible", [
    ("stnmt.officer", True),    # holds it
    ("hb.officer", True),       # handled it
    ("hb.clerk", True),         # received it
    ("hp.supervisor", True),    # the city sees everything under it
    ("hb.supervisor", True),    # its own district handled it
    ("lc.officer", False),      # another district
    ("sxd.officer", False),     # another department
    ("hbmk.officer", False),    # a ward under Hồng Bàng never touched it
    ("lc.supervisor", False),
])
def test_who_sees_the_dossier(client, login_as, at_department, username, visible):
    login_as(username)
    response = client.get(f"/dossiers/{at_department.id}")
    assert response.status_code == (200 if visible else 404)
    receipt = client.get(f"/desk/dossiers/{at_department.id}/receipt")
    assert receipt.status_code == (200 if visible else 404)


def test_only_holder_sees_action_buttons(client, login_as, at_department):
    button = "Trình UBND thành phố ký</button>"  # the label also appears in the diagram, the button only here
    login_as("stnmt.officer")
    assert button in client.get(f"/dossiers/{at_department.id}").get_data(as_text=True)
    login_as("hb.officer")
    page = client.get(f"/dossiers/{at_department.id}").get_data(as_text=True)
    assert button not in page


def test_outsider_cannot_act_even_by_posting(client, login_as, at_department):
    login_as("lc.officer")
    response = client.post(f"/dossiers/{at_department.id}/action", data={"action": "forward"})
    assert response.status_code == 404
    assert at_department.step == "department_appraisal"


def test_viewer_out_of_turn_gets_an_error_not_a_move(client, login_as, at_department):
    login_as("hb.officer")  # can see it (handled it) but does not hold it
    response = client.post(f"/dossiers/{at_department.id}/action", data={"action": "forward", "note": "x"})
    assert response.status_code == 422
    assert "không thể thực hiện" in response.get_data(as_text=True)
    assert at_department.step == "department_appraisal"


def test_inbox_shows_only_agency_holdings(client, login_as, at_department, create_dossier):
    untouched = create_dossier(clerk="lc.clerk")
    login_as("stnmt.officer")
    page = client.get("/inbox?tab=all").get_data(as_text=True)
    assert at_department.code in page and untouched.code not in page


def test_officer_works_dossier_through_the_web(client, login_as, at_department):
    login_as("stnmt.officer")
    response = client.post(f"/dossiers/{at_department.id}/action",
                           data={"action": "forward", "note": "Hồ sơ hợp lệ"})
    assert response.status_code == 302
    assert at_department.step == "city_sign"
    page = client.get(f"/dossiers/{at_department.id}").get_data(as_text=True)
    assert "Hồ sơ hợp lệ" in page  # history shows the note


def test_refusal_without_reason_reshows_with_error(client, login_as, at_department):
    login_as("stnmt.officer")
    response = client.post(f"/dossiers/{at_department.id}/action", data={"action": "refuse", "note": ""})
    assert response.status_code == 422
    assert "Cần ghi rõ lý do." in response.get_data(as_text=True)
    assert at_department.step == "department_appraisal"
