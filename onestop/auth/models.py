import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from onestop.agencies.models import Agency
from onestop.core.models import TimestampMixin, str_enum
from onestop.extensions import db


class Role(enum.StrEnum):
    CLERK = "clerk"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    #: what the user does: desk clerk, officer, supervisor (agency leader), admin
    role: Mapped[Role] = mapped_column(str_enum(Role))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: an inactive user cannot log in and gets no work
    active: Mapped[bool] = mapped_column(default=True)
    #: bumped by a password change, a deactivation or a logout: every session made before stops
    #: working (each session keeps the number it was made with; ``auth/sessions.py``)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: a one-time password set by an administrator: it must be changed at the next login
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_changed_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def set_password(self, password: str, method: str | None = None) -> None:
        """Hash and keep ``password`` (``method``: werkzeug's, the default scrypt unless given)."""
        self.password_hash = generate_password_hash(password, **({"method": method} if method else {}))

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
