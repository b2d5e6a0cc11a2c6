"""What the worker and beat leave in the database for ``/readyz`` and ``/metrics`` to read.

The web side cannot see another process's memory (gunicorn's workers, Celery's, other machines):
each worker and each beat writes a heartbeat row every ``ONESTOP_HEARTBEAT_SECONDS``, and the
worker adds its task failures and the reminders its sweeps sent to running counters. Both tables
stay a few rows long.
"""
from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from onestop.extensions import db


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"

    #: a worker's node name (``celery@<host>``) or ``beat@<host>``
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: ``worker`` or ``beat``
    kind: Mapped[str] = mapped_column(String(10))
    #: when the process last said it is alive (UTC)
    seen_at: Mapped[datetime]
    #: when that process started
    started_at: Mapped[datetime]


class Counter(db.Model):
    """A running total that only grows: ``task_failures:<task>``, ``reminders_sent:<kind>``."""

    __tablename__ = "ops_counters"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime]
