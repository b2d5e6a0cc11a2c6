from datetime import date

from sqlalchemy import Date, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.core.models import TimestampMixin
from onestop.extensions import db


class Agency(TimestampMixin, db.Model):
    """A node of the agency tree: city committee, department, district, ward."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short unique code, the prefix of dossier codes (e.g. ``HB`` for Hồng Bàng)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: official name in Vietnamese
    name: Mapped[str] = mapped_column(String(200))
    #: one of the levels in ``structure.toml``
    level: Mapped[str] = mapped_column(String(30))
    #: comma-separated sectors this agency is competent for
    sectors: Mapped[str] = mapped_column(String(300), default="")
    #: whether the agency runs a one-stop reception desk
    has_desk: Mapped[bool] = mapped_column(default=False)
    #: a closed agency keeps its history but receives, holds and is given no new work
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: the day a reorganisation dissolved it (it is then closed, and keeps its name for history)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    #: the agency its work went to when dissolved (for a split, the one its staff and desk went to)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    #: materialised path of ids, ``/1/4/9/``, so a subtree is one prefix match
    path: Mapped[str] = mapped_column(String(500), index=True, default="/")

    parent: Mapped["Agency | None"] = relationship(remote_side=[id], back_populates="children",
                                                   foreign_keys=[parent_id])
    successor: Mapped["Agency | None"] = relationship(remote_side=[id], foreign_keys=[successor_id])
    children: Mapped[list["Agency"]] = relationship(back_populates="parent", foreign_keys=[parent_id])

    @property
    def sector_set(self) -> set[str]:
        return {s for s in self.sectors.split(",") if s}

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this agency (itself included)."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"
