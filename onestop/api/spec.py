"""The API's flask-smorest object: its OpenAPI 3.1 document, its problem responses, its blueprints.

flask-smorest rather than APIFlask: it is an extension bound to the Flask app we already have
(``Api.init_app``), where APIFlask would replace the application class; and it documents exactly the
blueprints registered with it, so the web pages stay out of the document.
flask-smorest would answer every error of the whole site in its own JSON: ``SiteApi`` leaves the
site's HTML error pages alone and answers problem details (``problems.py``) in the API's
blueprints only, documented as every operation's default response.
"""
import http
import json
import logging

import marshmallow as ma
from flask import Flask
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, InternalServerError

from onestop.api.problems import MIMETYPE, from_http_exception
from onestop.extensions import db

log = logging.getLogger(__name__)

VERSION = "1"
PREFIX = f"/api/v{VERSION}"


class FieldErrorSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "the field, dotted (``applicant.name``)"})
    pointer = ma.fields.String(required=True, metadata={"description": "JSON Pointer into the body, "
                                                                      "or ``query:<name>`` / ``headers:<name>``"})
    detail = ma.fields.String(required=True, metadata={"description": "what is wrong, in the requested language"})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={"description": "``urn:onestop:problem:<code>``"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "in the language of Accept-Language"})
    code = ma.fields.String(required=True, metadata={"description": "a stable word to branch on"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema), metadata={"description": "per field, for bad input"})
    dossier_code = ma.fields.String(metadata={"description": "duplicate_reference: the dossier already handed over"})


class SiteApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Nothing app-wide: ``api_blueprint`` registers the handler on each API blueprint."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)



class Parser(FlaskParser):
    """webargs' parser, for which JSON nested too deep to decode is invalid JSON (a 400), not a crash,
    and an unknown query parameter is refused as an unknown body field is (the schemas say RAISE)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deep", "[", 0) from None


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()

DESCRIPTION = """The one-stop system's interface for other systems (liên thông): the procedure
catalogue, online applications, interconnected hand-over of dossiers, a dossier's status, the steps
held by other systems, and webhooks. Every call carries `Authorization: Bearer <token>` (a token an
administrator issued to the calling system); what a call sees is scoped to that system's agency and
the agencies under it. Every POST accepts `Idempotency-Key`: the same key with the same body answers
the first answer again and does nothing twice; the same key with another body is refused (409).
Errors are problem details (RFC 9457) in the language of `Accept-Language` (vi, en)."""


def configure(app: Flask) -> "SiteApi":
    """The app's own OpenAPI object (one per app: ``create_app`` may build several in a process)."""
    app.config.setdefault("API_TITLE", "onestop API")
    app.config.setdefault("API_VERSION", VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "an API client's token"}}},
        "security": [{"bearer": []}],
    })
    api = app.extensions["onestop_api"] = SiteApi(app)
    return api


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """A blueprint of the API: problem details for its errors, token auth instead of CSRF (never an
    exemption from the scopes, which every view checks), the shared rate limit, an audit line per
    call. All set up here, once, before any app registers it."""
    from onestop.api import limits
    from onestop.api.audit import record_after
    from onestop.extensions import csrf

    blp = ApiBlueprint(name, import_name, url_prefix=PREFIX + url_prefix, description=description)
    blp.register_error_handler(Exception, _any_error)
    csrf.exempt(blp)
    limits.api_limit()(blp)
    blp.after_request(record_after)
    return blp


def _any_error(exc: Exception):
    """Problem details for whatever a view raised; a bug is logged and answers a 500 problem."""
    if isinstance(exc, HTTPException):
        return from_http_exception(exc)
    db.session.rollback()
    log.error("API call failed", exc_info=exc)
    return from_http_exception(InternalServerError())
