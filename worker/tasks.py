"""Celery tasks. They receive ids, reload rows, and are safe to run twice."""
import logging

from celery import shared_task
from flask import current_app

from onestop.auth import throttle as login_throttle
from onestop.core import clock, submissions
from onestop.core.mailer import MailServerUnavailable
from onestop.core.outbox import relay
from onestop.core.tasks import Task
from onestop.dossiers.operations import route
from onestop.dossiers.reroute import reroute_unassigned as reroute
from onestop.extensions import db
from onestop.messages.operations import hand_due
from onestop.messages.send import send_messages
from onestop.notifications.mail import send_batch
from onestop.notifications.sweep import sweep
from onestop.online.mail import send_decision
from onestop.online.reminders import KIND as ONLINE_LATE
from onestop.online.reminders import remind_late_applications
from onestop.supplements.operations import stop_lapsed
from onestop.webhooks.delivery import deliver_queue, retry_due

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
    the dossiers whose supplement is past its limit, stopped through the door (each once); the
    citizens' messages that have come due (``messages/operations.py``); the submission keys old
    enough that no browser will send them again, and login counters whose window and lock are over."""
    try:
        counts = sweep()
        now = clock.now()
        late = remind_late_applications(now)  # keyed per application and clerk: idempotent
        if late:
            counts[ONLINE_LATE] = late
        stopped = stop_lapsed(now)
        if stopped:
            counts["supplement_stopped"] = stopped
        handed = hand_due(now)
        if handed:
            counts["citizen_messages"] = handed
        submissions.purge(clock.now())
        login_throttle.purge(clock.now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


@shared_task(name=Task.REROUTE_UNASSIGNED)
def reroute_unassigned() -> int:
    """Route again the dossiers a lost message or a killed worker left unassigned (``dossiers/reroute.py``)."""
    return reroute(clock.now(), current_app.config["ONESTOP_REROUTE_GRACE_SECONDS"])


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


@shared_task(name=Task.DELIVER_WEBHOOKS)
def deliver_webhooks(subscription_id: int, dossier_id: int) -> int:
    """Send one (subscription, dossier) queue of webhook deliveries, in order (``webhooks/delivery.py``);
    what fails waits for its next attempt, planned in the rows, which ``retry_webhooks`` picks up."""
    try:
        return deliver_queue(subscription_id, dossier_id)
    except Exception:
        db.session.rollback()
        raise


@shared_task(name=Task.RETRY_WEBHOOKS)
def retry_webhooks() -> int:
    """Hand the webhook queues whose next attempt has come back to the worker."""
    try:
        queued = retry_due(clock.now())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued


@shared_task(name=Task.SEND_CITIZEN_MESSAGES, autoretry_for=(MailServerUnavailable,), retry_backoff=30,
             max_retries=8)
def send_citizen_messages(message_ids: list[int]) -> int:
    """Tell citizens by e-mail and text message (``messages/send.py``), each message at least once."""
    try:
        return send_messages(message_ids)
    except Exception:
        db.session.rollback()
        raise
