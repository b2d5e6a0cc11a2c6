"""The e-result: the signed result of a dossier (a PDF signed by the agency's leader), uploaded at the
signing step. Its SHA-256 is kept and shown; the citizen downloads it from the public look-up; a
public page, reached from the QR code on the result's cover, says whether a file is the one issued.

Every upload stays (a corrected file replaces the previous one, which is marked ``replaced_at``):
what was once issued can still be verified, and told apart from what is issued now.
"""
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onestop.agencies.models import Agency
from onestop.auth.models import User
from onestop.core import clock
from onestop.core.storage import StoredFileColumns
from onestop.dossiers.models import Dossier
from onestop.extensions import db


def new_token() -> str:
    return secrets.token_urlsafe(18)


class SignedResult(StoredFileColumns, db.Model):
    __tablename__ = "signed_results"
    __table_args__ = (CheckConstraint("size > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    #: in the verification address printed as a QR code on the cover: unguessable, so the page
    #: cannot be walked through dossier by dossier
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    #: the agency that issued it (the holder of the signing step)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: a later upload replaced it; the file still verifies as "issued, then replaced"
    replaced_at: Mapped[datetime | None]

    dossier: Mapped[Dossier] = relationship()
    agency: Mapped[Agency] = relationship()
    uploaded_by: Mapped[User] = relationship()

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None
