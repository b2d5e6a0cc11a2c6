"""Consultation verbs (xin ý kiến): the dossier keeps its step and its one holder.

The request's history line goes *to* the consulted agency, so that agency has handled the dossier
from then on and finds it in its scope (``dossiers/scope.py``); the answer's line goes back to the
holder.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.consultations.models import Consultation
from onestop.core import clock
from onestop.core.errors import OperationError
from onestop.dossiers.door import verb
from onestop.dossiers.models import Dossier
from onestop.dossiers.notices import notify, notify_supervisors
from onestop.dossiers.operations import log_stay
from onestop.extensions import db


@verb("consult", refused=_l("Chỉ cơ quan đang giữ hồ sơ được xin ý kiến."))
def request_consultation(dossier: Dossier, actor: User, to_agency: Agency | None, question: str) -> Consultation:
    """Ask ``to_agency`` for its opinion; logs a ``consult`` event without moving the dossier."""
    question = (question or "").strip()
    if to_agency is None or to_agency.id == dossier.holder_agency_id:
        raise OperationError(_("Chọn một cơ quan khác cơ quan đang giữ hồ sơ để xin ý kiến."))
    if not question:
        raise OperationError(_("Nêu rõ nội dung cần xin ý kiến."))
    waiting = db.session.scalar(select(Consultation.id).where(
        Consultation.dossier_id == dossier.id, Consultation.to_agency_id == to_agency.id, Consultation.is_open))
    if waiting is not None:
        raise OperationError(_("Đã xin ý kiến %(agency)s, đang chờ trả lời.", agency=to_agency.name))
    consultation = Consultation(dossier=dossier, step=dossier.step, from_agency=dossier.holder_agency,
                                to_agency=to_agency, asked_by=actor, question=question, asked_at=clock.now())
    db.session.add(consultation)
    log_stay(dossier, actor, "consult", f"Xin ý kiến {to_agency.name}: {question}", to_agency=to_agency)
    db.session.flush()
    notify_supervisors(to_agency.id, dossier_id=dossier.id, kind="consultation",
                       message=f"{dossier.holder_agency.name} xin ý kiến về hồ sơ {dossier.code}.",
                       key_prefix=f"consultation:{consultation.id}")
    return consultation


def _why_not_answer(consultation: Consultation, actor: User) -> str:
    if not consultation.is_open:
        return _("Yêu cầu xin ý kiến này đã được trả lời.")
    if not consultation.dossier.is_open:
        return _("Hồ sơ đã kết thúc, không cần trả lời xin ý kiến.")
    return _("Chỉ cán bộ của cơ quan được xin ý kiến được trả lời.")


@verb("answer", refused=_why_not_answer)
def answer_consultation(consultation: Consultation, actor: User, answer: str) -> Consultation:
    """The consulted agency gives its opinion; logs a ``consult_answer`` event without moving the dossier."""
    answer = (answer or "").strip()
    dossier = consultation.dossier
    if not answer:
        raise OperationError(_("Nhập nội dung trả lời."))
    consultation.answer, consultation.answered_by, consultation.answered_at = answer, actor, clock.now()
    log_stay(dossier, actor, "consult_answer", f"{consultation.to_agency.name} trả lời: {answer}",
             from_agency=consultation.to_agency)
    db.session.flush()
    notify(user_id=consultation.asked_by_id, dossier_id=dossier.id, kind="consultation_answer",
           message=f"{consultation.to_agency.name} đã trả lời xin ý kiến về hồ sơ {dossier.code}.",
           key=f"consultation_answer:{consultation.id}")
    return consultation
