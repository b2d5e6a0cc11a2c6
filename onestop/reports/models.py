"""What exists only for the reports: the working-day table and the indexes the period statistics read.

``report_working_days`` turns the working calendar into numbers the database can subtract: for each
local day, whether it is a working day and how many office hours the working days before it hold.
The working clock of an instant is that figure plus the office hours already elapsed on its day, so
the working hours between two instants are a difference of two joins (see ``workclock.py``). The
table is a cache of the calendar: ``workclock.ensure_working_days`` checks it against the calendar in
force on each report and rewrites the days that differ.
"""
from datetime import date

from sqlalchemy import Index, text
from sqlalchemy.orm import Mapped, mapped_column

from onestop.dossiers.models import Dossier, DossierEvent
from onestop.extensions import db


class WorkingDay(db.Model):
    """One local (Asia/Ho_Chi_Minh) day of the working calendar, as numbers for SQL."""

    __tablename__ = "report_working_days"

    #: the local date
    day: Mapped[date] = mapped_column(primary_key=True)
    #: a working day of the calendar in force (weekends, holidays, swaps and overrides applied)
    is_working: Mapped[bool]
    #: office hours of the working days from the first day of the table up to this day (excluded)
    hours_before: Mapped[float]


_STATS_COLUMNS = ("id", "receiving_agency_id", "procedure_code", "channel", "status", "due_at", "original_due_at")

#: period statistics: dossiers received in a period (range on ``received_at``); PostgreSQL can answer
#: the counts from the index alone
Index("ix_dossiers_report_received", Dossier.received_at,
      postgresql_include=[*_STATS_COLUMNS, "finished_at"])
#: period statistics: dossiers carried over (received before the period, finished during or after it)
Index("ix_dossiers_report_finished", Dossier.finished_at,
      postgresql_include=[*_STATS_COLUMNS, "received_at"])
#: overdue and due soon: the dossiers being processed, by holding agency, answered from the index
Index("ix_dossiers_report_open", Dossier.holder_agency_id,
      postgresql_include=["id", "procedure_code", "due_at", "step_due_at", "assignee_id"],
      postgresql_where=text("status = 'processing'"), sqlite_where=text("status = 'processing'"))
#: bottlenecks: the handovers of a period
Index("ix_dossier_events_at", DossierEvent.at)
# On PostgreSQL the migration also adds ``ix_dossiers_report_open_span``, a GiST index on the span
# (received, finished] of each dossier, for "open at a given instant" (``workclock.open_at_sql``).
# It is kept out of the metadata because it exists on PostgreSQL only.
