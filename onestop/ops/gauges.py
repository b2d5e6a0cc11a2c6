"""The domain's gauges for ``/metrics``, cheap to scrape at a million open dossiers.

Small reads run at each scrape, each answered from a partial index or a table of a few rows: the
outbox (unsent messages and the age of the oldest, i.e. how far the relay lags), online applications
waiting for a desk, the running counters the worker keeps (reminders sent, task failures) and the
heartbeats. Counting the open dossiers (by status, and the overdue ones) reads an index entry per open
dossier, too much for each scrape: those counts are kept per process for
``ONESTOP_METRICS_CACHE_SECONDS`` and, once older, recounted by a background thread while scrapes go
on answering with the previous counts (the first scrape of a process counts in line).
``onestop_dossier_counts_age_seconds`` says how old the counts served are.
"""
import logging
import threading
import time
from dataclasses import dataclass

from flask import Flask
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select, text

from onestop.core import clock
from onestop.core.outbox import OutboxMessage
from onestop.dossiers.models import Dossier, Status
from onestop.extensions import db
from onestop.online.models import ApplicationStatus, OnlineApplication
from onestop.ops import heartbeat
from onestop.ops.database import reading
from onestop.ops.models import Heartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DossierCounts:
    processing: int
    supplement: int
    overdue: int
    counted_at: float  # time.monotonic()


def count_dossiers(conn) -> DossierCounts:
    processing, overdue = conn.execute(
        select(func.count(), func.count().filter(Dossier.is_overdue))
        .where(Dossier.status == Status.PROCESSING)).one()
    supplement = conn.execute(select(func.count()).where(Dossier.status == Status.SUPPLEMENT)).scalar_one()
    return DossierCounts(processing, supplement, overdue, time.monotonic())


class DossierCountCache:
    """The last counts of one process, recounted in the background once older than the setting."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.counts: DossierCounts | None = None
        self.lock = threading.Lock()
        self.refreshing = False

    def get(self) -> DossierCounts:
        counts = self.counts
        if counts is None:
            with self.lock:
                if self.counts is None:
                    self.counts = self._count()
                return self.counts
        if time.monotonic() - counts.counted_at > self.app.config["ONESTOP_METRICS_CACHE_SECONDS"]:
            with self.lock:
                start = not self.refreshing
                self.refreshing = True
            if start:
                threading.Thread(target=self._refresh, name="onestop-metrics-count", daemon=True).start()
        return counts

    def _count(self) -> DossierCounts:
        """On PostgreSQL without parallel workers: a recount every half minute should take one core, not
        every core the requests need."""
        with self.app.app_context():
            engine = db.engine
            if engine.dialect.name != "postgresql":
                with reading(engine) as conn:
                    return count_dossiers(conn)
            with engine.connect() as conn, conn.begin():
                conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
                return count_dossiers(conn)

    def _refresh(self) -> None:
        try:
            self.counts = self._count()
        except Exception:  # the scrape keeps the older counts; their age tells
            log.warning("could not count the open dossiers", exc_info=True)
        finally:
            with self.lock:
                self.refreshing = False


def cache_of(app: Flask) -> DossierCountCache:
    if "onestop_dossier_counts" not in app.extensions:
        app.extensions["onestop_dossier_counts"] = DossierCountCache(app)
    return app.extensions["onestop_dossier_counts"]


class DomainCollector:
    """A prometheus-client collector reading the database at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        counts = cache_of(self.app).get()
        open_ = GaugeMetricFamily("onestop_dossiers_open", "Open dossiers, by status", labels=["status"])
        open_.add_metric([Status.PROCESSING.value], counts.processing)
        open_.add_metric([Status.SUPPLEMENT.value], counts.supplement)
        yield open_
        yield GaugeMetricFamily("onestop_dossiers_overdue",
                                "Dossiers being processed past their appointment or their step's due time",
                                value=counts.overdue)
        yield GaugeMetricFamily("onestop_dossier_counts_age_seconds", "How old the dossier counts above are",
                                value=round(time.monotonic() - counts.counted_at, 3))
        with reading(db.engine) as conn:
            yield from self._live(conn)

    def _live(self, conn):
        """Two statements (one round trip each): the single values, then the counters."""
        unsent_rows = select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
        unsent, oldest, waiting, worker_seen, beat_seen = conn.execute(select(
            select(func.count()).select_from(unsent_rows.subquery()).scalar_subquery(),
            select(OutboxMessage.created_at).where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id).limit(1).scalar_subquery(),
            select(func.count()).where(OnlineApplication.status == ApplicationStatus.SUBMITTED).scalar_subquery(),
            *(select(func.max(Heartbeat.seen_at)).where(Heartbeat.kind == kind).scalar_subquery()
              for kind in heartbeat.KINDS))).one()
        yield GaugeMetricFamily("onestop_outbox_unsent", "Outbox messages not yet handed to the broker", value=unsent)
        yield GaugeMetricFamily("onestop_outbox_lag_seconds", "Age of the oldest unsent outbox message (0: none)",
                                value=max((clock.now() - oldest).total_seconds(), 0.0) if oldest else 0.0)
        yield GaugeMetricFamily("onestop_online_applications_waiting",
                                "Online applications no desk has received or refused yet", value=waiting)
        totals = heartbeat.counters(conn)
        reminders = CounterMetricFamily("onestop_reminders_sent", "Reminders and escalations the sweeps sent, by kind",
                                        labels=["kind"])
        failures = CounterMetricFamily("onestop_task_failures", "Worker tasks that failed for good, by task",
                                       labels=["task"])
        for name, value in sorted(totals.items()):
            family, _, label = name.partition(":")
            if family == "reminders_sent":
                reminders.add_metric([label], value)
            elif family == "task_failures":
                failures.add_metric([label], value)
        yield reminders
        yield failures
        ages = GaugeMetricFamily("onestop_heartbeat_age_seconds",
                                 "Seconds since a worker or beat last wrote its heartbeat (absent: never)",
                                 labels=["process"])
        now = heartbeat.utcnow()
        for kind, at in zip(heartbeat.KINDS, (worker_seen, beat_seen), strict=True):
            if at is not None:
                ages.add_metric([kind], round((now - at).total_seconds(), 3))
        yield ages
