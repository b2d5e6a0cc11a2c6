"""Online applications: what may be filed where, filing one, and the desk's decision on it.

An application is not a dossier yet: filing it is not a dossier verb. The desk's decision is: it
goes through the door (the application's own row lock, then ``can_decide``), so of two clerks (or
a double click) accepting one application, one makes a dossier and the other is refused. Like
every verb these flush and never commit; ``submit_application`` removes the files it wrote if it
fails, and the caller removes them if the commit does.
"""
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from onestop.agencies.structure import structure
from onestop.attachments.models import Attachment
from onestop.auth.models import User
from onestop.core import clock, storage
from onestop.core.calendar import VN_TZ
from onestop.core.dialect import insert
from onestop.core.errors import OperationError
from onestop.core.outbox import enqueue
from onestop.core.tasks import Task
from onestop.dossiers.applicant import Applicant
from onestop.dossiers.door import verb
from onestop.dossiers.models import Channel, Delivery, Dossier
from onestop.dossiers.operations import receive_dossier
from onestop.extensions import db
from onestop.online.models import ApplicationStatus, OnlineApplication, OnlineApplicationFile
from onestop.workflows.definition import Procedure
from onestop.workflows.engine import engine
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


def online_offer(tree: AgencyTree | None = None) -> Offer:
    """One load of the agency tree (or the one given); each desk's refusals come from the engine's
    per-desk cache."""
    tree = tree or AgencyTree.current()
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


def new_reference(day) -> str:
    return f"{REFERENCE_PREFIX}{day:%y%m%d}-{''.join(secrets.choice(_ALPHABET) for _ in range(6))}"


def _insert_application(**columns) -> OnlineApplication:
    """The application's row under a reference nobody holds: one ``INSERT … ON CONFLICT (reference)
    DO NOTHING RETURNING`` (a reference already taken, about one in a billion, draws another)
    instead of a look-up before each INSERT. The row comes back as the session's object, its
    files' collection known to be empty (no load)."""
    day = clock.now().astimezone(VN_TZ)
    while True:
        found = db.session.scalars(insert(OnlineApplication).values(reference=new_reference(day), **columns)
                                   .on_conflict_do_nothing(index_elements=["reference"])
                                   .returning(OnlineApplication)).first()
        if found is not None:
            set_committed_value(found, "files", [])
            return found


def submit_application(*, procedure_code: str, desk_id: int, applicant: Applicant, delivery_method: Delivery,
                       uploads: list[tuple[str, str, bytes]], details: dict | None = None,
                       offer: Offer | None = None, stored: list[str] | None = None) -> OnlineApplication:
    """Record the application and store its files; ``uploads`` is ``(document key, file name, content)``;
    ``offer``: the caller's ``online_offer()``, when it has one already. The name of each file stored
    is added to ``stored``, for the caller to discard should its transaction be rolled back (the
    application's own row is gone then, and with it what the session knew of its files)."""
    stored = [] if stored is None else stored
    offer = offer or online_offer()
    procedure = offer.procedures.get(procedure_code)
    if procedure is None:
        raise OperationError(_("Thủ tục này không nộp trực tuyến được."))
    if not offer.can_receive(procedure_code, desk_id):
        raise OperationError(_("Nơi tiếp nhận này không tiếp nhận thủ tục đã chọn."))
    try:
        delivery_method = Delivery(delivery_method)
    except ValueError:
        raise OperationError(_("Hình thức trả kết quả không hợp lệ.")) from None
    if applicant.submitter is not None and not procedure.takes_submitters:
        raise OperationError(_("Thủ tục này không nhận hồ sơ nộp thay: người yêu cầu phải tự nộp."))
    uploaded = {key for key, _name, _data in uploads}
    problem = procedure.checklist_problem(uploaded, on_behalf=applicant.submitter is not None)
    if problem:
        raise OperationError(problem)
    for _key, _name, data in uploads:
        problem = storage.problem(data)
        if problem:
            raise OperationError(problem)
    application = _insert_application(
        procedure_code=procedure_code, desk_agency_id=desk_id, **applicant.columns(), documents=sorted(uploaded),
        delivery_method=delivery_method, submitted_at=clock.now(), details=dict(details or {}))
    try:
        for key, filename, data in uploads:
            saved = storage.save(data, storage.sniff(data))
            stored.append(saved.stored_name)
            application.files.append(OnlineApplicationFile(
                document=key, stored_name=saved.stored_name, filename=storage.display_name(filename),
                content_type=saved.content_type, size=saved.size, sha256=saved.sha256))
        db.session.flush()
    except Exception:
        discard_files(stored)
        raise
    return application


def discard_files(stored: list[str]) -> None:
    """Remove stored files whose rows were never committed."""
    for name in stored:
        storage.discard(name)


# --- the desk's decision: accept (the application becomes a dossier) or refuse ---------------

def _why_not_decide(application: OnlineApplication, actor: User) -> str:
    if not application.is_waiting:
        return _("Hồ sơ trực tuyến %(reference)s đã được xử lý (%(status)s).",
                 reference=application.reference, status=application.status_label)
    return _("Chỉ cán bộ bộ phận một cửa nơi công dân chọn được tiếp nhận hồ sơ trực tuyến này.")


@verb("decide", refused=_why_not_decide)
def accept_online_application(application: OnlineApplication, actor: User, documents: list[str]) -> Dossier:
    """Receive the application as a dossier of the ``online`` channel, as of now: its code,
    appointment and deadlines count from the acceptance, not from the filing. ``documents`` are
    the checklist documents the clerk found in order. The citizen's files become the dossier's
    attachments (no uploader: the citizen), pointing to the files already stored."""
    procedure = engine().procedure(application.procedure_code)
    problem = procedure.checklist_problem(documents, on_behalf=application.submitter_name is not None)
    if problem:
        raise OperationError(problem)
    dossier = receive_dossier(
        actor, procedure_code=application.procedure_code, documents=documents, applicant=application.applicant,
        delivery_method=application.delivery_method, channel=Channel.ONLINE, details=application.details,
        note=f"Nộp trực tuyến, mã {application.reference}")
    for file in application.files:
        db.session.add(Attachment(
            dossier=dossier, stored_name=file.stored_name, filename=file.filename, content_type=file.content_type,
            size=file.size, sha256=file.sha256, document=file.document, uploaded_by=None,
            agency_id=application.desk_agency_id, uploaded_at=application.submitted_at))
    application.status = ApplicationStatus.ACCEPTED
    application.decided_by, application.decided_at, application.dossier = actor, dossier.received_at, dossier
    _tell_applicant(application)
    db.session.flush()
    return dossier


@verb("decide", refused=_why_not_decide)
def refuse_online_application(application: OnlineApplication, actor: User, reason: str) -> OnlineApplication:
    """Refuse to receive the application, with the reason the citizen will read; nothing else moves."""
    reason = (reason or "").strip()
    if not reason:
        raise OperationError(_("Nêu lý do từ chối tiếp nhận."))
    application.status = ApplicationStatus.REFUSED
    application.decided_by, application.decided_at, application.refusal_reason = actor, clock.now(), reason
    _tell_applicant(application)
    db.session.flush()
    return application


def _tell_applicant(application: OnlineApplication) -> None:
    """The citizen who gave an e-mail address hears of the decision (``online/mail.py``)."""
    if application.applicant_email:
        db.session.flush()
        enqueue(Task.MAIL_APPLICANT_DECISION, application_id=application.id)
