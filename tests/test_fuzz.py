"""Fuzzing every form and query parameter: no answer is a 500, nothing is half-written, exports open.

The fields are read from the pages themselves (every ``name=`` of their forms) and from the query
parameters the lists and reports read; each example sends one endpoint, as a user who may reach it,
a mix of hostile values: NUL and other control characters, 10,000-character strings, every kind of
Unicode digit, spreadsheet formulas, malformed and out-of-range dates and periods, huge numbers,
fields repeated or left out. Each example runs in a savepoint rolled back after it. The number of
examples is ``ONESTOP_FUZZ_EXAMPLES`` (default 400), derandomised so CI is repeatable.
"""
import os
import re
import unicodedata
from io import BytesIO

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from onestop.auth.models import User
from onestop.dossiers.models import Dossier, DossierEvent
from tests.test_access_matrix import API_OBJECTS, _arguments, world  # noqa: F401  (the same world of objects)

EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "400"))
#: who sends each policy's requests
SENDER = {"public": None, "staff": "hb.officer", "clerk": "hb.clerk", "supervisor": "hp.supervisor", "admin": "admin",
          "ledger": "hb.clerk", "dossier": "hb.officer", "desk_application": "hbmk.clerk", "staff_admin": "hb.supervisor",
          "api_client": None, "receiving_desk": "hb.clerk",
          "absences": "hb.supervisor"}
QUERY = ("page", "tab", "procedure", "order", "p", "kind", "month", "quarter", "year", "from", "to", "format",
         "category", "agency", "own", "start", "end", "code", "id_tail", "next")
DIGITS = "".join(chr(c) for c in range(0x10FFFF) if chr(c).isdigit() and unicodedata.category(chr(c)) == "Nd")
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Nd", "Lo"]), max_size=30),
    st.sampled_from(["\x00", "a\x00b", "\x1b[31m", "\r\nSet-Cookie: x=1", "=HYPERLINK(\"http://x\")", "+84", "-1", "@A1",
                     "0", "-0", "99999999999999999999", "1e309", "NaN", " ", "", "0001-01", "9999", "9999-12-31",
                     "31/02/2026", "2026-13", "2026-Q9", "0000-00-00", "2026-12-01..0001-01-01", "000000000000",
                     "//evil.example", "/\t/evil.example", "%00", "'; DROP TABLE dossiers; --", "<script>x</script>"]),
    st.text(alphabet=DIGITS, min_size=1, max_size=14),
    st.just("x" * 10_000),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
)


def _fields(page: str) -> list[str]:
    return sorted(set(re.findall(r'name="([A-Za-z_][\w-]*)"', page)) - {"csrf_token"})


@pytest.fixture
def targets(app, client, db, world):  # noqa: F811
    """(method, url, user, fields) of every endpoint, its fields read from the page it belongs to."""
    found = []
    API_OBJECTS.update(world["api"])
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        policy = app.view_functions[rule.endpoint].access_policy
        url = rule.build(_arguments(rule, world["hb"]), append_unknown=False)[1]
        user = SENDER[policy]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, user))
    pages = {}
    fields = set()
    for method, url, user in found:
        if method == "GET" and ("slips" not in url and "files" not in url and "attachments/" not in url):
            _login(client, db, user)
            response = client.get(url)
            pages[url] = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            response.close()
            fields |= set(_fields(pages[url]))
    return [(m, u, who, sorted(fields)) for m, u, who in found]


def _login(client, db, username):
    with client.session_transaction() as session:
        session.clear()
        if username:
            session["_user_id"] = str(db.session.scalar(select(User.id).where(User.username == username)))
            session["_fresh"] = True
    g.pop("_login_user", None)


def test_no_input_makes_a_500_or_leaves_half_a_change(app, client, db, targets):
    connection = db.session.get_bind()
    sent = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(target=st.sampled_from(targets), data=st.data())
    def send(target, data):
        method, url, user, fields = target
        names = data.draw(st.lists(st.sampled_from(fields + list(QUERY)), max_size=8), label="fields")
        values = [(name, data.draw(HOSTILE, label=name)) for name in names]
        _login(client, db, user)
        db.session.rollback()
        savepoint = connection.begin_nested()
        try:
            if method == "GET":
                response = client.get(url, query_string=MultiDict(values))
            else:
                response = client.post(url, data=MultiDict(values), query_string=MultiDict(values[:2]))
            status = response.status_code
            # /readyz's "not ready" (503, each check's finding) is an answer, not an error
            not_ready = status == 503 and response.is_json and response.json.get("status") == "fail"
            response.close()
            sent.append(status)
            assert status < 500 or not_ready, f"{method} {url} as {user}: {status} for {values!r}"
            db.session.rollback()
            orphans = db.session.scalar(select(func.count()).select_from(Dossier).where(
                ~select(DossierEvent.id).where(DossierEvent.dossier_id == Dossier.id).exists()))
            assert orphans == 0, f"{method} {url}: a dossier without its receipt event"
        finally:
            db.session.rollback()
            savepoint.rollback()
            db.session.expire_all()

    send()
    assert len(sent) >= EXAMPLES * 0.9
    print(f"\nfuzzed {len(sent)} requests over {len(targets)} endpoints; answers: "
          f"{ {s: sent.count(s) for s in sorted(set(sent))} }")


def test_every_export_still_opens_after_hostile_names(client, login_as, db, create_dossier):
    from onestop.dossiers.applicant import Applicant
    from tests.conftest import APPLICANT
    for name in ("=cmd|' /C calc'!A0", "\x1b\x00\x07Tên", "Ⅷ ١٢٣ ＡＢＣ", "x" * 200):
        create_dossier(applicant=Applicant(name=name.replace("\x00", ""), id_number=APPLICANT.id_number,
                                           phone=APPLICANT.phone, address=APPLICANT.address))
    login_as("hp.supervisor")
    for url in ("/ledger?start=2026-01-01&end=2026-12-31", "/reports/statistics?format=xlsx",
                "/reports/overdue?format=xlsx", "/reports/trends?format=xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        load_workbook(BytesIO(response.data)).close()
    assert client.get("/reports/statistics?format=csv").status_code == 200
