"""The procedure catalogue: procedures with their versions, documents, steps and budgets, fees,
service level, and the desks in the caller's scope that receive each."""
from onestop.api.audit import set_target
from onestop.api.auth import current_client, require
from onestop.api.lookup import desks_for
from onestop.api.models import ApiScope
from onestop.api.present import procedure_detail, procedure_summary
from onestop.api.problems import Problem
from onestop.api.schemas import ProcedureDetail, ProcedureList, ProcedureQuery
from onestop.api.spec import api_blueprint
from onestop.workflows.engine import engine

bp = api_blueprint("api_catalogue", __name__, "/procedures", "The procedure catalogue")


@bp.get("")
@bp.arguments(ProcedureQuery, location="query")
@bp.response(200, ProcedureList)
@require(ApiScope.CATALOGUE_READ)
def procedures(query):
    """Every procedure of the catalogue (optionally of one field or service level)."""
    found = engine().procedures()
    if query.get("field"):
        found = [p for p in found if p.field.casefold() == query["field"].strip().casefold()]
    if query.get("service_level"):
        found = [p for p in found if p.service_level == query["service_level"]]
    return {"items": [procedure_summary(p) for p in found]}


@bp.get("/<code:code>")
@bp.response(200, ProcedureDetail)
@require(ApiScope.CATALOGUE_READ)
def procedure(code: str):
    """One procedure: its documents, its steps with their budgets and holders, and where to file it."""
    if not engine().has(code):
        raise Problem(404, "not_found")
    set_target(f"procedure:{code}")
    return procedure_detail(engine().procedure(code), desks_for(current_client(), code))
