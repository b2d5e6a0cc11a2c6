"""The deadline sweep: one set-based statement per rule, keyed so a re-run adds nothing."""
from datetime import datetime

from sqlalchemy import String, and_, cast, literal, select

from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.calendar import HOURS_PER_DAY
from onestop.core.workdays import current_calendar
from onestop.dossiers.models import Dossier, Status
from onestop.extensions import db
from onestop.notifications.models import Notification
from onestop.notifications.operations import insert_ignoring_duplicates


def _key(kind: str, user_id_column):
    return (literal(kind + ":") + cast(Dossier.id, String) + literal(":")
            + cast(Dossier.step_seq, String) + literal(":") + cast(user_id_column, String))


def _insert(kind: str, message_prefix: str, user_id_column, selectable) -> int:
    message = literal(message_prefix + " ") + Dossier.code
    rows = selectable.add_columns(user_id_column, Dossier.id, literal(kind), message,
                                  _key(kind, user_id_column), literal(clock.now(), type_=Notification.created_at.type))
    stmt = insert_ignoring_duplicates().from_select(
        ["user_id", "dossier_id", "kind", "message", "key", "created_at"], rows
    ).on_conflict_do_nothing(index_elements=["key"])
    return db.session.execute(stmt).rowcount


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Remind assignees of steps due within one working day; tell assignees and the holding
    agency's supervisors of overdue steps. Returns how many notifications were added per kind."""
    now = now or clock.now()
    horizon = current_calendar().add_working_hours(now, HOURS_PER_DAY)
    processing = Dossier.status == Status.PROCESSING
    due_soon = select().select_from(Dossier).where(
        processing, Dossier.assignee_id.is_not(None), Dossier.step_due_at > now, Dossier.step_due_at <= horizon)
    overdue = and_(processing, Dossier.step_due_at <= now)
    overdue_assignee = select().select_from(Dossier).where(overdue, Dossier.assignee_id.is_not(None))
    overdue_supervisor = select().select_from(Dossier).join(
        User, and_(User.agency_id == Dossier.holder_agency_id, User.role == Role.SUPERVISOR, User.active)
    ).where(overdue)
    counts = {
        "due_soon": _insert("due_soon", "Sắp đến hạn xử lý bước hiện tại: hồ sơ", Dossier.assignee_id, due_soon),
        "overdue": _insert("overdue", "Quá hạn xử lý: hồ sơ", Dossier.assignee_id, overdue_assignee),
        "overdue_supervisor": _insert("overdue_supervisor", "Hồ sơ quá hạn tại đơn vị: hồ sơ", User.id,
                                      overdue_supervisor),
    }
    db.session.flush()
    return counts
