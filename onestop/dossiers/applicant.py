"""The applicant (who the result is for) and the submitter who filed on their behalf. A dossier and
an online application record the same details with the same columns, and the desk, online filing
and the verbs pass them as one value.

The applicant is a person (name, 12-digit personal ID) or an organisation (name, tax code, legal
representative). Someone else may file for them (người nộp thay): the submitter, with their own
name, ID and phone, and an authorisation document in the checklist (a document the procedure
marks ``on_behalf``). The public look-up asks for the last four digits of the applicant's ID (an
organisation's tax code), of the submitter's, or of either, as the procedure says (``lookup_by``).
"""
import enum
from dataclasses import dataclass, replace

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column


class ApplicantKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


#: whose digits the public look-up accepts (a procedure's ``lookup_by``)
LOOKUP_BY = ("applicant", "submitter", "either")


@dataclass(frozen=True)
class Submitter:
    """The person who filed on the applicant's behalf, with an authorisation."""

    name: str
    id_number: str
    phone: str | None = None


@dataclass(frozen=True)
class Applicant:
    name: str
    #: a person's 12-digit personal ID; None for an organisation
    id_number: str | None
    phone: str
    address: str
    email: str | None = None
    kind: ApplicantKind = ApplicantKind.PERSON
    #: an organisation's tax code (``0201234567`` or ``0201234567-001``)
    tax_code: str | None = None
    #: an organisation's legal representative (người đại diện theo pháp luật)
    representative: str | None = None
    submitter: Submitter | None = None

    @property
    def is_organisation(self) -> bool:
        return self.kind == ApplicantKind.ORGANISATION

    @property
    def number(self) -> str:
        """What identifies the applicant: the personal ID, or an organisation's tax code."""
        return (self.tax_code if self.is_organisation else self.id_number) or ""

    def lookup_numbers(self, lookup_by: str = "either") -> list[str]:
        """The numbers whose last four digits open the public look-up (only digits, tax code dash dropped)."""
        own = [self.number.replace("-", "")] if self.number else []
        theirs = [self.submitter.id_number] if self.submitter else []
        if lookup_by == "applicant":
            return own
        if lookup_by == "submitter":
            return theirs or own  # filed in person: the applicant is the submitter
        return own + theirs

    def opens_lookup(self, tail: str, lookup_by: str = "either") -> bool:
        return any(n.endswith(tail) for n in self.lookup_numbers(lookup_by))

    def without_submitter(self) -> "Applicant":
        return replace(self, submitter=None)

    def columns(self) -> dict:
        """The values of ``ApplicantColumns`` for a new row."""
        submitter = self.submitter
        return {"applicant_kind": ApplicantKind(self.kind), "applicant_name": self.name,
                "applicant_id_number": None if self.is_organisation else self.id_number,
                "applicant_tax_code": self.tax_code or None,
                "applicant_representative": (self.representative or None) if self.is_organisation else None,
                "applicant_phone": self.phone, "applicant_email": self.email or None,
                "applicant_address": self.address,
                "submitter_name": submitter.name if submitter else None,
                "submitter_id_number": submitter.id_number if submitter else None,
                "submitter_phone": (submitter.phone or None) if submitter else None}


def applicant_constraints() -> tuple[CheckConstraint, ...]:
    """The rules every table with ``ApplicantColumns`` keeps (its ``__table_args__`` take them)."""
    return (
        CheckConstraint("applicant_kind IN ('person', 'organisation')", name="applicant_kind_known"),
        CheckConstraint("applicant_kind <> 'person' OR applicant_id_number IS NOT NULL", name="person_has_id"),
        CheckConstraint("applicant_kind <> 'organisation' OR (applicant_tax_code IS NOT NULL "
                        "AND applicant_representative IS NOT NULL)", name="organisation_has_tax_code"),
        CheckConstraint("(submitter_name IS NULL) = (submitter_id_number IS NULL)", name="submitter_whole"),
    )


class ApplicantColumns:
    #: ``person`` or ``organisation``
    applicant_kind: Mapped[str] = mapped_column(String(12), default=ApplicantKind.PERSON.value,
                                                server_default=ApplicantKind.PERSON.value)
    #: a person's full name, or the organisation's name
    applicant_name: Mapped[str] = mapped_column(String(200))
    #: a person's 12-digit personal identification number; NULL for an organisation
    applicant_id_number: Mapped[str | None] = mapped_column(String(12))
    #: an organisation's tax code
    applicant_tax_code: Mapped[str | None] = mapped_column(String(14))
    #: an organisation's legal representative
    applicant_representative: Mapped[str | None] = mapped_column(String(200))
    #: national form, ``0912345678`` (``core/identity.phone``)
    applicant_phone: Mapped[str] = mapped_column(String(20))
    applicant_email: Mapped[str | None] = mapped_column(String(200))
    applicant_address: Mapped[str] = mapped_column(String(300))
    #: who filed on the applicant's behalf (người nộp thay), when someone did
    submitter_name: Mapped[str | None] = mapped_column(String(200))
    submitter_id_number: Mapped[str | None] = mapped_column(String(12))
    submitter_phone: Mapped[str | None] = mapped_column(String(20))

    @property
    def applicant(self) -> Applicant:
        submitter = (Submitter(self.submitter_name, self.submitter_id_number, self.submitter_phone)
                     if self.submitter_name else None)
        return Applicant(name=self.applicant_name, id_number=self.applicant_id_number, phone=self.applicant_phone,
                         address=self.applicant_address, email=self.applicant_email,
                         kind=ApplicantKind(self.applicant_kind or ApplicantKind.PERSON),
                         tax_code=self.applicant_tax_code, representative=self.applicant_representative,
                         submitter=submitter)

    @property
    def is_organisation(self) -> bool:
        return self.applicant_kind == ApplicantKind.ORGANISATION.value

    @property
    def applicant_number(self) -> str:
        """The personal ID, or an organisation's tax code."""
        return (self.applicant_tax_code if self.is_organisation else self.applicant_id_number) or ""
