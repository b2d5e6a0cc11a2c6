"""Files attached to a dossier by the desk or the staff who work on it (scans, drafts, results).

The file lives under ``instance/attachments/`` with a generated name (``core/storage.py``);
this row is the only way to it, so it is served only through the dossier scope. A removed file
stays on disk and its row stays here, marked: the record keeps what was once attached.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import Role, User
from onestop.core import clock
from onestop.core.storage import StoredFileColumns
from onestop.dossiers.models import Dossier
from onestop.extensions import db


class Attachment(StoredFileColumns, db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_with_who"),
        CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: the checklist document this file is a copy of, if any (a key of the procedure's documents)
    document: Mapped[str | None] = mapped_column(String(60))
    #: None: the citizen, who uploaded it with an online application the desk accepted
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the uploader's agency at the time (for a citizen's file, the desk that accepted it)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    agency: Mapped[Agency] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def can_remove(self, user: User) -> bool:
        """Whoever uploaded it, or a supervisor of the agency it was uploaded at, while the dossier is open."""
        return (self.removed_at is None and self.dossier.is_open and user.active
                and (self.uploaded_by_id == user.id
                     or (user.role == Role.SUPERVISOR and user.agency_id == self.agency_id)))
