"""Dossiers: the hand-over of an interconnected dossier from another agency's system, and a
dossier's status, current step and holder, due dates and public history."""
from flask import jsonify, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.api.application_views import applicant_of
from onestop.api.audit import set_target
from onestop.api.auth import current_client, require
from onestop.api.files import check_files, field_problem
from onestop.api.lookup import desk_in_scope, dossier_in_scope
from onestop.api.models import ApiScope, Handover
from onestop.api.present import dossier_out, load_dossier_for_answer
from onestop.api.problems import Problem
from onestop.api.schemas import DossierOut, HandoverIn, IdempotencyHeader
from onestop.api.spec import api_blueprint
from onestop.api.writes import write
from onestop.attachments.models import Attachment
from onestop.core import clock, storage
from onestop.core.dialect import insert
from onestop.core.errors import OperationError
from onestop.dossiers.models import Channel, Dossier
from onestop.dossiers.operations import receive_dossier
from onestop.extensions import db
from onestop.workflows.engine import engine

bp = api_blueprint("api_dossiers", __name__, "/dossiers", "Dossiers: interconnected hand-over and status")
DOSSIER_OUT = DossierOut()  # one instance: dumping is its only use


@bp.post("")
@require(ApiScope.APPLICATIONS_WRITE)
@bp.arguments(IdempotencyHeader, location="headers", arg_name="headers")
@bp.arguments(HandoverIn, arg_name="data")
@bp.response(201, DossierOut, headers={"Location": {"description": "the dossier", "schema": {"type": "string"}}})
def hand_over(data, headers):
    """Hand over a dossier from another agency's system (liên thông): it is received at once by the
    desk named, on the ``interconnection`` channel, its clock starting now. The sender's reference
    is kept: the same reference again is refused (409 ``duplicate_reference``), so a dossier is
    never received, nor counted, twice."""
    client = current_client()
    desk = desk_in_scope(client, data["desk"])
    if desk is None:
        raise field_problem("desk", _("Không có bộ phận một cửa mã này trong phạm vi của hệ thống gọi."))
    competent = None
    if data.get("competent_agency"):
        competent = db.session.scalar(select(Agency).where(Agency.code == data["competent_agency"], Agency.active))
        if competent is None:
            raise field_problem("competent_agency", _("Không có cơ quan đang hoạt động mã này."))
    check_files(data["files"])
    reference = data["sender_reference"].strip()
    stored: list[str] = []

    def do():
        claimed = db.session.execute(insert(Handover).values(
            client_id=client.id, reference=reference, received_at=clock.now()
        ).on_conflict_do_nothing(index_elements=["client_id", "reference"]).returning(Handover.id)).first()
        if claimed is None:
            code = db.session.scalar(select(Dossier.code).join(Handover, Handover.dossier_id == Dossier.id).where(
                Handover.client_id == client.id, Handover.reference == reference))
            raise Problem(409, "duplicate_reference",
                          _("Hồ sơ có số %(reference)s của bên gửi đã được tiếp nhận (%(code)s).",
                            reference=reference, code=code or "…"), dossier_code=code)
        note = f"Tiếp nhận liên thông từ {client.name}, số hồ sơ bên gửi {reference}"
        if data.get("note"):
            note += f". {data['note'].strip()}"
        dossier = receive_dossier(client.account, procedure_code=data["procedure_code"], applicant=applicant_of(data),
                                  documents=data["documents"], delivery_method=data["delivery_method"], note=note,
                                  channel=Channel.INTERCONNECTION, desk=desk, competent=competent)
        documents = {d.key for d in engine().of(dossier).documents}
        for file in data["files"]:
            if file.get("document") and file["document"] not in documents:
                raise OperationError(_("Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
            saved = storage.save(file["content"], storage.sniff(file["content"]))
            stored.append(saved.stored_name)
            db.session.add(Attachment(
                dossier=dossier, stored_name=saved.stored_name, filename=storage.display_name(file["filename"]),
                content_type=saved.content_type, size=saved.size, sha256=saved.sha256,
                document=file.get("document"), uploaded_by=client.account, agency_id=client.agency_id,
                uploaded_at=dossier.received_at))
        db.session.get(Handover, claimed.id).dossier_id = dossier.id
        db.session.flush()
        return dossier

    def answer(dossier):
        response = jsonify(DOSSIER_OUT.dump(dossier_out(load_dossier_for_answer(dossier.id))))
        response.status_code = 201
        response.headers["Location"] = url_for("api_dossiers.dossier", code=dossier.code)
        return response

    def cleanup():
        for name in stored:
            storage.discard(name)

    return write(do, answer, target=lambda d: f"dossier:{d.code}", cleanup=cleanup)


@bp.get("/<code:code>")
@require(ApiScope.DOSSIERS_READ)
@bp.response(200, DossierOut)
def dossier(code: str):
    """A dossier's status, current step and holder, due dates and public history."""
    found = dossier_in_scope(current_client(), code)
    set_target(f"dossier:{found.code}")
    return dossier_out(load_dossier_for_answer(found.id))
