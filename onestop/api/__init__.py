"""The API for other systems (liên thông), ``/api/v1``: catalogue, online applications, hand-over
of interconnected dossiers, dossier status, steps held by other systems. Clients, tokens, scopes,
the rate limit, idempotent writes and problem details live here; webhooks in ``onestop.webhooks``.
"""
from flask import Blueprint, Flask, render_template

from onestop.api import limits
from onestop.api.lookup import CodeConverter, code_param_schema
from onestop.api.spec import PREFIX, configure
from onestop.auth.access import access


def register(app: Flask, blp) -> None:
    """Register one API blueprint (made by ``spec.api_blueprint``) with the app and its OpenAPI document."""
    app.extensions["onestop_api"].register_blueprint(blp)


def init_app(app: Flask) -> None:
    from onestop.api.admin_views import bp as admin
    from onestop.api.application_views import bp as applications
    from onestop.api.catalogue_views import bp as catalogue
    from onestop.api.dossier_views import bp as dossiers
    from onestop.api.step_views import bp as steps

    app.url_map.converters["code"] = CodeConverter
    configure(app).register_converter(CodeConverter, code_param_schema)
    limits.init_app(app)
    for blp in (catalogue, applications, dossiers, steps):
        register(app, blp)
    app.register_blueprint(docs)
    app.view_functions["api-docs.openapi_json"] = access("public")(app.view_functions["api-docs.openapi_json"])
    app.register_blueprint(admin)
    from onestop.api.cli import group
    app.cli.add_command(group)


docs = Blueprint("api_docs", __name__, url_prefix=PREFIX)


@docs.get("/docs")
@access("public")
def documentation():
    """The interactive documentation (Swagger UI, served from our own static files)."""
    return render_template("api/docs.html")
