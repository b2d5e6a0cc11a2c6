"""The names of the worker's tasks, shared by the code that enqueues them and by ``worker/``.

A task is enqueued through the outbox by name (the web side never imports ``worker``), so the name
is the contract between the two sides: written once here, a typo is an ``AttributeError`` at import,
not a message that no worker ever takes.
"""
from enum import StrEnum


class Task(StrEnum):
    ROUTE_DOSSIER = "onestop.route_dossier"
    SWEEP_DEADLINES = "onestop.sweep_deadlines"
    RELAY_OUTBOX = "onestop.relay_outbox"
    SEND_NOTIFICATION_MAIL = "onestop.send_notification_mail"
    MAIL_APPLICANT_DECISION = "onestop.mail_applicant_decision"
    DELIVER_WEBHOOKS = "onestop.deliver_webhooks"
    RETRY_WEBHOOKS = "onestop.retry_webhooks"
    SEND_CITIZEN_MESSAGES = "onestop.send_citizen_messages"
    REROUTE_UNASSIGNED = "onestop.reroute_unassigned"
