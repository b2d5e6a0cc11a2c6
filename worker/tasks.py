"""Celery tasks. They receive ids, reload rows, and are safe to run twice."""
import logging

from celery import shared_task

from onestop.auth import throttle as login_throttle
from onestop.core import clock, submissions
from onestop.core.mailer import MailServerUnavailable
from onestop.core.outbox import relay
from onestop.core.tasks import Task
from onestop.dossiers.operations import route
from onestop.extensions import db
from onestop.notifications.mail import send_batch
from onestop.notifications.sweep import sweep
from onestop.online.mail import send_decision
from onestop.online.reminders import KIND as ONLINE_LATE
from onestop.online.reminders import remind_late_applications

log = logging.getLogger(__name__)


@shared_task(name=Task.ROUTE_DOSSIER, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
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


@shared_task(name=Task.SWEEP_DEADLINES)
def sweep_deadlines() -> dict[str, int]:
    """Reminders and escalations (``notifications/sweep.py``), one at a time under a lock; then the
    reminders of online applications a desk left past their working day (``online/reminders.py``);
    and the submission keys old enough that no browser will send them again, and login counters
    whose window and lock are over."""
    try:
        counts = sweep()
        late = remind_late_applications(clock.now())  # keyed per application and clerk: idempotent
        if late:
            counts[ONLINE_LATE] = late
        submissions.purge(clock.now())
        login_throttle.purge(clock.now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


@shared_task(name=Task.RELAY_OUTBOX)
def relay_outbox() -> int:
    return relay()


@shared_task(name=Task.SEND_NOTIFICATION_MAIL, autoretry_for=(MailServerUnavailable,), retry_backoff=30,
             max_retries=8)
def send_notification_mail(notification_ids: list[int]) -> int:
    """E-mail a batch of notifications, each at least once (``notifications/mail.py``)."""
    try:
        return send_batch(notification_ids)
    except Exception:
        db.session.rollback()
        raise


@shared_task(name=Task.MAIL_APPLICANT_DECISION, autoretry_for=(MailServerUnavailable,), retry_backoff=30,
             max_retries=8)
def mail_applicant_decision(application_id: int) -> bool:
    """Tell a citizen who filed online what the desk decided (``online/mail.py``)."""
    try:
        return send_decision(application_id)
    except Exception:
        db.session.rollback()
        raise
