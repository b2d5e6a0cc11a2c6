"""Files attached to a dossier by the desk or the staff who work on it (scans, drafts, results).

The file lives under ``instance/attachments/`` with a generated name (``attachment_store.py``);
this row is the only way to it, so it is served only through the dossier scope. A removed file
stays on disk and its row stays here, marked: the record keeps what was once attached.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.dossiers.models import Dossier
from onestop.extensions import db


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_with_who"),
        CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: the generated file name under the attachments folder (``yyyy/mm/<random>.<ext>``)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    #: the name the file had on the uploader's computer, for display and download only
    filename: Mapped[str] = mapped_column(String(200))
    #: the type read from the file's content, not the one the browser claimed
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
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
