import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
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
    password_hash: Mapped[str] = mapped_column(String(300))
    #: what the user does: desk clerk, officer, supervisor (agency leader), admin
    role: Mapped[Role] = mapped_column(str_enum(Role))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: an inactive user cannot log in and gets no work
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
