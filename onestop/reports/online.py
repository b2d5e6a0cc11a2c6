"""Online applications the desks have not decided within their working day, over a supervisor's scope.

An application is late once one working day (``CHECK_HOURS``) has passed since its filing. The
calendar turns that into one instant, ``now`` minus a working day, so the query compares
``submitted_at`` with a constant instead of doing calendar arithmetic per row.
"""
from datetime import datetime

from sqlalchemy import Select, func, select

from onestop.auth.models import User
from onestop.auth.scope import scope_agency_ids
from onestop.core.workdays import current_calendar
from onestop.extensions import db
from onestop.online.models import CHECK_HOURS, ApplicationStatus, OnlineApplication


def late_applications(user: User, now: datetime) -> Select:
    """The waiting applications of the desks in the user's scope whose check deadline has passed, oldest first."""
    filed_before = current_calendar().subtract_working_hours(now, CHECK_HOURS)
    return (select(OnlineApplication)
            .where(OnlineApplication.status == ApplicationStatus.SUBMITTED,
                   OnlineApplication.desk_agency_id.in_(scope_agency_ids(user)),
                   OnlineApplication.submitted_at < filed_before)
            .order_by(OnlineApplication.submitted_at, OnlineApplication.id))


def count_late(user: User, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(late_applications(user, now).order_by(None).subquery()))
