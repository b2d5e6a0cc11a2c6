"""The staff inbox and the desk queue: tabs, counts, filter, order, paging."""
import re

import pytest

from onestop.core import clock
from onestop.dossiers.operations import perform_action, return_result, route
from tests.conftest import COPY, vn

HOUSEHOLD_BUSINESS = "1.001612"


def _codes(page: str) -> set[str]:
    return set(re.findall(r">((?:HB|HBMK|LC)-\d{6}-\d{4})<", page))


def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-tab="(\w+)">[^<]*<span class="tab-count">(\d+)<', page)}


@pytest.fixture
def district_work(db, create_dossier, user):
    """Three land dossiers at Hồng Bàng's district check, routed to hb.officer; one later in supplement."""
    dossiers = []
    for hour in (8, 9, 10):  # forwarded an hour apart, so their step due times differ
        with clock.frozen(vn(2026, 12, 7, hour, 0)):
            dossier = create_dossier()
            perform_action(dossier, user("hb.clerk"), "forward")
            route(dossier.id, dossier.step_seq)
            dossiers.append(dossier)
    with clock.frozen(vn(2026, 12, 7, 11, 0)):
        perform_action(dossiers[2], user("hb.officer"), "request_supplement", note="Thiếu bản vẽ")
    db.session.commit()
    return dossiers


def test_tabs_and_counts_for_the_officer(client, login_as, district_work):
    first, second, waiting = district_work
    login_as("hb.officer")
    with clock.frozen(vn(2026, 12, 8, 9, 0)):
        page = client.get("/inbox").get_data(as_text=True)
        assert _codes(page) == {first.code, second.code}  # "mine" by default
        # the district check and the desk are both Hồng Bàng: the supplement waits at its own desk
        assert _counts(page) == {"new": 2, "mine": 2, "due_soon": 0, "overdue": 0, "waiting": 1, "consulted": 0,
                                  "all": 3}
        assert _codes(client.get("/inbox?tab=waiting").get_data(as_text=True)) == {waiting.code}
        client.get(f"/dossiers/{first.id}")  # opening it reads the assignment
        assert _codes(client.get("/inbox?tab=new").get_data(as_text=True)) == {second.code}
    with clock.frozen(vn(2026, 12, 14, 9, 0)):  # 44 h steps due Mon 14/12 13:30 and 14:30: within a working day
        page = client.get("/inbox?tab=due_soon").get_data(as_text=True)
        assert _codes(page) == {first.code, second.code}
    with clock.frozen(vn(2026, 12, 15, 9, 0)):
        page = client.get("/inbox?tab=overdue").get_data(as_text=True)
        assert _codes(page) == {first.code, second.code}
        assert _counts(page)["overdue"] == 2 and _counts(page)["due_soon"] == 0


def test_filter_by_procedure_and_order(client, login_as, db, create_dossier, user, district_work):
    copy = create_dossier(procedure=HOUSEHOLD_BUSINESS, documents=[])  # a district procedure besides land
    db.session.commit()
    login_as("hb.clerk")
    page = client.get(f"/desk/?tab=all&procedure={HOUSEHOLD_BUSINESS}").get_data(as_text=True)
    assert _codes(page) == {copy.code}
    assert _counts(page)["all"] == 1
    login_as("hb.officer")
    ascending = client.get("/inbox?tab=all&order=asc").get_data(as_text=True)
    descending = client.get("/inbox?tab=all&order=desc").get_data(as_text=True)
    first, second, _ = district_work
    assert ascending.index(first.code) < ascending.index(second.code)
    assert descending.index(second.code) < descending.index(first.code)


def test_desk_queue_tabs(client, login_as, db, create_dossier, user):
    new = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    ready = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(ready, user(username), action)
    done = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(done, user(username), action)
    return_result(done, user("hbmk.clerk"), recipient="Nguyễn Văn An")
    db.session.commit()
    login_as("hbmk.clerk")
    page = client.get("/desk/").get_data(as_text=True)
    assert _codes(page) == {new.code}
    assert _counts(page) == {"online": 0, "to_forward": 1, "to_return": 1, "supplement": 0, "refused": 0, "all": 2}
    assert _codes(client.get("/desk/?tab=to_return").get_data(as_text=True)) == {ready.code}


def test_inbox_pages(app, client, login_as, db, create_dossier, user):
    app.config["PAGE_SIZE"] = 2
    try:
        for _ in range(3):
            create_dossier()
        db.session.commit()
        login_as("hb.clerk")
        first = client.get("/desk/?tab=all").get_data(as_text=True)
        second = client.get("/desk/?tab=all&page=2").get_data(as_text=True)
        assert len(_codes(first)) == 2 and len(_codes(second)) == 1
        assert "Trang 1/2" in first
    finally:
        app.config["PAGE_SIZE"] = 50


def test_the_desk_queue_leaves_the_officers_steps_of_its_own_agency_to_their_inbox(client, login_as, db,
                                                                                  create_dossier, user):
    """Hồng Bàng is both a desk and the district office: a dossier at the district's check step is
    the officers' work, even though their agency holds it and that step can be forwarded too."""
    at_desk = create_dossier()
    at_district = create_dossier()
    perform_action(at_district, user("hb.clerk"), "forward")
    db.session.commit()
    login_as("hb.clerk")
    page = client.get("/desk/?tab=all").get_data(as_text=True)
    assert _codes(page) == {at_desk.code}
    assert _counts(page) == {"online": 0, "to_forward": 1, "to_return": 0, "supplement": 0, "refused": 0, "all": 1}
    login_as("hb.officer")
    assert at_district.code in _codes(client.get("/inbox?tab=all").get_data(as_text=True))
