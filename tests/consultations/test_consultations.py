"""Consultation (xin ý kiến): the holder asks another agency; the dossier keeps its step and its holder.

The land dossier stands at Hồng Bàng's district check; Hồng Bàng asks the department of natural
resources (STNMT), whose staff see the request in their inbox and answer on the dossier page.
"""
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from onestop.agencies.models import Agency
from onestop.consultations.models import Consultation
from onestop.consultations.operations import answer_consultation, request_consultation
from onestop.core.errors import OperationError
from onestop.dossiers.models import DossierEvent
from onestop.dossiers.notices import Notification
from onestop.dossiers.operations import perform_action
from onestop.workflows.engine import engine

QUESTION = "Đề nghị Sở cho ý kiến về nguồn gốc sử dụng đất của thửa số 125, tờ bản đồ số 8."
ANSWER = "Thửa đất có nguồn gốc được giao năm 1992, đủ điều kiện cấp Giấy chứng nhận."


def agency(db, code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


@pytest.fixture
def at_district(db, create_dossier, user):
    """A land dossier forwarded by Hồng Bàng's desk to its district check (held by Hồng Bàng)."""
    dossier = create_dossier()
    perform_action(dossier, user("hb.clerk"), "forward")
    db.session.commit()
    return dossier


def events(db, dossier) -> list[DossierEvent]:
    return db.session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == dossier.id)
                              .order_by(DossierEvent.id)).all()


def test_ask_and_answer_leave_the_step_and_the_holder(db, user, at_district):
    dossier = at_district
    before = (dossier.step, dossier.holder_agency_id, dossier.step_seq, dossier.status, dossier.step_due_at)
    consultation = request_consultation(dossier, user("hb.officer"), agency(db, "STNMT"), f"  {QUESTION} ")
    assert consultation.is_open and consultation.question == QUESTION
    assert (consultation.step, consultation.from_agency.code, consultation.to_agency.code) == (
        "district_check", "HB", "STNMT")
    assert (dossier.step, dossier.holder_agency_id, dossier.step_seq, dossier.status, dossier.step_due_at) == before
    asked = events(db, dossier)[-1]
    assert (asked.action, asked.from_step, asked.to_step) == ("consult", "district_check", "district_check")
    # the request's line goes to the agency asked: from then on it has handled the dossier (its scope)
    assert (asked.from_agency.code, asked.to_agency.code, asked.actor.username) == ("HB", "STNMT", "hb.officer")
    assert QUESTION in asked.note and "Sở Tài nguyên và Môi trường" in asked.note
    leader = user("stnmt.supervisor")
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == leader.id, Notification.kind == "consultation")) is not None

    answer_consultation(consultation, user("stnmt.officer"), ANSWER)
    assert not consultation.is_open and consultation.answer == ANSWER
    assert consultation.answered_by.username == "stnmt.officer" and consultation.answered_at is not None
    assert (dossier.step, dossier.holder_agency_id, dossier.step_seq, dossier.status, dossier.step_due_at) == before
    answered = events(db, dossier)[-1]
    assert (answered.action, answered.from_step, answered.to_step) == ("consult_answer", "district_check",
                                                                       "district_check")
    assert (answered.from_agency.code, answered.to_agency.code) == ("STNMT", "HB")
    assert db.session.scalar(select(Notification).where(
        Notification.user_id == user("hb.officer").id, Notification.kind == "consultation_answer")) is not None


def test_the_holder_can_still_act_while_waiting(db, user, at_district):
    request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    perform_action(at_district, user("hb.officer"), "forward")
    assert at_district.step == "department_appraisal" and at_district.holder_agency.code == "STNMT"
    # the request stays open; the department now holds the dossier and may still answer it
    consultation = db.session.scalar(select(Consultation).where(Consultation.dossier_id == at_district.id))
    answer_consultation(consultation, user("stnmt.officer"), ANSWER)
    assert consultation.answer == ANSWER


@pytest.mark.parametrize(("asker", "to", "question", "reason"), [
    ("stnmt.officer", "HP", QUESTION, "Chỉ cơ quan đang giữ hồ sơ"),
    ("lc.officer", "STNMT", QUESTION, "Chỉ cơ quan đang giữ hồ sơ"),
    ("admin", "STNMT", QUESTION, "Chỉ cơ quan đang giữ hồ sơ"),
    ("hb.officer", "HB", QUESTION, "cơ quan khác cơ quan đang giữ"),
    ("hb.officer", "STNMT", "   ", "Nêu rõ nội dung"),
], ids=["consulted-agency", "other-district", "admin", "itself", "no-question"])
def test_who_may_ask(db, user, at_district, asker, to, question, reason):
    with pytest.raises(OperationError, match=reason):
        request_consultation(at_district, user(asker), agency(db, to), question)
    assert db.session.scalar(select(Consultation).where(Consultation.dossier_id == at_district.id)) is None
    assert [e.action for e in events(db, at_district)] == ["receive", "forward"]


def test_one_open_request_per_agency(db, user, at_district):
    first = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    with pytest.raises(OperationError, match="đang chờ trả lời"):
        request_consultation(at_district, user("hb.supervisor"), agency(db, "STNMT"), "Nhắc lại")
    request_consultation(at_district, user("hb.supervisor"), agency(db, "CTHP"), "Đề nghị Cục Thuế cho ý kiến")
    answer_consultation(first, user("stnmt.supervisor"), ANSWER)
    again = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), "Hỏi thêm")
    assert again.id != first.id


def test_the_database_refuses_a_second_open_request(db, user, at_district):
    first = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    db.session.add(Consultation(dossier=at_district, step=first.step, from_agency=first.from_agency,
                                to_agency=first.to_agency, asked_by=first.asked_by, question="x"))
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.flush()


@pytest.mark.parametrize(("answerer", "reason"), [
    ("hb.officer", "Chỉ cán bộ của cơ quan được xin ý kiến"),
    ("cthp.officer", "Chỉ cán bộ của cơ quan được xin ý kiến"),
    ("stnmt.clerk", "Chỉ cán bộ của cơ quan được xin ý kiến"),
], ids=["asker", "another-agency", "desk-clerk"])
def test_who_may_answer(db, user, at_district, answerer, reason):
    consultation = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    with pytest.raises(OperationError, match=reason):
        answer_consultation(consultation, user(answerer), ANSWER)
    assert consultation.is_open and consultation.answer is None


def test_answer_once_with_content_while_the_dossier_is_open(db, user, at_district):
    consultation = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    with pytest.raises(OperationError, match="Nhập nội dung trả lời"):
        answer_consultation(consultation, user("stnmt.officer"), " ")
    answer_consultation(consultation, user("stnmt.officer"), ANSWER)
    with pytest.raises(OperationError, match="đã được trả lời"):
        answer_consultation(consultation, user("stnmt.supervisor"), "Ý kiến khác")
    assert consultation.answer == ANSWER
    late = request_consultation(at_district, user("hb.officer"), agency(db, "CTHP"), "Đề nghị cho ý kiến")
    perform_action(at_district, user("hb.officer"), "refuse", note="Đất đang tranh chấp")
    with pytest.raises(OperationError, match="Hồ sơ đã kết thúc"):
        answer_consultation(late, user("cthp.officer"), ANSWER)
    with pytest.raises(OperationError, match="Chỉ cơ quan đang giữ hồ sơ"):
        request_consultation(at_district, user("hb.clerk"), agency(db, "STNMT"), QUESTION)


# --- pages -----------------------------------------------------------------------------------

def _counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-tab="(\w+)">[^<]*<span class="tab-count">(\d+)<', page)}


def test_consulted_agency_sees_the_request_and_answers_it(client, login_as, db, user, at_district):
    dossier = at_district
    login_as("stnmt.officer")
    assert client.get(f"/dossiers/{dossier.id}").status_code == 404  # not consulted yet: outside its scope

    login_as("hb.officer")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert 'data-testid="consult-form"' in page
    response = client.post(f"/dossiers/{dossier.id}/consult", data={"to_agency_id": "", "question": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chọn cơ quan được xin ý kiến." in page and "Nêu rõ nội dung cần xin ý kiến." in page
    response = client.post(f"/dossiers/{dossier.id}/consult",
                           data={"to_agency_id": agency(db, "STNMT").id, "question": QUESTION})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/dossiers/{dossier.id}#consultations")
    consultation = db.session.scalar(select(Consultation).where(Consultation.dossier_id == dossier.id))
    assert consultation.to_agency.code == "STNMT" and consultation.asked_by.username == "hb.officer"

    login_as("stnmt.officer")
    inbox = client.get("/inbox?tab=consulted").get_data(as_text=True)
    assert dossier.code in inbox and _counts(inbox)["consulted"] == 1
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert QUESTION in page and f'action="/consultations/{consultation.id}/answer"' in page
    assert 'data-testid="consult-form"' not in page  # the consulted agency does not hold the dossier
    assert client.post(f"/consultations/{consultation.id}/answer", data={"answer": ""}).status_code == 422
    response = client.post(f"/consultations/{consultation.id}/answer", data={"answer": ANSWER})
    assert response.status_code == 302
    assert consultation.answer == ANSWER
    assert _counts(client.get("/inbox?tab=consulted").get_data(as_text=True))["consulted"] == 0
    assert client.get(f"/dossiers/{dossier.id}").status_code == 200  # still visible once answered

    login_as("hb.officer")
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert ANSWER in page and 'data-state="answered"' in page
    assert "Xin ý kiến" in page and "Trả lời xin ý kiến" in page  # in the history


def test_answer_by_an_outsider_is_not_found(client, login_as, db, user, at_district):
    consultation = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    db.session.commit()
    login_as("lc.officer")
    assert client.post(f"/consultations/{consultation.id}/answer", data={"answer": ANSWER}).status_code == 404
    login_as("hb.officer")  # in scope (the holder) but not the consulted agency
    response = client.post(f"/consultations/{consultation.id}/answer", data={"answer": ANSWER})
    assert response.status_code == 422 and "Chỉ cán bộ của cơ quan được xin ý kiến" in response.get_data(as_text=True)
    assert consultation.is_open


def test_consultations_are_neither_handovers_nor_public_steps(client, db, user, at_district):
    from onestop.slips.papers import handovers

    consultation = request_consultation(at_district, user("hb.officer"), agency(db, "STNMT"), QUESTION)
    answer_consultation(consultation, user("stnmt.officer"), ANSWER)
    perform_action(at_district, user("hb.officer"), "forward")
    db.session.commit()
    db.session.refresh(at_district)
    procedure = engine().of(at_district)
    rows = handovers(at_district, procedure)
    assert [row.event.action for row in rows] == ["forward", "forward"]  # slip 06: one row per move
    page = client.post("/tra-cuu/", data={"code": at_district.code, "id_tail": "1234"}).get_data(as_text=True)
    assert page.count(procedure.step("district_check").name) == 1
    assert QUESTION not in page and ANSWER not in page
