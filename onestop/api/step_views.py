"""Steps held by another system (``holder = "external:<system>"``): the system lists the dossiers
waiting at its steps, takes one (its details, documents and files), and posts the outcome, one of
the step's actions with a note and result files. The outcome goes through the door as the system's
own account (``systems.py``) and needs an ``Idempotency-Key``: a retried post moves the dossier once."""
from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from onestop.api.audit import set_target
from onestop.api.auth import current_client, require
from onestop.api.files import check_files
from onestop.api.models import ApiClient, ApiScope
from onestop.api.present import actions_of, dossier_out, file_out, load_dossier_for_answer
from onestop.api.problems import Problem
from onestop.api.schemas import DossierOut, OutcomeIn, PageQuery, RequiredIdempotencyHeader, WorkItem, WorkList
from onestop.api.spec import api_blueprint
from onestop.api.systems import account_of
from onestop.api.writes import write
from onestop.attachments.models import Attachment
from onestop.attachments.operations import add_attachment
from onestop.auth.models import User
from onestop.core import storage
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import available_actions, perform_action
from onestop.extensions import db
from onestop.workflows.engine import engine

bp = api_blueprint("api_steps", __name__, "/steps", "Steps held by another system")
DOSSIER_OUT = DossierOut()  # one instance: dumping is its only use


def _account(client: ApiClient) -> User:
    account = account_of(client.agency)
    if account is None:
        raise Problem(403, "not_an_external_system",
                      _("Cơ quan của hệ thống gọi không phải một hệ thống giữ bước xử lý (external_systems)."))
    return account


def _held(client: ApiClient, code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(
        Dossier.code == code.upper(), Dossier.holder_agency_id == client.agency_id, Dossier.is_open))
    if dossier is None:
        raise Problem(404, "not_found")
    set_target(f"dossier:{dossier.code}")
    return dossier


@bp.get("")
@require(ApiScope.STEPS_ACT)
@bp.arguments(PageQuery, location="query", arg_name="page")
@bp.response(200, WorkList)
def work(page):
    """The open dossiers waiting at a step the caller's system holds, the oldest arrival first."""
    client = current_client()
    _account(client)
    rows = db.session.scalars(select(Dossier).where(
        Dossier.holder_agency_id == client.agency_id, Dossier.is_open, Dossier.id > page["after"]
    ).order_by(Dossier.id).limit(page["limit"] + 1)).all()
    more = len(rows) > page["limit"]
    rows = rows[:page["limit"]]
    items = []
    for d in rows:
        procedure = engine().of(d)
        items.append({"code": d.code, "procedure": {"code": procedure.code, "name": procedure.name},
                      "step": {"key": d.step, "name": procedure.step(d.step).name},
                      "arrived_at": d.step_started_at, "step_due_at": d.step_due_at})
    return {"items": items, "next": rows[-1].id if more else None}


@bp.get("/<code:code>")
@require(ApiScope.STEPS_ACT)
@bp.response(200, WorkItem)
def take(code: str):
    """Take a dossier waiting at the caller's step: its status, applicant, documents, files and the
    outcomes the system may post."""
    client = current_client()
    account = _account(client)
    dossier = _held(client, code)
    files = db.session.scalars(select(Attachment).where(
        Attachment.dossier_id == dossier.id, Attachment.removed_at.is_(None)).order_by(Attachment.id)).all()
    step = engine().of(dossier).step(dossier.step)
    offered = {a.name for a in available_actions(dossier, account)}
    applicant = dossier.applicant
    return {"dossier": dossier_out(load_dossier_for_answer(dossier.id)),
            "applicant": {"name": applicant.name, "id_number": applicant.id_number, "phone": applicant.phone,
                          "address": applicant.address, "email": applicant.email},
            "documents": list(dossier.documents or []),
            "files": [file_out(dossier.code, f) for f in files],
            "actions": [a for a in actions_of(step) if a["name"] in offered]}


@bp.get("/<code:code>/files/<int(max=2147483647):file_id>")
@require(ApiScope.STEPS_ACT)
@bp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream",
             description="the file, with its own content type")
def file(code: str, file_id: int):
    """One file of a dossier waiting at the caller's step."""
    client = current_client()
    _account(client)
    dossier = _held(client, code)
    attachment = db.session.scalar(select(Attachment).where(
        Attachment.id == file_id, Attachment.dossier_id == dossier.id, Attachment.removed_at.is_(None)))
    if attachment is None:
        raise Problem(404, "not_found")
    return storage.serve(attachment)


@bp.post("/<code:code>/outcome")
@require(ApiScope.STEPS_ACT)
@bp.arguments(RequiredIdempotencyHeader, location="headers", arg_name="headers")
@bp.arguments(OutcomeIn, arg_name="data")
@bp.response(200, DossierOut)
def outcome(code: str, data, headers):
    """Post the outcome of the caller's step: one of its actions, with a note and result files. The
    dossier moves on at once (its next holder is told as by a staff member's action)."""
    client = current_client()
    account = _account(client)
    check_files(data["files"])
    attached: list[Attachment] = []

    def do():
        dossier = _held(client, code)  # after the key's check: a replay finds the dossier moved on
        for f in data["files"]:
            attached.append(add_attachment(dossier, account, filename=f["filename"], data=f["content"],
                                           document=f.get("document")))
        perform_action(dossier, account, data["action"], note=data.get("note"))
        return dossier

    def answer(moved):
        return jsonify(DOSSIER_OUT.dump(dossier_out(load_dossier_for_answer(moved.id))))

    def cleanup():
        for a in attached:
            storage.discard(a.stored_name)

    return write(do, answer, key_required=True, target=lambda d: f"dossier:{d.code}", cleanup=cleanup)


