"""Attachment verbs: files the desk and the staff add to a dossier; the dossier does not move."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from onestop.attachments.models import Attachment
from onestop.auth.models import User
from onestop.core import clock, storage
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier, DossierEvent
from onestop.dossiers.operations import log_stay
from onestop.extensions import db
from onestop.workflows.engine import engine


@verb("attach", refused=_l("Chỉ bộ phận một cửa tiếp nhận và cơ quan đang giữ hồ sơ được đính kèm tệp."))
def add_attachment(dossier: Dossier, actor: User, *, filename: str, data: bytes,
                   document: str | None = None) -> Attachment:
    """Store the file under a generated name and record it; the caller discards the file on rollback."""
    problem = storage.problem(data)
    if problem:
        raise OperationError(problem)
    procedure = engine().of(dossier)
    if document and document not in {d.key for d in procedure.documents}:
        raise OperationError(_("Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
    stored = storage.save(data, storage.sniff(data))
    attachment = Attachment(dossier=dossier, stored_name=stored.stored_name,
                            filename=storage.display_name(filename), content_type=stored.content_type,
                            size=stored.size, sha256=stored.sha256, document=document or None,
                            uploaded_by=actor, agency_id=actor.agency_id, uploaded_at=clock.now())
    db.session.add(attachment)
    log_stay(dossier, actor, "attach", f"Đính kèm tệp {attachment.filename}")
    db.session.flush()
    return attachment


@verb("remove", refused=_l("Chỉ người đã đính kèm tệp hoặc lãnh đạo cơ quan đó được gỡ tệp khi hồ sơ đang giải quyết."))
def remove_attachment(attachment: Attachment, actor: User) -> DossierEvent:
    """Take the file off the dossier's list; the file and its row stay for the record."""
    attachment.removed_at = clock.now()
    attachment.removed_by_id = actor.id
    event = log_stay(attachment.dossier, actor, "detach", f"Gỡ tệp đính kèm {attachment.filename}")
    db.session.flush()
    return event
