"""The citizen rates a finished dossier once: at the desk, on the page turned toward them when the
result is handed back, or from the look-up; the reports show satisfaction by agency and procedure
beside the Decision 766 indicators."""
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from onestop.core import clock
from onestop.dossiers.operations import perform_action, route
from onestop.ratings.models import Rating
from tests.conftest import vn
from tests.helpers import settle_fees

COPY = "2.000815"


def _returned(db, create_dossier, user, clerk="hbmk.clerk", when=vn(2026, 12, 7, 9)):
    from onestop.dossiers.operations import return_result
    with clock.frozen(when):
        dossier = create_dossier(clerk=clerk, procedure=COPY)
        ward = clerk.split(".")[0]
        for username, action in ((f"{ward}.clerk", "forward"), (f"{ward}.officer", "forward"),
                                 (f"{ward}.supervisor", "sign")):
            perform_action(dossier, user(username), action, note="ok")
            route(dossier.id, dossier.step_seq)
        settle_fees(dossier, user(clerk))
        return_result(dossier, user(clerk), recipient="Nguyễn Văn An")
    db.session.commit()
    return dossier


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Rating))


def test_the_desk_turns_the_rating_page_toward_the_citizen_after_the_return(client, login_as, db, create_dossier,
                                                                           user):
    dossier = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    for username, action in (("hbmk.clerk", "forward"), ("hbmk.officer", "forward"), ("hbmk.supervisor", "sign")):
        perform_action(dossier, user(username), action, note="ok")
    db.session.commit()
    login_as("hbmk.clerk")
    response = client.post(f"/desk/dossiers/{dossier.id}/return", data={"recipient": "Nguyễn Văn An"})
    assert response.headers["Location"].endswith(f"/desk/dossiers/{dossier.id}/danh-gia")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="rating-kiosk"' in page and "Đăng xuất" not in page  # no staff menus on it
    response = client.post(f"/desk/dossiers/{dossier.id}/danh-gia", data={
        "satisfied": "no", "reasons": ["late", "attitude", "on_time"], "comment": "Chờ lâu\x1b quá"})
    assert response.status_code == 200 and 'data-testid="rating-thanks"' in response.get_data(as_text=True)
    rating = db.session.get(Rating, dossier.id)
    assert (rating.satisfied, rating.reasons, rating.comment, rating.via) == (False, ["late", "attitude"],
                                                                               "Chờ lâu quá", "desk")
    again = client.post(f"/desk/dossiers/{dossier.id}/danh-gia", data={"satisfied": "yes"})
    assert again.status_code == 422 and "chỉ đánh giá một lần" in again.get_data(as_text=True)
    assert _count(db) == 1 and db.session.get(Rating, dossier.id).satisfied is False
    assert "Chưa hài lòng" in client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)


def test_a_rating_needs_an_answer_and_a_finished_dossier(client, login_as, db, create_dossier, user):
    dossier = _returned(db, create_dossier, user)
    login_as("hbmk.clerk")
    response = client.post(f"/desk/dossiers/{dossier.id}/danh-gia", data={"satisfied": "maybe"})
    assert response.status_code == 422 and "Chọn hài lòng hoặc chưa hài lòng." in response.get_data(as_text=True)
    open_one = create_dossier(clerk="hbmk.clerk", procedure=COPY)
    response = client.post(f"/desk/dossiers/{open_one.id}/danh-gia", data={"satisfied": "yes"})
    assert response.status_code == 422 and "đã trả kết quả" in response.get_data(as_text=True)
    login_as("hb.clerk")  # the district's desk did not receive it
    assert client.get(f"/desk/dossiers/{dossier.id}/danh-gia").status_code == 404
    login_as("hbmk.officer")
    assert client.get(f"/desk/dossiers/{dossier.id}/danh-gia").status_code == 404
    assert _count(db) == 0


def test_the_citizen_rates_once_from_the_look_up(client, db, create_dossier, user):
    dossier = _returned(db, create_dossier, user)
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": "1234"}).get_data(as_text=True)
    assert 'data-testid="public-rating"' in page
    wrong = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "id_tail": "9999", "satisfied": "yes"})
    assert wrong.status_code == 404 and _count(db) == 0
    response = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "id_tail": "１２３４", "satisfied": "yes",
                                                      "reasons": ["on_time", "helpful"]})
    assert response.status_code == 200 and 'data-testid="rating-thanks"' in response.get_data(as_text=True)
    rating = db.session.get(Rating, dossier.id)
    assert (rating.satisfied, rating.reasons, rating.via) == (True, ["on_time", "helpful"], "lookup")
    page = client.post("/tra-cuu/", data={"code": dossier.code, "id_tail": "1234"}).get_data(as_text=True)
    assert 'data-testid="public-rating"' not in page
    again = client.post("/tra-cuu/danh-gia", data={"code": dossier.code, "id_tail": "1234", "satisfied": "no"})
    assert again.status_code == 422 and "chỉ đánh giá một lần" in again.get_data(as_text=True)
    assert _count(db) == 1


def test_satisfaction_beside_the_766_indicators(client, login_as, db, create_dossier, user):
    for n in range(3):
        dossier = _returned(db, create_dossier, user, when=vn(2026, 12, 7 + n, 9))
        with clock.frozen(vn(2026, 12, 10, 10)):
            from onestop.ratings.operations import rate
            rate(dossier, None, satisfied=n != 2, reasons=[] if n != 2 else ["late"], comment=None, via="desk")
    db.session.commit()
    login_as("hp.supervisor")
    page = client.get("/reports/satisfaction?p=2026-12").get_data(as_text=True)
    assert 'data-testid="satisfied-rate">66,7%' in page
    row = re.search(r'<tr data-procedure="2.000815">(.*?)</tr>', page, re.S).group(1)
    assert "100,0%" in row and "66,7%" in row  # on time beside satisfied
    assert 'data-testid="complaints"' in page and "Trả kết quả trễ hẹn: 1" in page
    ward = re.search(r'<tr data-agency="HBMK">(.*?)</tr>', page, re.S).group(1)
    assert "66,7%" in ward
    xlsx = client.get("/reports/satisfaction?p=2026-12&format=xlsx")
    rows = list(load_workbook(BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == "Tổng cộng")
    assert total[6:9] == (3, 2, 66.7)
    assert client.get("/reports/satisfaction?p=2026-12&format=csv").status_code == 200
    login_as("lc.supervisor")
    assert 'data-testid="satisfied-rate">—' in client.get("/reports/satisfaction?p=2026-12").get_data(as_text=True)


@pytest.mark.parametrize("p", ["9999", "0001-01", "2026-13", "x"])
def test_the_new_reports_refuse_a_bad_period_without_a_500(client, login_as, p):
    login_as("hp.supervisor")
    for page in ("/reports/satisfaction", "/reports/fees"):
        response = client.get(f"{page}?p={p}")
        assert response.status_code == 422, (page, p)
        assert "Kỳ báo cáo" in response.get_data(as_text=True), (page, p)
