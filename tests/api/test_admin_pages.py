"""The admin's page of API clients (register, the token shown once, new token, revoke), the delivery
log page, the documentation page from our own static files, and the command line."""
import re

from sqlalchemy import select

from onestop.api.auth import hash_token
from onestop.api.models import ApiClient
from onestop.core.submissions import FIELD, new_key
from tests.api.helpers import auth, make_client


def agency_id(db, code):
    from onestop.agencies.models import Agency
    return db.session.scalar(select(Agency.id).where(Agency.code == code))


def test_an_admin_registers_a_client_and_sees_its_token_once(client, db, login_as):
    login_as("admin")
    assert client.get("/admin/api-clients").status_code == 200
    form = {"name": "Cổng dịch vụ công thành phố", "agency_id": str(agency_id(db, "HP")),
            "scopes": ["catalogue:read", "dossiers:read"], "expires_on": "2099-01-01", FIELD: new_key()}
    page = client.post("/admin/api-clients", data=form)
    assert page.status_code == 422  # more than three years away
    form["expires_on"] = ""
    assert client.post("/admin/api-clients", data={**form, FIELD: new_key()}).status_code == 422
    from datetime import timedelta

    from onestop.core import clock
    form["expires_on"] = (clock.now() + timedelta(days=100)).date().isoformat()
    form[FIELD] = new_key()
    shown = client.post("/admin/api-clients", data=form)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'data-testid="token"' in html
    token = re.search(r'data-testid="token">(ost_[^<]+)<', html).group(1)
    row = db.session.scalar(select(ApiClient).where(ApiClient.name == "Cổng dịch vụ công thành phố"))
    assert row.token_hash == hash_token(token) and sorted(row.scopes) == ["catalogue:read", "dossiers:read"]
    assert client.get("/api/v1/procedures", headers=auth(token)).status_code == 200
    again = client.post("/admin/api-clients", data=form).get_data(as_text=True)  # the double click
    assert token not in again and len(db.session.scalars(select(ApiClient)).all()) == 1
    assert token not in client.get("/admin/api-clients").get_data(as_text=True)


def test_a_new_token_replaces_the_old_and_revoking_stops_both(client, db, login_as):
    api_client, old = make_client()
    login_as("admin")
    page = client.post(f"/admin/api-clients/{api_client.id}/token", data={FIELD: new_key()}).get_data(as_text=True)
    new = re.search(r'data-testid="token">(ost_[^<]+)<', page).group(1)
    assert client.get("/api/v1/procedures", headers=auth(old)).status_code == 401
    assert client.get("/api/v1/procedures", headers=auth(new)).status_code == 200
    assert client.post(f"/admin/api-clients/{api_client.id}/revoke", data={FIELD: new_key()}).status_code == 302
    assert client.get("/api/v1/procedures", headers=auth(new)).status_code == 401
    assert "Đã thu hồi" in client.get("/admin/api-clients").get_data(as_text=True)


def test_the_pages_are_the_admins_only(client, db, login_as):
    api_client, _ = make_client()
    login_as("hp.supervisor")
    assert client.get("/admin/api-clients").status_code == 404
    assert client.get(f"/admin/api-clients/{api_client.id}/deliveries").status_code == 404
    login_as("admin")
    assert client.get(f"/admin/api-clients/{api_client.id}/deliveries").status_code == 200
    assert client.get("/admin/api-clients/999999/deliveries").status_code == 404


def test_the_documentation_is_served_from_our_own_files(app, client, db):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources)  # nothing from another site
    for source in sources:
        if source.startswith("/static/"):
            response = client.get(source)
            assert response.status_code == 200, source
            response.close()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0" and spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_command_line_syncs_the_systems_and_registers_a_client(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["api", "sync-systems"]).output.strip() == "nothing to create"  # seeded already
    result = runner.invoke(args=["api", "create-client", "--name", "Cục Thuế", "--agency", "HTTHUE",
                                 "--scope", "steps:act"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().rsplit(" ", 1)[-1]
    assert db.session.scalar(select(ApiClient).where(ApiClient.token_hash == hash_token(token))).name == "Cục Thuế"
    assert runner.invoke(args=["api", "create-client", "--name", "X", "--agency", "NOPE", "--scope",
                               "steps:act"]).exit_code != 0
