"""The applicant: who the result is for. A dossier and an online application record the same
details with the same columns, and the desk, online filing and the verbs pass them as one value."""
from dataclasses import dataclass

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    phone: str
    address: str
    email: str | None = None

    def columns(self) -> dict:
        """The values of ``ApplicantColumns`` for a new row."""
        return {"applicant_name": self.name, "applicant_id_number": self.id_number,
                "applicant_phone": self.phone, "applicant_email": self.email or None,
                "applicant_address": self.address}


class ApplicantColumns:
    applicant_name: Mapped[str] = mapped_column(String(200))
    #: 12-digit citizen identification number
    applicant_id_number: Mapped[str] = mapped_column(String(12))
    applicant_phone: Mapped[str] = mapped_column(String(20))
    applicant_email: Mapped[str | None] = mapped_column(String(200))
    applicant_address: Mapped[str] = mapped_column(String(300))

    @property
    def applicant(self) -> Applicant:
        return Applicant(name=self.applicant_name, id_number=self.applicant_id_number, phone=self.applicant_phone,
                         address=self.applicant_address, email=self.applicant_email)
