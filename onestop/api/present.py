"""Rows as the API's answers (plain dicts the schemas of ``schemas.py`` dump)."""
import hashlib
from functools import cache

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from onestop.agencies.models import Agency
from onestop.agencies.structure import structure
from onestop.api.models import Handover
from onestop.core.calendar import HOURS_PER_DAY
from onestop.dossiers.models import Dossier, DossierEvent, Status
from onestop.extensions import db
from onestop.online.models import OnlineApplication
from onestop.online.operations import ONLINE_SERVICE_LEVEL
from onestop.workflows.definition import Procedure, Step
from onestop.workflows.engine import engine


@cache
def _version(procedure: Procedure) -> str:
    return hashlib.sha256(repr(procedure).encode()).hexdigest()[:16]


def agency_ref(agency: Agency) -> dict:
    return {"code": agency.code, "name": agency.name}


def holder_ref(agency: Agency) -> dict:
    return {**agency_ref(agency), "external": agency.level == structure().external_level}


def procedure_summary(p: Procedure) -> dict:
    return {"code": p.code, "name": p.name, "field": p.field, "level": p.level, "service_level": p.service_level,
            "budget_days": p.budget_days, "fee": p.fee, "version": _version(p),
            "online": p.service_level >= ONLINE_SERVICE_LEVEL}


def actions_of(step: Step) -> list[dict]:
    return [{"name": a.name, "label": str(a.label), "to": a.target, "note_required": "note_given" in a.guards}
            for a in step.actions]


def procedure_detail(p: Procedure, desks: list[Agency]) -> dict:
    return {**procedure_summary(p), "notes": p.notes.strip(), "cutoff": p.cutoff.strftime("%H:%M") if p.cutoff else None,
            "documents": [{"key": d.key, "name": d.name, "form": d.form, "required": d.required, "copies": d.copies}
                          for d in p.documents],
            "steps": [{"key": s.key, "name": s.name, "kind": s.kind, "holder": s.holder,
                       "external_system": s.external_system, "role": s.role, "hours": s.hours,
                       "days": s.hours / HOURS_PER_DAY, "outcome": s.outcome, "branch": s.branch,
                       "actions": actions_of(s)} for s in p.steps],
            "desks": [agency_ref(a) for a in desks]}


def load_dossier_for_answer(dossier_id: int) -> Dossier:
    """The dossier with what its answer shows, in a constant number of statements."""
    return db.session.scalar(select(Dossier).where(Dossier.id == dossier_id).options(
        selectinload(Dossier.holder_agency), selectinload(Dossier.receiving_agency), selectinload(Dossier.competent_agency),
        selectinload(Dossier.events).selectinload(DossierEvent.to_agency)).execution_options(populate_existing=True))


def dossier_out(dossier: Dossier) -> dict:
    procedure = engine().of(dossier)
    step = procedure.step(dossier.step)
    reference = db.session.scalar(select(Handover.reference).where(Handover.dossier_id == dossier.id))
    history = [{"at": e.at, "action": e.action, "label": e.label(procedure),
                "step": {"key": e.to_step, "name": procedure.step(e.to_step).name}, "agency": agency_ref(e.to_agency)}
               for e in dossier.events if e.is_move]
    return {"code": dossier.code, "procedure": {"code": procedure.code, "name": procedure.name},
            "channel": dossier.channel.value, "status": dossier.status.value, "status_label": dossier.status_label,
            "step": {"key": step.key, "name": step.name}, "holder": holder_ref(dossier.holder_agency),
            "receiving_agency": agency_ref(dossier.receiving_agency), "received_at": dossier.received_at,
            "competent_agency": agency_ref(dossier.competent_agency) if dossier.across_boundary else None,
            "due_at": dossier.due_at, "step_due_at": dossier.step_due_at, "finished_at": dossier.finished_at,
            "paused": dossier.status == Status.SUPPLEMENT, "overdue": bool(dossier.is_overdue),
            "sender_reference": reference, "history": history}


def application_out(application: OnlineApplication, desk: dict | None = None) -> dict:
    """``desk``: its code and name when the caller has them (no read of the row)."""
    procedure = engine().procedure(application.procedure_code)
    return {"reference": application.reference, "status": application.status.value,
            "status_label": application.status_label,
            "procedure": {"code": procedure.code, "name": procedure.name},
            "desk": desk or agency_ref(application.desk_agency), "documents": list(application.documents or []),
            "submitted_at": application.submitted_at, "decided_at": application.decided_at,
            "refusal_reason": application.refusal_reason,
            "dossier_code": application.dossier.code if application.dossier_id is not None else None}


def file_out(code: str, attachment) -> dict:
    return {"id": attachment.id, "document": attachment.document, "filename": attachment.filename,
            "content_type": attachment.content_type, "size": attachment.size, "sha256": attachment.sha256,
            "url": url_for("api_steps.file", code=code, file_id=attachment.id)}
