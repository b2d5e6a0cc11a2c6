"""Remind a desk's clerks of the online applications they have left past their working day.

Run with the deadline sweep, by its beat task (``worker/tasks.py``). One ``INSERT … SELECT`` pairs
every late application with every active clerk of its desk; the key (application, clerk) makes
each reminder exist once, so a sweep that runs again adds nothing.
"""
from datetime import datetime

from sqlalchemy import String, cast, literal, select

from onestop.auth.models import Role, User
from onestop.core.workdays import current_calendar
from onestop.dossiers.notices import Notification, insert_ignoring_duplicates
from onestop.extensions import db
from onestop.online.models import CHECK_HOURS, ApplicationStatus, OnlineApplication

KIND = "online_late"


def remind_late_applications(now: datetime) -> int:
    """Notify the clerks of each desk holding an application filed more than a working day ago."""
    filed_before = current_calendar().subtract_working_hours(now, CHECK_HOURS)
    a = OnlineApplication
    message = (literal("Hồ sơ nộp trực tuyến ") + a.reference
               + literal(" đã quá một ngày làm việc chưa được tiếp nhận hoặc từ chối."))
    key = literal(f"{KIND}:") + cast(a.id, String) + literal(":") + cast(User.id, String)
    rows = (select(User.id, literal(KIND), message, key, literal(now, type_=Notification.created_at.type))
            .select_from(a).join(User, (User.agency_id == a.desk_agency_id) & (User.role == Role.CLERK) & User.active)
            .where(a.status == ApplicationStatus.SUBMITTED, a.submitted_at < filed_before))
    stmt = insert_ignoring_duplicates().from_select(
        ["user_id", "kind", "message", "key", "created_at"], rows
    ).on_conflict_do_nothing(index_elements=["key"]).returning(Notification.id)
    return len(db.session.execute(stmt).all())  # rowcount is -1 for this statement on PostgreSQL
