"""The authorisation matrix: every endpoint × every kind of user × an object in and out of their scope.

Built from ``app.url_map``: an endpoint that declares no access policy (``@access``) fails the test,
and so does one whose answers do not follow its policy. The users: nobody logged in; the clerk,
officer and supervisor of a district (Hồng Bàng) and of an unrelated district (Lê Chân); the city's
supervisor above both; the admin; the clerks of a ward desk under each district (online
applications are filed with wards). The objects: a dossier received and held by each district with
an attachment, a consultation and an extension request, and an online application filed with each
ward desk. Each request runs inside a savepoint rolled back after it, so what one request changes
(a removal, a reassignment) never decides the next one's answer.
"""
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.api.clients import register_client
from onestop.attachments.operations import add_attachment
from onestop.auth.access import POLICIES
from onestop.auth.models import User
from onestop.consultations.operations import request_consultation
from onestop.core import clock, storage
from onestop.core.workdays import CalendarOverride
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.operations import perform_action, receive_dossier, route
from onestop.dossiers.rules import ReminderRule
from onestop.extension_requests.operations import request_extension
from onestop.fees.operations import collect_due
from onestop.online.operations import submit_application
from onestop.results.models import SignedResult
from onestop.standins.operations import record_absence
from onestop.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.conftest import APPLICANT, LAND, vn

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USERS = (None, "hb.clerk", "hb.officer", "hb.supervisor", "lc.clerk", "lc.officer", "lc.supervisor", "hp.supervisor",
         "admin", "hbmk.clerk", "lcab.clerk")
#: whose scope holds the objects of each side
IN_SCOPE = {"hb": {"hb.clerk", "hb.officer", "hb.supervisor", "hp.supervisor", "admin"},
            "lc": {"lc.clerk", "lc.officer", "lc.supervisor", "hp.supervisor", "admin"}}
DESK_OF = {"hb": "hbmk.clerk", "lc": "lcab.clerk"}
#: endpoints that do not name an object: one round of requests, on the "hb" side
NO_OBJECT = ("public", "staff", "clerk", "supervisor", "admin", "ledger", "staff_admin", "absences")


@dataclass
class Side:
    dossier: int
    attachment: int
    consultation: int
    extension: int
    application: int
    file: int
    #: the district, its officer (an account its supervisor manages) and an absence of that officer
    agency: int
    officer: int
    absence: int
    #: a fee paid at the desk (its receipt, its refund)
    payment: int
    #: a signed result (the e-result) of the dossier, and its public token
    result: int
    token: str


def _user(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def _signed_result(db, dossier, officer) -> SignedResult:
    """Kept as the signing step keeps it (the verb itself is tested in ``tests/results``)."""
    stored = storage.save(PDF, "application/pdf")
    result = SignedResult(dossier_id=dossier.id, stored_name=stored.stored_name, filename="kq.pdf",
                          content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                          agency_id=officer.agency_id, uploaded_by_id=officer.id)
    db.session.add(result)
    db.session.flush()
    return result


def _side(db, district: str, ward: str) -> Side:
    clerk, officer = _user(db, f"{district}.clerk"), _user(db, f"{district}.officer")
    with clock.frozen(vn(2026, 12, 7, 9, 0)):
        dossier = receive_dossier(clerk, procedure_code=LAND, applicant=APPLICANT,
                                  documents=["application", "land_papers", "cadastral_extract", "fee_declaration"])
        payment = collect_due(dossier, clerk, method="cash", reference=None)[0]
        perform_action(dossier, clerk, "forward")
        route(dossier.id, dossier.step_seq)
        attachment = add_attachment(dossier, officer, filename="a.pdf", data=PDF)
        result = _signed_result(db, dossier, officer)
        stp = db.session.scalar(select(Agency).where(Agency.code == "STP"))
        consultation = request_consultation(dossier, officer, stp, "Xin ý kiến.")
    with clock.frozen(dossier.due_at - timedelta(hours=1)):
        extension = request_extension(dossier, officer, reason="Chậm.",
                                      new_date=(dossier.due_at + timedelta(days=7)).date())
    with clock.frozen(vn(2026, 12, 7, 9, 0)):  # the ward's own dossier of the same citizen (its clerk's pre-fill)
        receive_dossier(_user(db, f"{ward.lower()}.clerk"), procedure_code="2.000815", applicant=APPLICANT,
                        documents=["original", "copy"])
    desk = db.session.scalar(select(Agency.id).where(Agency.code == ward))
    citizen = Applicant(name="Lê Văn Cư", id_number="031199001111", phone="0901234567", address="Hải Phòng")
    application = submit_application(procedure_code="1.001193", desk_id=desk, applicant=citizen, delivery_method="desk",
                                     uploads=[("declaration", "t.pdf", PDF), ("birth_notice", "g.pdf", PDF)])
    absence = record_absence(_user(db, f"{district}.supervisor"), officer, stand_in=_user(db, f"{district}.supervisor"),
                             starts_on=date(2026, 12, 21), ends_on=date(2026, 12, 23), reason="Nghỉ phép")
    db.session.commit()
    return Side(dossier.id, attachment.id, consultation.id, extension.id, application.id, application.files[0].id,
                officer.agency_id, officer.id, absence.id, payment.id, result.id, result.token)


@pytest.fixture
def world(db):
    db.session.add(CalendarOverride(day=date(2026, 12, 26), is_working=True, note="Làm bù"))
    db.session.add(ReminderRule(procedure_code=None, due_soon_percent=70, remind_overdue=True, escalate_days=1,
                                escalate_parent_days=3))
    db.session.commit()
    sides = {"hb": _side(db, "hb", "HBMK"), "lc": _side(db, "lc", "LCAB")}
    client, _token = register_client(name="Cổng dịch vụ công", agency=_user(db, "hb.clerk").agency,
                                     scopes=["dossiers:read"], expires_at=None, admin=_user(db, "admin"))
    subscription = WebhookSubscription(client=client, url="http://127.0.0.1:9/hook", events=["received"], secret="s")
    db.session.add(subscription)
    db.session.flush()
    delivery = WebhookDelivery(subscription_id=subscription.id, dossier_id=sides["hb"].dossier, kind="received",
                               payload={}, created_at=clock.now(), next_attempt_at=clock.now())
    db.session.add(delivery)
    db.session.commit()
    sides["api"] = {"client_id": client.id, "subscription_id": subscription.id, "delivery_id": delivery.id}
    return sides


API_OBJECTS: dict = {}


def _arguments(rule, side: Side) -> dict:
    values = {"dossier_id": side.dossier, "attachment_id": side.attachment, "consultation_id": side.consultation,
              "extension_id": side.extension, "application_id": side.application, "file_id": side.file,
              "number": "06", "code": LAND, "scope": "*", "day": "2026-12-26", "id_number": "031090001234",
              "agency_id": side.agency, "user_id": side.officer, "absence_id": side.absence, "payment_id": side.payment,
              "result_id": side.result, "token": side.token, "kind": "staff",
              "fmt": "xlsx", **API_OBJECTS, "reference": "TT-261207-ABCDEF"}
    return {name: values[name] for name in rule.arguments}


def _expected(policy: str, username: str | None, side: str, arguments=()) -> str:
    """``login`` (sent to the login page), ``denied`` (404), or ``allowed`` (anything else but a 500)."""
    if policy == "public":
        return "allowed"  # some answers of a public page are the login page itself (logging out)
    if policy == "api_client":
        return "no token"  # a staff member's session is not an API token
    if username is None:
        return "login"
    if policy == "dossier":
        return "allowed" if username in IN_SCOPE[side] else "denied"
    if policy == "receiving_desk":
        return "allowed" if username == f"{side}.clerk" else "denied"
    if policy == "desk_application":
        return "allowed" if username == DESK_OF[side] else "denied"
    if policy == "staff_admin" and "user_id" in arguments:  # the district's officer: managed from above
        return "allowed" if username in {f"{side}.supervisor", "hp.supervisor", "admin"} else "denied"
    if policy == "absences" and "absence_id" in arguments:  # the officer's own, and their supervisors'
        return "allowed" if username in {f"{side}.officer", f"{side}.supervisor", "hp.supervisor", "admin"} else "denied"
    role = username.split(".")[-1] if username != "admin" else "admin"
    allowed = {"staff": True, "clerk": role == "clerk", "supervisor": role in ("supervisor", "admin"),
               "admin": role == "admin", "ledger": role in ("clerk", "supervisor", "admin"),
               "staff_admin": role in ("supervisor", "admin"),
               "absences": role in ("officer", "supervisor", "admin")}[policy]
    return "allowed" if allowed else "denied"


def _outcome(response) -> str:
    not_ready = response.status_code == 503 and response.is_json and response.json.get("status") == "fail"
    if response.status_code >= 500 and not not_ready:  # /readyz's "not ready" is an answer, not an error
        return f"error {response.status_code}"
    if response.status_code in (401, 429):  # the API's answers to no token, and to too many calls without one
        return "no token"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    return "denied" if response.status_code == 404 else "allowed"


def test_every_endpoint_declares_its_access_and_keeps_to_it(app, db, client, world):
    connection = db.session.get_bind()
    API_OBJECTS.update(world["api"])
    users = {name: _user(db, name).id for name in USERS if name}
    checked, wrong = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        policy = getattr(view, "access_policy", None)
        assert policy in POLICIES, f"{rule.endpoint} ({rule.rule}) declares no access policy: add @access(...)"
        objects = {"user_id", "absence_id"}
        sides = ("hb",) if policy in NO_OBJECT and not objects & set(rule.arguments) else ("hb", "lc")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for side in sides:
                url = rule.build(_arguments(rule, world[side]), append_unknown=False)[1]
                for username in USERS:
                    with client.session_transaction() as session:
                        session.clear()
                        if username:
                            session["_user_id"] = str(users[username])
                            session["_fresh"] = True
                    g.pop("_login_user", None)
                    db.session.rollback()  # the session's own savepoint must sit inside this one, not around it
                    savepoint = connection.begin_nested()
                    try:
                        response = client.open(url, method=method, data={})
                        got = _outcome(response)
                        response.close()
                    finally:
                        db.session.rollback()
                        savepoint.rollback()
                        db.session.expire_all()
                    expected = _expected(policy, username, side, rule.arguments)
                    if policy == "public" and got in ("login", "denied"):  # a public page's own 404 hides nothing
                        got = "allowed"
                    checked += 1
                    if got != expected:
                        wrong.append(f"{method} {url} as {username or 'nobody'} ({policy}, {side}): {got}, not {expected}")
    assert not wrong, f"{len(wrong)} of {checked} answers break their policy:\n" + "\n".join(wrong)
    assert checked > 500
