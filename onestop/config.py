"""Defaults and ``ONESTOP_*`` environment variables.

The embedded default (SQLite in WAL mode, a filesystem broker under ``instance/``) needs no
server; setting ``ONESTOP_DATABASE_URL`` and ``ONESTOP_BROKER_URL`` switches to server mode.
"""
import os
from datetime import timedelta
from pathlib import Path

from onestop.core import files_broker  # noqa: F401  (``filesystem://`` names its transport from here on)
from onestop.core.tasks import Task

#: the compiled catalogues (``translations/<lang>/LC_MESSAGES/messages.mo``), found from the package
#: itself so that the app translates whatever the working directory
TRANSLATIONS_DIR = Path(__file__).with_name("translations")


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("ONESTOP_DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'onestop.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _celery(instance_path: Path) -> dict:
    """Celery's settings. A killed worker must not lose work: a task is acknowledged only when it
    has finished (``task_acks_late``), a task whose worker process died goes back to the queue
    (``task_reject_on_worker_lost``; tasks are idempotent, so running one again is safe), and each
    worker process holds one message beyond the one it runs (prefetch 1), so a ``kill -9`` strands
    as little as possible. On Redis what a dead worker held comes back after the visibility
    timeout: it must outlast the longest task and the longest retry countdown (a retried task
    waits, unacknowledged, in the worker), or a live task is handed out twice. Work that matters
    is also found again from the database (``reroute_unassigned``), whatever became of its message.
    """
    env = os.environ.get
    broker = env("ONESTOP_BROKER_URL", "filesystem://")
    conf: dict = {
        "broker_url": broker,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        # one queue per instance sharing a broker; the tests give each run its own, so that no
        # worker left from another run (other code, other database) takes their messages
        "task_default_queue": env("ONESTOP_TASK_QUEUE", "onestop"),
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "beat_schedule": {
            "relay-outbox": {"task": Task.RELAY_OUTBOX.value, "schedule": timedelta(seconds=30)},
            "reroute-unassigned": {"task": Task.REROUTE_UNASSIGNED.value,
                                   "schedule": timedelta(seconds=float(env("ONESTOP_REROUTE_EVERY_SECONDS", "60")))},
            "sweep-deadlines": {"task": Task.SWEEP_DEADLINES.value, "schedule": timedelta(minutes=5)},
            "retry-webhooks": {"task": Task.RETRY_WEBHOOKS.value, "schedule": timedelta(seconds=30)},
        },
        "beat_schedule_filename": str(instance_path / "celerybeat-schedule"),
    }
    if broker.startswith("filesystem://"):
        queue = instance_path / "broker" / "queue"
        processed = instance_path / "broker" / "processed"
        conf["broker_transport_options"] = {
            "control_folder": str(instance_path / "broker" / "control"),
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "store_processed": False,
        }
    elif broker.startswith(("redis://", "rediss://")):
        conf["broker_transport_options"] = {
            #: seconds before a message a worker took and never acknowledged is handed out again
            "visibility_timeout": int(env("ONESTOP_BROKER_VISIBILITY_TIMEOUT", "1800")),
            # a broker that vanishes without closing the connection never hangs a worker or beat for
            # good (the web's publishing uses the much shorter ONESTOP_PUBLISH_TIMEOUT, core/outbox.py)
            "socket_connect_timeout": 10,
            "socket_timeout": 30,
        }
    return conf


def _optional_int(text: str) -> int | None:
    """A whole number, or None for "" / "off"."""
    text = text.strip().lower()
    return None if text in ("", "off", "none") else int(text)


def load(instance_path: Path) -> dict:
    """Settings for ``create_app``; every key can be overridden by ``config_override``."""
    env = os.environ.get
    server_mode = bool(env("ONESTOP_DATABASE_URL"))
    return {
        "SECRET_KEY": env("ONESTOP_SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CELERY": _celery(instance_path),
        "BABEL_DEFAULT_LOCALE": env("ONESTOP_LOCALE", "vi"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS_DIR),
        "ONESTOP_OFFICE_HOURS": env("ONESTOP_OFFICE_HOURS", "07:30-11:30,13:00-17:00"),
        "ONESTOP_CLOCK_OFFSET_HOURS": float(env("ONESTOP_CLOCK_OFFSET_HOURS", "0")),
        "ONESTOP_DISPATCH_ON_COMMIT": env("ONESTOP_DISPATCH_ON_COMMIT", "1") == "1",
        #: the longest (seconds) a commit waits for the broker to take its messages; after a failure
        #: the process leaves them to the relay for the pause (``core/outbox.py``)
        "ONESTOP_PUBLISH_TIMEOUT": float(env("ONESTOP_PUBLISH_TIMEOUT", "0.5")),
        "ONESTOP_PUBLISH_PAUSE_SECONDS": float(env("ONESTOP_PUBLISH_PAUSE_SECONDS", "15")),
        #: a dossier at a step that needs an assignee, unassigned this long after it got there, is
        #: routed again by the beat (its routing message was lost, or its worker killed)
        "ONESTOP_REROUTE_GRACE_SECONDS": float(env("ONESTOP_REROUTE_GRACE_SECONDS", "120")),
        "ONESTOP_DUE_SOON_HOURS": float(env("ONESTOP_DUE_SOON_HOURS", "8")),
        # reminders and escalation (global defaults; admins may override them and set per-procedure
        # rules on the calendar page): remind the assignee at this share (%) of a step's budget (0: off),
        # at the due time and each working day overdue; escalate after these working days overdue ("": off)
        "ONESTOP_REMIND_DUE_SOON_PERCENT": int(env("ONESTOP_REMIND_DUE_SOON_PERCENT", "75")),
        "ONESTOP_REMIND_OVERDUE": env("ONESTOP_REMIND_OVERDUE", "1") == "1",
        "ONESTOP_ESCALATE_DAYS": _optional_int(env("ONESTOP_ESCALATE_DAYS", "1")),
        "ONESTOP_ESCALATE_PARENT_DAYS": _optional_int(env("ONESTOP_ESCALATE_PARENT_DAYS", "3")),
        #: the daily overdue reminders stop after this many working days (escalation has long happened)
        "ONESTOP_REMIND_MAX_OVERDUE_DAYS": int(env("ONESTOP_REMIND_MAX_OVERDUE_DAYS", "60")),
        #: an extension (slip 04) may be asked for when the appointment is this close (working hours) or past
        "ONESTOP_EXTENSION_WINDOW_HOURS": float(env("ONESTOP_EXTENSION_WINDOW_HOURS", "8")),
        # e-mail copies of notifications: SMTP when a host is set, else .eml files under instance/mail/
        "ONESTOP_SMTP_HOST": env("ONESTOP_SMTP_HOST", ""),
        "ONESTOP_SMTP_PORT": int(env("ONESTOP_SMTP_PORT", "25")),
        "ONESTOP_SMTP_USER": env("ONESTOP_SMTP_USER", ""),
        "ONESTOP_SMTP_PASSWORD": env("ONESTOP_SMTP_PASSWORD", ""),
        "ONESTOP_SMTP_STARTTLS": env("ONESTOP_SMTP_STARTTLS", "0") == "1",
        "ONESTOP_SMTP_TIMEOUT": float(env("ONESTOP_SMTP_TIMEOUT", "30")),
        "ONESTOP_MAIL_FROM": env("ONESTOP_SMTP_FROM", "Một cửa liên thông <noreply@onestop.example>"),
        "ONESTOP_MAIL_DIR": env("ONESTOP_MAIL_DIR", str(instance_path / "mail")),
        #: which notification kinds also go out by e-mail
        "ONESTOP_MAIL_KINDS": tuple(k for k in env(
            "ONESTOP_MAIL_KINDS", "due,overdue,escalation,escalation_parent").split(",") if k),
        #: notifications per e-mail task (the sweep hands its new ones to the worker in batches)
        "ONESTOP_MAIL_BATCH": int(env("ONESTOP_MAIL_BATCH", "200")),
        #: a claimed e-mail not sent after this many minutes is sent again (its worker died)
        "ONESTOP_MAIL_LEASE_MINUTES": float(env("ONESTOP_MAIL_LEASE_MINUTES", "15")),
        #: the site's address, for links in e-mails (e.g. https://motcua.example.gov.vn)
        "ONESTOP_BASE_URL": env("ONESTOP_BASE_URL", ""),
        "PAGE_SIZE": 50,
        #: attachments: where the files go, the largest file taken and how many at once; a request
        #: larger than that many of the largest is cut off before it is read (413)
        "ONESTOP_ATTACHMENT_DIR": env("ONESTOP_ATTACHMENT_DIR", str(instance_path / "attachments")),
        "ONESTOP_ATTACHMENT_MAX_MB": float(env("ONESTOP_ATTACHMENT_MAX_MB", "10")),
        "ONESTOP_ATTACHMENT_MAX_FILES": int(env("ONESTOP_ATTACHMENT_MAX_FILES", "10")),
        "MAX_CONTENT_LENGTH": int((float(env("ONESTOP_ATTACHMENT_MAX_MB", "10"))
                                   * int(env("ONESTOP_ATTACHMENT_MAX_FILES", "10")) + 1) * 1024 * 1024),
        #: how many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host (0: none, the
        #: client's address is the connection's); with one, the look-up's throttle and the audit trail
        #: see the citizen's address instead of the proxy's
        "ONESTOP_PROXY_HOPS": int(env("ONESTOP_PROXY_HOPS", "0")),
        #: send Strict-Transport-Security (the site is served over HTTPS only); on by default in server mode
        "ONESTOP_HSTS": env("ONESTOP_HSTS", "1" if server_mode else "0") == "1",
        # sessions: cookies only over HTTPS in server mode (``ONESTOP_SECURE_COOKIES``), never read by
        # scripts, not sent by other sites' forms; a session unused this long ends (idle time-out)
        "SESSION_COOKIE_SECURE": env("ONESTOP_SECURE_COOKIES", "1" if server_mode else "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=float(env("ONESTOP_SESSION_IDLE_MINUTES", "30"))),
        #: login throttle: wrong passwords per login name and per address within the window lock
        #: that name or address for the lockout time (an admin can lift it sooner)
        "ONESTOP_LOGIN_MAX_FAILURES": int(env("ONESTOP_LOGIN_MAX_FAILURES", "10")),
        "ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS": int(env("ONESTOP_LOGIN_MAX_FAILURES_PER_ADDRESS", "50")),
        "ONESTOP_LOGIN_WINDOW_MINUTES": float(env("ONESTOP_LOGIN_WINDOW_MINUTES", "15")),
        "ONESTOP_LOGIN_LOCKOUT_MINUTES": float(env("ONESTOP_LOGIN_LOCKOUT_MINUTES", "15")),
        #: API calls one client may make (Flask-Limiter's notation, e.g. "300/minute")
        "ONESTOP_API_RATE_LIMIT": env("ONESTOP_API_RATE_LIMIT", "300/minute"),
        #: a webhook delivery is retried, with exponential backoff from this many seconds, for this many hours
        "ONESTOP_WEBHOOK_BACKOFF_SECONDS": float(env("ONESTOP_WEBHOOK_BACKOFF_SECONDS", "30")),
        "ONESTOP_WEBHOOK_RETRY_HOURS": float(env("ONESTOP_WEBHOOK_RETRY_HOURS", "24")),
        #: text messages to citizens: a sender class (``package.module:Class``), or files under this folder
        "ONESTOP_SMS_SENDER": env("ONESTOP_SMS_SENDER", ""),
        "ONESTOP_SMS_DIR": env("ONESTOP_SMS_DIR", str(instance_path / "sms")),
        #: the citizen is reminded to collect a result left at the desk this many working days after it was ready
        "ONESTOP_PICKUP_REMINDER_DAYS": int(env("ONESTOP_PICKUP_REMINDER_DAYS", "3")),
        #: the place written on the official slips ("Hải Phòng, ngày … tháng … năm …")
        "ONESTOP_PLACE_NAME": env("ONESTOP_PLACE_NAME", "Hải Phòng"),
    }
