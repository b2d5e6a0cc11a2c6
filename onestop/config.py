"""Defaults and ``ONESTOP_*`` environment variables.

The embedded default (SQLite in WAL mode, a filesystem broker under ``instance/``) needs no
server; setting ``ONESTOP_DATABASE_URL`` and ``ONESTOP_BROKER_URL`` switches to server mode.
"""
import os
from datetime import timedelta
from pathlib import Path


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
    broker = os.environ.get("ONESTOP_BROKER_URL", "filesystem://")
    conf: dict = {
        "broker_url": broker,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "task_default_queue": "onestop",
        "beat_schedule": {
            "relay-outbox": {"task": "onestop.relay_outbox", "schedule": timedelta(seconds=30)},
            "sweep-deadlines": {"task": "onestop.sweep_deadlines", "schedule": timedelta(minutes=5)},
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
    return conf


def load(instance_path: Path) -> dict:
    """Settings for ``create_app``; every key can be overridden by ``config_override``."""
    env = os.environ.get
    return {
        "SECRET_KEY": env("ONESTOP_SECRET_KEY", "dev-only-change-me"),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CELERY": _celery(instance_path),
        "BABEL_DEFAULT_LOCALE": env("ONESTOP_LOCALE", "vi"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "ONESTOP_OFFICE_HOURS": env("ONESTOP_OFFICE_HOURS", "07:30-11:30,13:00-17:00"),
        "ONESTOP_CLOCK_OFFSET_HOURS": float(env("ONESTOP_CLOCK_OFFSET_HOURS", "0")),
        "ONESTOP_DISPATCH_ON_COMMIT": env("ONESTOP_DISPATCH_ON_COMMIT", "1") == "1",
        "ONESTOP_DUE_SOON_HOURS": float(env("ONESTOP_DUE_SOON_HOURS", "8")),
        "PAGE_SIZE": 50,
    }
