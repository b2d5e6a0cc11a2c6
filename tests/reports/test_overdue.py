"""The supervisor's overdue page, under a controllable clock."""
from onestop.core import clock
from onestop.dossiers.operations import perform_action, route
from tests.conftest import COPY, vn


def _land_at_department(create_dossier, user):
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    route(dossier.id, dossier.step_seq)
    perform_action(dossier, user("hb.officer"), "forward")
    return dossier


def test_overdue_page_groups_by_agency_in_supervisor_subtree(db, client, login_as, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        at_department = _land_at_department(create_dossier, user)
        at_ward = create_dossier(clerk="hbmk.clerk", procedure=COPY)
        elsewhere = create_dossier(clerk="lc.clerk")
        db.session.commit()

    login_as("hp.supervisor")
    with clock.frozen(vn(2026, 12, 7, 9, 0)):  # nothing late yet
        page = client.get("/reports/overdue").get_data(as_text=True)
    assert 'data-testid="overdue-total">0<' in page

    with clock.frozen(vn(2027, 2, 1, 9, 0)):  # past every due date
        page = client.get("/reports/overdue").get_data(as_text=True)
        assert 'data-testid="overdue-total">3<' in page
        for dossier in (at_department, at_ward, elsewhere):
            assert f'/dossiers/{dossier.id}"' in page
        assert 'data-agency="STNMT">1<' in page and 'data-agency="HBMK">1<' in page
        assert 'data-agency="LC">1<' in page

        login_as("hb.supervisor")  # Hồng Bàng sees its own ward, not the department or Lê Chân
        page = client.get("/reports/overdue").get_data(as_text=True)
        assert 'data-testid="overdue-total">1<' in page
        assert f'/dossiers/{at_ward.id}"' in page
        assert f'/dossiers/{at_department.id}"' not in page and f'/dossiers/{elsewhere.id}"' not in page


def test_step_overdue_before_appointment_is_listed_with_its_reason(db, client, login_as, create_dossier, user):
    with clock.frozen(vn(2026, 12, 7, 8, 0)):
        dossier = create_dossier()
        perform_action(dossier, user("hb.clerk"), "forward")
        db.session.commit()
    login_as("hb.supervisor")
    with clock.frozen(vn(2026, 12, 16, 9, 0)):  # district step (44 h) late, appointment (27 days) not
        page = client.get("/reports/overdue").get_data(as_text=True)
    assert f'/dossiers/{dossier.id}"' in page and "Quá hạn bước xử lý" in page


def test_overdue_page_is_for_supervisors(client, login_as):
    login_as("hb.officer")
    assert client.get("/reports/overdue").status_code == 404
