"""Online applications filed by another system (the province's portal) for a citizen, as the web
form files them (``online/operations.py::submit_application``), and the desk's decision on them."""
from flask import jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from onestop.api.audit import set_target
from onestop.api.auth import current_client, in_subtree, require
from onestop.api.files import check_files, field_problem
from onestop.api.models import ApiScope
from onestop.api.present import application_out
from onestop.api.problems import Problem
from onestop.api.schemas import ApplicationIn, ApplicationOut, IdempotencyHeader
from onestop.api.spec import api_blueprint
from onestop.api.writes import write
from onestop.dossiers.applicant import Applicant
from onestop.extensions import db
from onestop.online.models import OnlineApplication
from onestop.online.operations import discard_files, online_offer, submit_application
from onestop.workflows.holders import AgencyTree

bp = api_blueprint("api_applications", __name__, "/applications", "Online applications")
APPLICATION_OUT = ApplicationOut()  # one instance: dumping is its only use


def applicant_of(data: dict) -> Applicant:
    a = data["applicant"]
    return Applicant(name=a["name"].strip(), id_number=a["id_number"], phone=a["phone"],
                     address=a["address"].strip(), email=a.get("email") or None)


@bp.post("")
@require(ApiScope.APPLICATIONS_WRITE)
@bp.arguments(IdempotencyHeader, location="headers", arg_name="headers")
@bp.arguments(ApplicationIn, arg_name="data")
@bp.response(201, ApplicationOut, headers={"Location": {"description": "the application", "schema": {"type": "string"}}})
def submit(data, headers):
    """File an online application with its files; the chosen desk receives or refuses it."""
    client = current_client()
    tree = AgencyTree.current()  # one read of the tree: the desk, its scope and what it receives
    desk = tree.by_code.get(data["desk"].upper())
    if desk is None or not desk.has_desk or not desk.path.startswith(client.agency.path):
        raise field_problem("desk", _("Không có bộ phận một cửa mã này trong phạm vi của hệ thống gọi."))
    check_files(data["files"])
    stored: list[str] = []

    def do():
        return submit_application(
            procedure_code=data["procedure_code"], desk_id=desk.id, applicant=applicant_of(data),
            delivery_method=data["delivery_method"], offer=online_offer(tree), stored=stored,
            uploads=[(f["document"], f["filename"], f["content"]) for f in data["files"]])

    def answer(application):
        response = jsonify(APPLICATION_OUT.dump(application_out(application, desk={"code": desk.code,
                                                                                     "name": desk.name})))
        response.status_code = 201
        response.headers["Location"] = url_for("api_applications.application", reference=application.reference)
        return response

    return write(do, answer, target=lambda a: f"application:{a.reference}", cleanup=lambda: discard_files(stored))


@bp.get("/<code:reference>")
@require(ApiScope.APPLICATIONS_WRITE, ApiScope.DOSSIERS_READ)
@bp.response(200, ApplicationOut)
def application(reference: str):
    """An application's status and the desk's decision: accepted (with the dossier's code) or refused (why)."""
    client = current_client()
    found = db.session.scalar(select(OnlineApplication).where(OnlineApplication.reference == reference.upper())
                              .options(joinedload(OnlineApplication.desk_agency), joinedload(OnlineApplication.dossier)))
    if found is None or not in_subtree(client, found.desk_agency):
        raise Problem(404, "not_found")
    set_target(f"application:{found.reference}")
    return application_out(found)
