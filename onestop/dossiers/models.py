"""The dossier, its history and its daily code numbers; who may do what to it (``can_<verb>``)."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, SmallInteger, String, Text, and_, func, or_, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.schema import FetchedValue

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.folding import fold
from onestop.core.models import TimestampMixin, str_enum
from onestop.dossiers.applicant import ApplicantColumns, applicant_constraints
from onestop.extensions import db


class Status(enum.StrEnum):
    PROCESSING = "processing"
    SUPPLEMENT = "supplement"
    DONE = "done"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class Channel(enum.StrEnum):
    """How a dossier reached the receiving agency (the official statistics count each apart)."""

    DESK = "desk"
    ONLINE = "online"
    #: handed over electronically by another agency's system (liên thông)
    INTERCONNECTION = "interconnection"
    #: sent by the citizen through the public postal service (Decision 45/2016/QĐ-TTg)
    POST = "post"


class Delivery(enum.StrEnum):
    """How the result goes back to the applicant."""

    DESK = "desk"
    #: by public post (bưu chính công ích)
    POST = "post"


OPEN_STATUSES = (Status.PROCESSING, Status.SUPPLEMENT)
STATUS_LABELS = {
    Status.PROCESSING: _l("Đang giải quyết"),
    Status.SUPPLEMENT: _l("Chờ bổ sung"),
    Status.DONE: _l("Đã trả kết quả"),
    Status.REFUSED: lazy_pgettext("dossier status", "Từ chối"),  # "refused", where the button says "refuse"
    Status.WITHDRAWN: _l("Đã rút"),
}


class Dossier(ApplicantColumns, TimestampMixin, db.Model):
    """One citizen's application for one procedure, as it travels between agencies."""

    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("(status IN ('done','refused','withdrawn')) = (finished_at IS NOT NULL)",
                        name="finished_iff_closed"),
        CheckConstraint("(status = 'supplement') = (paused_at IS NOT NULL)", name="paused_iff_supplement"),
        Index("ix_dossiers_open_step_due", "step_due_at",
              postgresql_where=text("status = 'processing'"), sqlite_where=text("status = 'processing'")),
        Index("ix_dossiers_open_holder_due", "holder_agency_id", "due_at",
              postgresql_where=text("status IN ('processing','supplement')"),
              sqlite_where=text("status IN ('processing','supplement')")),
        # the open dossiers nobody is assigned to, by how long they have waited (dossiers/reroute.py)
        Index("ix_dossiers_open_unassigned", "step_started_at",
              postgresql_where=text("assignee_id IS NULL AND status IN ('processing','supplement')"),
              sqlite_where=text("assignee_id IS NULL AND status IN ('processing','supplement')")),
        # routing's load of each officer: an index-only count within the holding agency (``operations.route``)
        Index("ix_dossiers_open_holder_assignee", "holder_agency_id", "assignee_id",
              postgresql_where=text("status IN ('processing','supplement')"),
              sqlite_where=text("status IN ('processing','supplement')")),
        # the dossiers waiting for a citizen's supplement (inbox "waiting" tab, desk "supplement" tab)
        Index("ix_dossiers_supplement_holder", "holder_agency_id", "id",
              postgresql_where=text("status = 'supplement'"), sqlite_where=text("status = 'supplement'")),
        Index("ix_dossiers_applicant_id_number", "applicant_id_number"),
        Index("ix_dossiers_competent_agency_id", "competent_agency_id",
              postgresql_where=text("competent_agency_id IS NOT NULL"),
              sqlite_where=text("competent_agency_id IS NOT NULL")),
        # the header search (``dossiers/search.py``): phone; name and code have their own indexes there
        Index("ix_dossiers_applicant_phone", "applicant_phone"),
        # PostgreSQL only (the migration creates them there): a name by its beginning, covering what the
        # search orders and scopes by; a name anywhere in it (trigrams); a code by its prefix (pattern
        # order, whatever the database's collation)
        Index("ix_dossiers_applicant_name_prefix", "applicant_name_folded",
              postgresql_ops={"applicant_name_folded": "varchar_pattern_ops"},
              postgresql_include=["received_at", "id", "holder_agency_id", "receiving_agency_id"],
              info={"postgresql_only": True}),
        Index("ix_dossiers_applicant_name_trgm", "applicant_name_folded", postgresql_using="gin",
              postgresql_ops={"applicant_name_folded": "gin_trgm_ops"}, info={"postgresql_only": True}),
        Index("ix_dossiers_code_pattern", "code", postgresql_ops={"code": "varchar_pattern_ops"},
              info={"postgresql_only": True}),
        Index("ix_dossiers_details_trgm", "details_text", postgresql_using="gin",
              postgresql_ops={"details_text": "gin_trgm_ops"}, info={"postgresql_only": True}),
        CheckConstraint("(channel = 'post') = (intake_waybill IS NOT NULL AND posted_on IS NOT NULL)",
                        name="post_intake_has_waybill"),
        *applicant_constraints(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``{agency code}-{yyMMdd}-{4-digit daily sequence}``, printed on the receipt; on PostgreSQL
    #: written by the INSERT itself when none is given (``dossiers/codes.py``) and read back with it
    code: Mapped[str] = mapped_column(String(40), unique=True, server_default=FetchedValue())
    #: national code of the procedure in the catalogue
    procedure_code: Mapped[str] = mapped_column(String(20), index=True)
    #: the version of the procedure in force when it was received; it keeps it until it ends
    procedure_version: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    #: the current step key of the procedure's state machine
    step: Mapped[str] = mapped_column(String(60))
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.PROCESSING)
    #: how many moves the dossier has made; keys reminders to the step they are about
    step_seq: Mapped[int] = mapped_column(default=0)

    #: the desk that received it and returns the result
    receiving_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: the desk that received it, kept when a reorganisation moved the desk of return (``receiving_agency_id``)
    #: to a successor; None while they are the same. Receipts and statistics name this desk (``received_desk_id``)
    original_desk_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: the unit competent to decide it, when a desk received it for another unit (Decree 118/2025:
    #: reception regardless of administrative boundary); None while the receiving desk's own unit is
    #: (``competent_id``). Its steps resolve from this unit, reception and result stay at the desk
    competent_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    #: the agency that holds it now (exactly one)
    holder_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    #: the person of the holding agency working on it, set by routing
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    #: keys of the checklist documents handed in
    documents: Mapped[list] = mapped_column(JSON, default=list)
    #: how the result goes back
    delivery_method: Mapped[Delivery] = mapped_column(str_enum(Delivery, length=10), default=Delivery.DESK)
    #: how it was received: at the desk, online, or from interconnection
    channel: Mapped[Channel] = mapped_column(str_enum(Channel), default=Channel.DESK, server_default="desk")
    note: Mapped[str | None] = mapped_column(Text)
    #: the applicant's name folded for search (lower case, no accents: ``core.folding.fold``), kept
    #: in step with ``applicant_name`` by ``_fold_name``
    applicant_name_folded: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: the procedure's own data (``[[fields]]`` of its file): key → value as ``workflows/fields.py`` parses it
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the values of ``details`` folded for search (lower case, no accents), ``dossiers/details.py``
    details_text: Mapped[str | None] = mapped_column(Text)
    #: received by public post: the waybill of the parcel, and the day the post office took it
    intake_waybill: Mapped[str | None] = mapped_column(String(40))
    posted_on: Mapped[date | None] = mapped_column(Date)

    received_at: Mapped[datetime]
    #: the appointment date promised on the receipt (moves when the clock pauses)
    due_at: Mapped[datetime] = mapped_column(index=True)
    step_started_at: Mapped[datetime]
    #: when the current step should be finished; None while the clock is stopped
    step_due_at: Mapped[datetime | None]
    #: set while waiting for the citizen's supplement (the clock is stopped)
    paused_at: Mapped[datetime | None]
    #: working hours the clock has been stopped in total
    paused_hours: Mapped[float] = mapped_column(default=0.0)
    #: the appointment before the first approved extension (slip 04); None if never extended
    original_due_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: who collected the result at the desk (name as on their ID), when returned at the desk
    result_recipient: Mapped[str | None] = mapped_column(String(200))
    #: public-post waybill number, when the result went out by post
    post_waybill: Mapped[str | None] = mapped_column(String(40))

    receiving_agency: Mapped[Agency] = relationship(foreign_keys=[receiving_agency_id])
    original_desk: Mapped[Agency | None] = relationship(foreign_keys=[original_desk_id])
    competent_agency: Mapped[Agency | None] = relationship(foreign_keys=[competent_agency_id])
    holder_agency: Mapped[Agency] = relationship(foreign_keys=[holder_agency_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    received_by: Mapped[User] = relationship(foreign_keys=[received_by_id])
    events: Mapped[list["DossierEvent"]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id", cascade="all, delete-orphan")

    @validates("applicant_name")
    def _fold_name(self, key: str, value: str) -> str:
        self.applicant_name_folded = fold(value)[:200]
        return value

    @hybrid_property
    def received_desk_id(self) -> int:
        """The desk that received it, as it was on the day (a reorganisation does not move it)."""
        return self.original_desk_id or self.receiving_agency_id

    @received_desk_id.inplace.expression
    @classmethod
    def _received_desk_id_expression(cls):
        return func.coalesce(cls.original_desk_id, cls.receiving_agency_id)

    @property
    def received_desk(self) -> Agency:
        return self.original_desk or self.receiving_agency

    @hybrid_property
    def competent_id(self) -> int:
        """The unit whose steps the dossier follows: the one named at intake, else the receiving desk."""
        return self.competent_agency_id or self.receiving_agency_id

    @competent_id.inplace.expression
    @classmethod
    def _competent_id_expression(cls):
        return func.coalesce(cls.competent_agency_id, cls.receiving_agency_id)

    @property
    def competent(self) -> Agency:
        return self.competent_agency or self.receiving_agency

    @property
    def across_boundary(self) -> bool:
        """Received at one desk for another unit to decide."""
        return self.competent_agency_id is not None and self.competent_agency_id != self.receiving_agency_id

    @hybrid_property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return cls.status.in_(OPEN_STATUSES)

    @hybrid_property
    def is_overdue(self) -> bool:
        now = clock.now()
        return self.status == Status.PROCESSING and (
            self.due_at < now or (self.step_due_at is not None and self.step_due_at < now))

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        now = clock.now()
        return and_(cls.status == Status.PROCESSING,
                    or_(cls.due_at < now, cls.step_due_at < now))

    @property
    def status_label(self) -> str:
        """In the language of the request."""
        return str(STATUS_LABELS[self.status])

    # -- who may do what (views, templates and the door ask the same methods) --------------------

    def can_act(self, user: User) -> bool:
        """Press one of the current step's actions: staff of the holding agency, while it is open."""
        return self.is_open and user.active and user.agency_id == self.holder_agency_id

    def can_assign(self, user: User) -> bool:
        """Give the dossier to someone else of the holding agency: its supervisors."""
        return self.can_act(user) and user.role == Role.SUPERVISOR

    def can_consult(self, user: User) -> bool:
        """Ask another agency for its opinion: staff of the holding agency (not an admin)."""
        return self.can_act(user) and user.role != Role.ADMIN

    def can_request_extension(self, user: User) -> bool:
        """Ask for a new appointment (slip 04): staff of the holding agency while the clock runs."""
        return self.can_act(user) and user.role != Role.ADMIN and self.status == Status.PROCESSING

    def can_attach(self, user: User) -> bool:
        """Add a file: the receiving desk and the holding agency's staff, while it is open."""
        return self.is_open and user.active and user.role != Role.ADMIN and user.agency_id in (
            self.receiving_agency_id, self.holder_agency_id)

    def can_hand_refusal(self, user: User) -> bool:
        """Record that the refusal (slip 03) was handed to the citizen: the receiving desk's clerks."""
        return (self.status == Status.REFUSED and user.active and user.role == Role.CLERK
                and user.agency_id == self.receiving_agency_id)

    def can_rate(self, user: User) -> bool:
        """Rate the service: only the citizen does, as the system's guest (``actor=None``), never
        a user with a login, who would be rating their own work."""
        return False

    def __repr__(self) -> str:
        return f"<Dossier {self.code} {self.step}>"


#: events that record something about a dossier without moving it (step and holder unchanged)
STAY_ACTIONS = ("assign", "extend", "consult", "consult_answer", "attach", "detach", "refusal_handed", "fee", "refund",
                "e_result", "reorganise")
#: labels of events that are not actions of a procedure's steps
EVENT_LABELS = {"receive": _l("Tiếp nhận"), "assign": _l("Phân công"), "extend": _l("Gia hạn hẹn trả"),
                "consult": _l("Xin ý kiến"), "consult_answer": _l("Trả lời xin ý kiến"),
                "attach": _l("Đính kèm tệp"), "detach": _l("Gỡ tệp đính kèm"),
                "refusal_handed": _l("Giao phiếu từ chối (mẫu 03)"),
                "fee": _l("Thu phí, lệ phí"), "refund": _l("Hoàn trả phí, lệ phí"),
                "e_result": _l("Tải lên kết quả điện tử"),
                "reorganise": _l("Chuyển giao do sắp xếp đơn vị hành chính")}


class DossierEvent(db.Model):
    """One line of a dossier's history: who did what, when, from where to where."""

    __tablename__ = "dossier_events"
    __table_args__ = (
        # the supplement requests an agency made (inbox "waiting" tab: dossiers it asked about)
        Index("ix_dossier_events_supplement_from", "from_agency_id", "dossier_id",
              postgresql_where=text("action = 'request_supplement'"),
              sqlite_where=text("action = 'request_supplement'")),
        # the scope's "handled by one of these agencies" (``scope.dossier_scope``), read from the index alone
        Index("ix_dossier_events_dossier_to_agency", "dossier_id", "to_agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=clock.now)
    #: the action name (``receive``, ``forward``, ``assign``…)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_step: Mapped[str | None] = mapped_column(String(60))
    to_step: Mapped[str] = mapped_column(String(60))
    from_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    #: the absent colleague the actor stood in for ("X thay mặt Y"), if any
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="events")

    @hybrid_property
    def is_move(self) -> bool:
        """Receiving or an action that moved the dossier (not an assignment, extension or consultation)."""
        return self.action not in STAY_ACTIONS

    @is_move.inplace.expression
    @classmethod
    def _is_move_expression(cls):
        return cls.action.not_in(STAY_ACTIONS)

    def label(self, procedure) -> str:
        """The button label of the step action, or the name of a non-workflow event."""
        action = procedure.step(self.from_step).action(self.action) if self.from_step else None
        return str(action.label if action is not None else EVENT_LABELS.get(self.action, self.action))
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    from_agency: Mapped[Agency | None] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])


class DailySequence(db.Model):
    """Last dossier number given out per agency and local day; bumped atomically by an upsert."""

    __tablename__ = "daily_sequences"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
