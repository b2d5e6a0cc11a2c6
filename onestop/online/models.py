"""A citizen's online application (nộp hồ sơ trực tuyến) and its files, until the desk decides.

An application is not a dossier: it has no code, no deadline and no holder until a clerk of the
chosen desk accepts it; accepting logs a dossier (channel ``online``) whose clock starts then.

Its files have a table of their own rather than rows in ``attachments`` with a nullable
``dossier_id``: an attachment belongs to a dossier and is served through the dossier scope, while
an application's file is an unchecked upload seen only by the clerks of one desk, and a refused
application's files must never show up in a dossier query. Keeping them apart leaves every
invariant of ``attachments`` (and every query that reads it) as it was. On acceptance each file
gets an attachment row pointing to the same stored file: nothing is copied, nothing is moved.
"""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.models import str_enum
from onestop.core.storage import StoredFileColumns
from onestop.core.workdays import current_calendar
from onestop.dossiers.applicant import ApplicantColumns, applicant_constraints
from onestop.dossiers.models import Delivery, Dossier
from onestop.extensions import db

#: working hours the desk has to accept or refuse an application
CHECK_HOURS = 8


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED = "refused"


STATUS_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Chờ tiếp nhận"),
    ApplicationStatus.ACCEPTED: _l("Đã tiếp nhận"),
    ApplicationStatus.REFUSED: _l("Bị từ chối tiếp nhận"),
}


class OnlineApplication(ApplicantColumns, db.Model):
    __tablename__ = "online_applications"
    __table_args__ = (
        CheckConstraint("(status = 'submitted') = (decided_at IS NULL) AND (decided_at IS NULL) = (decided_by_id IS NULL)",
                        name="decided_together"),
        CheckConstraint("(status = 'accepted') = (dossier_id IS NOT NULL)", name="accepted_iff_dossier"),
        CheckConstraint("(status = 'refused') = (refusal_reason IS NOT NULL)", name="refused_with_reason"),
        # the desk's tab "online, waiting for reception"
        Index("ix_online_applications_waiting_desk", "desk_agency_id", "submitted_at",
              postgresql_where=text("status = 'submitted'"), sqlite_where=text("status = 'submitted'")),
        *applicant_constraints(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``TT-{yyMMdd}-{6 random letters and digits}``, given to the citizen for the look-up
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED)
    #: national code of the procedure in the catalogue
    procedure_code: Mapped[str] = mapped_column(String(20))
    #: the desk the citizen chose; only its clerks see and decide the application
    desk_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))

    #: keys of the checklist documents the citizen uploaded a file for
    documents: Mapped[list] = mapped_column(JSON, default=list)
    #: the procedure's own data the citizen gave (as ``Dossier.details``)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: how the result goes back
    delivery_method: Mapped[Delivery] = mapped_column(str_enum(Delivery, length=10), default=Delivery.DESK)

    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: why the desk refused it, shown to the citizen by the look-up
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    #: the dossier logged when the desk accepted it
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    #: when the e-mail telling the citizen the desk's decision was claimed for sending (it goes once)
    decision_mailed_at: Mapped[datetime | None]

    desk_agency: Mapped[Agency] = relationship()
    decided_by: Mapped[User | None] = relationship()
    dossier: Mapped[Dossier | None] = relationship()
    files: Mapped[list["OnlineApplicationFile"]] = relationship(
        back_populates="application", order_by="OnlineApplicationFile.id", cascade="all, delete-orphan")

    @property
    def check_due_at(self) -> datetime:
        """The desk checks an application within one working day of its filing."""
        return current_calendar().add_working_hours(self.submitted_at, CHECK_HOURS)

    @property
    def check_overdue(self) -> bool:
        return self.is_waiting and self.check_due_at < clock.now()

    @property
    def is_waiting(self) -> bool:
        return self.status == ApplicationStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        """In the language of the request."""
        return str(STATUS_LABELS[self.status])

    #: the desk's decision locks this row, not a dossier's (it has none yet): ``dossiers/door.py``
    lock_self = True

    def can_see(self, user: User) -> bool:
        """Only the clerks of the chosen desk (anyone else gets a 404)."""
        return user.active and user.role == Role.CLERK and user.agency_id == self.desk_agency_id

    def can_decide(self, user: User) -> bool:
        """Accept or refuse it: the clerks of the chosen desk, while it waits."""
        return self.is_waiting and self.can_see(user)

    def __repr__(self) -> str:
        return f"<OnlineApplication {self.reference} {self.status}>"


class OnlineApplicationFile(StoredFileColumns, db.Model):
    """One file the citizen uploaded, as a copy of one checklist document."""

    __tablename__ = "online_application_files"
    __table_args__ = (CheckConstraint("size > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("online_applications.id", ondelete="CASCADE"), index=True)
    #: the checklist document (a key of the procedure's documents)
    document: Mapped[str] = mapped_column(String(60))

    application: Mapped[OnlineApplication] = relationship(back_populates="files")
