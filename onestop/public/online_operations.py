"""Filing an online application: what may be filed where, and the verb that records it.

An application is not a dossier yet, so this is not a dossier operation; the desk's decision
on it is (``dossiers/operations.py``). Like every verb, ``submit_application`` flushes and never
commits; it removes the files it wrote if it fails, and the caller removes them if the commit does.
"""
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import exists, select

from onestop.agencies.structure import structure
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.dossiers import attachment_store
from onestop.dossiers.operations import Applicant, OperationError, engine
from onestop.extensions import db
from onestop.public.online_models import OnlineApplication, OnlineApplicationFile
from onestop.workflows.definition import Procedure
from onestop.workflows.holders import AgencyTree

#: from service level 3 on, a procedure's dossier may be filed online
ONLINE_SERVICE_LEVEL = 3
#: an online application's reference starts so; a dossier code starts with its agency's code
REFERENCE_PREFIX = "TT-"
#: no 0/O, 1/I: the citizen may have to read the reference out over the phone
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Offer:
    """The procedures that can be filed online, and per procedure the desks that can receive it."""

    procedures: dict[str, Procedure]
    #: procedure code -> [(desk agency id, name)], nearest levels first
    desks: dict[str, list[tuple[int, str]]]

    def can_receive(self, procedure_code: str, desk_id: int | None) -> bool:
        return any(i == desk_id for i, _name in self.desks.get(procedure_code, []))


def online_offer() -> Offer:
    """One load of the agency tree; each desk's refusals come from the engine's per-desk cache."""
    tree = AgencyTree.load()
    levels = {level: i for i, level in enumerate(structure().levels)}
    desks = sorted((n for n in tree.nodes.values() if n.has_desk),
                   key=lambda n: (levels.get(n.level, len(levels)), n.path.count("/"), n.name))
    online = [p for p in engine().procedures() if p.service_level >= ONLINE_SERVICE_LEVEL]
    by_code: dict[str, list[tuple[int, str]]] = {p.code: [] for p in online}
    for desk in desks:
        refused = engine().intake_problems(desk, tree)
        for code, receivers in by_code.items():
            if code not in refused:
                receivers.append((desk.id, desk.name))
    return Offer(procedures={p.code: p for p in online if by_code[p.code]},
                 desks={code: receivers for code, receivers in by_code.items() if receivers})


def new_reference() -> str:
    day = clock.now().astimezone(VN_TZ)
    while True:
        reference = f"{REFERENCE_PREFIX}{day:%y%m%d}-{''.join(secrets.choice(_ALPHABET) for _ in range(6))}"
        if not db.session.scalar(select(exists().where(OnlineApplication.reference == reference))):
            return reference


def submit_application(*, procedure_code: str, desk_id: int, applicant: Applicant, delivery_method: str,
                       uploads: list[tuple[str, str, bytes]]) -> OnlineApplication:
    """Record the application and store its files; ``uploads`` is ``(document key, file name, content)``."""
    offer = online_offer()
    procedure = offer.procedures.get(procedure_code)
    if procedure is None:
        raise OperationError(_("Thủ tục này không nộp trực tuyến được."))
    if not offer.can_receive(procedure_code, desk_id):
        raise OperationError(_("Nơi tiếp nhận này không tiếp nhận thủ tục đã chọn."))
    if delivery_method not in ("desk", "post"):
        raise OperationError(_("Hình thức trả kết quả không hợp lệ."))
    known = {d.key for d in procedure.documents}
    if any(key not in known for key, _name, _data in uploads):
        raise OperationError(_("Có giấy tờ không thuộc thủ tục đã chọn."))
    uploaded = {key for key, _name, _data in uploads}
    missing = [d.name for d in procedure.required_documents() if d.key not in uploaded]
    if missing:
        raise OperationError(_("Còn thiếu giấy tờ bắt buộc: %(documents)s", documents="; ".join(missing)))
    for _key, _name, data in uploads:
        problem = attachment_store.problem(data)
        if problem:
            raise OperationError(problem)
    application = OnlineApplication(
        reference=new_reference(), procedure_code=procedure_code, desk_agency_id=desk_id,
        applicant_name=applicant.name, applicant_id_number=applicant.id_number, applicant_phone=applicant.phone,
        applicant_email=applicant.email or None, applicant_address=applicant.address,
        documents=sorted(uploaded), delivery_method=delivery_method, submitted_at=clock.now())
    try:
        for key, filename, data in uploads:
            stored = attachment_store.save(data, attachment_store.sniff(data))
            application.files.append(OnlineApplicationFile(
                document=key, stored_name=stored.stored_name, filename=attachment_store.display_name(filename),
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256))
        db.session.add(application)
        db.session.flush()
    except Exception:
        discard_files(application)
        raise
    return application


def discard_files(application: OnlineApplication) -> None:
    """Remove the stored files of an application that was never committed."""
    for file in application.files:
        attachment_store.discard(file.stored_name)
