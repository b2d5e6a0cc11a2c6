"""Celery tasks. They receive ids, reload rows, and are safe to run twice."""
import logging

from celery import shared_task

from onestop.dossiers.operations import route
from onestop.extensions import db
from onestop.notifications.applicant_mail import send_decision
from onestop.notifications.mail import MailServerUnavailable, send_batch
from onestop.notifications.outbox import relay
from onestop.notifications.sweep import sweep

log = logging.getLogger(__name__)


@shared_task(name="onestop.route_dossier", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def route_dossier(dossier_id: int, step_seq: int) -> int | None:
    """Assign a dossier that just arrived at an agency to its least-loaded officer."""
    try:
        officer = route(dossier_id, step_seq)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if officer is None:
        log.info("dossier %s (move %s): nothing to route", dossier_id, step_seq)
        return None
    return officer.id


@shared_task(name="onestop.sweep_deadlines")
def sweep_deadlines() -> dict[str, int]:
    """Reminders and escalations (``notifications/sweep.py``); one at a time, under a lock."""
    try:
        counts = sweep()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


@shared_task(name="onestop.relay_outbox")
def relay_outbox() -> int:
    return relay()


@shared_task(name="onestop.send_notification_mail", autoretry_for=(MailServerUnavailable,), retry_backoff=30,
             max_retries=8)
def send_notification_mail(notification_ids: list[int]) -> int:
    """E-mail a batch of notifications, each at least once (``notifications/mail.py``)."""
    try:
        return send_batch(notification_ids)
    except Exception:
        db.session.rollback()
        raise


@shared_task(name="onestop.mail_applicant_decision", autoretry_for=(MailServerUnavailable,), retry_backoff=30,
             max_retries=8)
def mail_applicant_decision(application_id: int) -> bool:
    """Tell a citizen who filed online what the desk decided (``notifications/applicant_mail.py``)."""
    try:
        return send_decision(application_id)
    except Exception:
        db.session.rollback()
        raise
