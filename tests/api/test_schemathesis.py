"""The OpenAPI document against the API itself (schemathesis): every operation, with data the
document allows and data it does not (negative cases), called with a token of every scope. No call
may answer a 500, and every answer must match the document: its status, content type, headers and
body schema; data the document refuses must be refused (4xx); a call without the token must be a 401.

Each operation is a Hypothesis test of its own (``APIOperation.as_strategy``), run here one after
the other inside the rolled-back ``db`` fixture, so whatever the calls write is gone afterwards.
Run alone: ``.venv/bin/python -m pytest tests/api/test_schemathesis.py`` (about a minute with the
suite's 15 examples per operation and mode).
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.helpers import auth, make_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, ignored_auth]
#: examples per operation and mode: enough for the suite; ``ONESTOP_SCHEMATHESIS_EXAMPLES=200`` digs deeper
EXAMPLES = int(os.environ.get("ONESTOP_SCHEMATHESIS_EXAMPLES", "15"))


def sent_as_generated(case) -> bool:
    """Leave out a case whose query has a parameter that no URL can carry (an empty list): it is
    sent without it, so what it was meant to break never reaches the API."""
    return not any(value == [] for value in (case.query or {}).values())


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_conforms_and_never_answers_500(app, db, monkeypatch, mode):
    monkeypatch.setitem(app.config, "ONESTOP_API_RATE_LIMIT", "1000000/minute")
    token = make_client("HP")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode).filter(sent_as_generated))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            case.call_and_validate(headers=auth(token), checks=CHECKS)

        try:
            call()
        except Exception as exc:
            raise AssertionError(f"{operation.label} ({mode.value}): {exc}") from exc
