"""E-result verbs: the holder of the signing step uploads the signed PDF (again, to correct it),
and a procedure with ``e_result = true`` cannot be signed before (the ``moving`` signal)."""
import hashlib

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from onestop.auth.models import User
from onestop.core import clock, storage
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier
from onestop.dossiers.operations import available_actions, log_stay
from onestop.dossiers.signals import moving
from onestop.extensions import db
from onestop.results.models import SignedResult
from onestop.workflows.engine import engine

PDF = "application/pdf"


def current_result(dossier: Dossier) -> SignedResult | None:
    return db.session.scalar(select(SignedResult).where(SignedResult.dossier_id == dossier.id,
                                                        SignedResult.replaced_at.is_(None)))


def may_upload(dossier: Dossier, user: User) -> bool:
    """At the signing step, whoever may sign it."""
    return any(a.name == "sign" for a in available_actions(dossier, user))


@verb("act", refused=_l("Chỉ người ký duyệt ở bước ký được tải lên kết quả đã ký số."))
def upload_signed_result(dossier: Dossier, actor: User, *, filename: str, data: bytes) -> SignedResult:
    """Keep the signed result (a PDF) and its SHA-256; a previous upload is marked replaced.
    The caller discards the stored file if the transaction does not commit."""
    if not may_upload(dossier, actor):
        raise OperationError(_("Chỉ người ký duyệt ở bước ký được tải lên kết quả đã ký số."))
    problem = storage.problem(data)
    if problem:
        raise OperationError(problem)
    if storage.sniff(data) != PDF:
        raise OperationError(_("Kết quả điện tử phải là tệp PDF đã ký số."))
    now = clock.now()
    db.session.execute(update(SignedResult).where(SignedResult.dossier_id == dossier.id,
                                                  SignedResult.replaced_at.is_(None))
                       .values(replaced_at=now).execution_options(synchronize_session="fetch"))
    stored = storage.save(data, PDF)
    result = SignedResult(dossier_id=dossier.id, dossier=dossier, stored_name=stored.stored_name,
                          filename=storage.display_name(filename), content_type=PDF, size=stored.size,
                          sha256=stored.sha256, agency_id=actor.agency_id, uploaded_by_id=actor.id, uploaded_at=now)
    db.session.add(result)
    log_stay(dossier, actor, "e_result", f"Tải lên kết quả đã ký số {result.filename} (SHA-256 {stored.sha256})")
    db.session.flush()
    return result


def matching(result: SignedResult, data: bytes) -> bool:
    return hashlib.sha256(data).hexdigest() == result.sha256


@moving.connect
def _uploaded_before_signing(dossier: Dossier, action: str = "", **_kwargs) -> None:
    if action != "sign" or not engine().of(dossier).e_result:
        return
    if current_result(dossier) is None:
        raise OperationError(_("Tải lên kết quả đã ký số (PDF) trước khi ký duyệt."))
