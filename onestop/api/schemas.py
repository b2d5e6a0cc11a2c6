"""What the API takes and what it answers (marshmallow), documented in its OpenAPI document."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import fields

from onestop.api.fields import (
    Base64File,
    Choice,
    Email,
    List,
    Nested,
    OutSchema,
    Schema,
    Text,
    WholeNumber,
)
from onestop.dossiers.models import Channel, Delivery, Status

#: codes as the URL converters take them (``views_common.py``)
CODE_PATTERN = r"^[A-Za-z0-9._-]{1,40}$"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"
AGENCY_PATTERN = r"^[A-Za-z0-9._-]{1,20}$"
MAX_FILES = 20


def max_file_bytes() -> int:
    return int(current_app.config["ONESTOP_ATTACHMENT_MAX_MB"] * 1024 * 1024)


# --- shared pieces ----------------------------------------------------------------------------

class AgencyRef(OutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class HolderRef(AgencyRef):
    #: the agency stands for another system (a step held outside onestop)
    external = fields.Boolean(required=True)


class StepRef(OutSchema):
    key = fields.String(required=True)
    name = fields.String(required=True)


class ProcedureRef(OutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class ApplicantIn(Schema):
    name = Text(200, required=True)
    id_number = Text(12, required=True, pattern=r"^[0-9]{12}$",
                     pattern_message=_l("Số định danh cá nhân gồm đúng 12 chữ số."))
    phone = Text(13, required=True, pattern=r"^(0|\+84)[0-9]{9,10}$",
                 pattern_message=_l("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
    address = Text(300, required=True)
    email = Email(load_default=None, allow_none=True)


class ApplicantOut(OutSchema):
    name = fields.String(required=True)
    id_number = fields.String(required=True)
    phone = fields.String(required=True)
    address = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)


_CONTENT = {"description": "the file, base64-encoded: PDF, JPG, PNG, TIFF, DOCX, XLSX, ODT or ODS (the type is "
                       "read from the content), at most the attachment limit (10 MB by default)"}


class DocumentFileIn(Schema):
    """A file that is the copy of one checklist document."""
    document = Text(60, required=True, pattern=KEY_PATTERN,
                    metadata={"description": "the checklist document this file is a copy of"})
    filename = Text(200, required=True)
    content = Base64File(max_bytes=10 * 1024 * 1024, required=True, metadata=_CONTENT)


class FileIn(Schema):
    """A file, the copy of a checklist document or not."""
    document = Text(60, pattern=KEY_PATTERN, load_default=None, allow_none=True,
                    metadata={"description": "the checklist document this file is a copy of, if any"})
    filename = Text(200, required=True)
    content = Base64File(max_bytes=10 * 1024 * 1024, required=True, metadata=_CONTENT)


class FileOut(OutSchema):
    id = fields.Integer(required=True)
    document = fields.String(required=True, allow_none=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "GET it with the same token"})


class ActionOut(OutSchema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    to = fields.String(required=True, metadata={"description": "the step it leads to"})
    note_required = fields.Boolean(required=True)


# --- the catalogue ----------------------------------------------------------------------------

class ProcedureQuery(Schema):
    field = Text(100, metadata={"description": "only procedures of this field (as written in the catalogue)"})
    service_level = WholeNumber(2, 4, strict=False)


class ProcedureSummary(OutSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    field = fields.String(required=True)
    level = fields.String(required=True)
    service_level = fields.Integer(required=True)
    budget_days = fields.Float(required=True, metadata={"description": "the legal time, in working days"})
    fee = fields.String(required=True)
    version = fields.String(required=True, metadata={
        "description": "changes whenever the procedure's definition changes (a digest of it)"})
    online = fields.Boolean(required=True, metadata={"description": "may be filed online (service level 3 or 4)"})


class ProcedureList(OutSchema):
    items = fields.List(fields.Nested(ProcedureSummary), required=True)


class DocumentOut(OutSchema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    form = fields.String(required=True)
    required = fields.Boolean(required=True)
    copies = fields.Integer(required=True)


class StepOut(OutSchema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "work, supplement (the clock stops) or final"})
    holder = fields.String(required=True, metadata={"description": "the holder rule of the procedure file"})
    external_system = fields.String(required=True, allow_none=True,
                                    metadata={"description": "the other system holding the step, if any"})
    role = fields.String(required=True)
    hours = fields.Float(required=True, metadata={"description": "the step's budget in working hours (8 h a day)"})
    days = fields.Float(required=True)
    outcome = fields.String(required=True, allow_none=True)
    branch = fields.Boolean(required=True, metadata={"description": "re-work, outside the budget"})
    actions = fields.List(fields.Nested(ActionOut), required=True)


class ProcedureDetail(ProcedureSummary):
    notes = fields.String(required=True)
    cutoff = fields.String(required=True, allow_none=True,
                           metadata={"description": "HH:MM: received later, counted from the next working day"})
    documents = fields.List(fields.Nested(DocumentOut), required=True)
    steps = fields.List(fields.Nested(StepOut), required=True)
    desks = fields.List(fields.Nested(AgencyRef), required=True, metadata={
        "description": "the desks in the caller's scope that can receive it"})


# --- online applications ----------------------------------------------------------------------

class ApplicationIn(Schema):
    procedure_code = Text(20, required=True, pattern=AGENCY_PATTERN)
    desk = Text(20, required=True, pattern=AGENCY_PATTERN, metadata={"description": "the receiving desk's agency code"})
    competent_agency = Text(20, pattern=AGENCY_PATTERN, load_default=None, allow_none=True, metadata={
        "description": "the code of the unit competent to decide, when not the desk's own (reception regardless of "
                       "administrative boundary); its steps resolve from it, the result comes back to the desk"})
    applicant = Nested(ApplicantIn, required=True)
    delivery_method = Choice([d.value for d in Delivery], load_default=Delivery.DESK.value)
    files = List(Nested(DocumentFileIn), required=True, min_items=1, max_items=MAX_FILES,
                 metadata={"description": "one file per checklist document, the required ones at least"})


class ApplicationOut(OutSchema):
    reference = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "submitted, accepted or refused"})
    status_label = fields.String(required=True)
    procedure = fields.Nested(ProcedureRef, required=True)
    desk = fields.Nested(AgencyRef, required=True)
    documents = fields.List(fields.String(), required=True)
    submitted_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(required=True, allow_none=True)
    refusal_reason = fields.String(required=True, allow_none=True)
    dossier_code = fields.String(required=True, allow_none=True, metadata={"description": "once accepted"})


# --- dossiers ---------------------------------------------------------------------------------

class HandoverIn(Schema):
    sender_reference = Text(100, required=True, metadata={
        "description": "the sending system's own reference of the dossier; once per sender"})
    procedure_code = Text(20, required=True, pattern=AGENCY_PATTERN)
    desk = Text(20, required=True, pattern=AGENCY_PATTERN, metadata={"description": "the receiving desk's agency code"})
    competent_agency = Text(20, pattern=AGENCY_PATTERN, load_default=None, allow_none=True, metadata={
        "description": "the code of the unit competent to decide, when not the desk's own (reception regardless of "
                       "administrative boundary); its steps resolve from it, the result comes back to the desk"})
    applicant = Nested(ApplicantIn, required=True)
    documents = List(Text(60, pattern=KEY_PATTERN), required=True, max_items=50,
                     metadata={"description": "the checklist documents handed over (keys)"})
    delivery_method = Choice([d.value for d in Delivery], load_default=Delivery.DESK.value)
    note = Text(2000, multiline=True, load_default=None, allow_none=True)
    files = List(Nested(FileIn), load_default=list, max_items=MAX_FILES)


class HistoryOut(OutSchema):
    at = fields.DateTime(required=True)
    action = fields.String(required=True)
    label = fields.String(required=True)
    step = fields.Nested(StepRef, required=True)
    agency = fields.Nested(AgencyRef, required=True)


class DossierOut(OutSchema):
    code = fields.String(required=True)
    procedure = fields.Nested(ProcedureRef, required=True)
    channel = fields.String(required=True, metadata={"enum": [c.value for c in Channel]})
    status = fields.String(required=True, metadata={"enum": [s.value for s in Status]})
    status_label = fields.String(required=True)
    step = fields.Nested(StepRef, required=True)
    holder = fields.Nested(HolderRef, required=True)
    receiving_agency = fields.Nested(AgencyRef, required=True)
    competent_agency = fields.Nested(AgencyRef, required=True, allow_none=True, metadata={
        "description": "the unit deciding it when another desk received it (reception regardless of boundary)"})
    received_at = fields.DateTime(required=True)
    due_at = fields.DateTime(required=True, metadata={"description": "the appointment (moves while the clock stops)"})
    step_due_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    paused = fields.Boolean(required=True, metadata={"description": "waiting for the citizen: the clock is stopped"})
    overdue = fields.Boolean(required=True)
    sender_reference = fields.String(required=True, allow_none=True,
                                     metadata={"description": "the sender's reference, for a dossier handed over"})
    history = fields.List(fields.Nested(HistoryOut), required=True, metadata={
        "description": "the public history: each receipt and move, its step and agency"})


# --- steps held by other systems --------------------------------------------------------------

class PageQuery(Schema):
    limit = WholeNumber(1, 200, strict=False, load_default=50)
    after = WholeNumber(0, 2**31 - 1, strict=False, load_default=0, metadata={
        "description": "the cursor of the previous page (``next``)"})


class WorkSummary(OutSchema):
    code = fields.String(required=True)
    procedure = fields.Nested(ProcedureRef, required=True)
    step = fields.Nested(StepRef, required=True)
    arrived_at = fields.DateTime(required=True)
    step_due_at = fields.DateTime(required=True, allow_none=True)


class WorkList(OutSchema):
    items = fields.List(fields.Nested(WorkSummary), required=True)
    next = fields.Integer(required=True, allow_none=True, metadata={"description": "pass as ``after``; null: the end"})


class WorkItem(OutSchema):
    dossier = fields.Nested(DossierOut, required=True)
    applicant = fields.Nested(ApplicantOut, required=True)
    documents = fields.List(fields.String(), required=True)
    files = fields.List(fields.Nested(FileOut), required=True)
    actions = fields.List(fields.Nested(ActionOut), required=True, metadata={
        "description": "the outcomes the system may post now"})


class OutcomeIn(Schema):
    action = Text(40, required=True, pattern=KEY_PATTERN, metadata={"description": "one of the work item's actions"})
    note = Text(2000, multiline=True, load_default=None, allow_none=True)
    files = List(Nested(FileIn), load_default=list, max_items=MAX_FILES,
                 metadata={"description": "result files (the tax notice…), attached to the dossier"})


class IdempotencyHeader(Schema):
    class Meta:
        unknown = "exclude"

    key = Text(100, data_key="Idempotency-Key", pattern=r"^[A-Za-z0-9._-]{1,100}$", metadata={
        "description": "the same key with the same body answers the first answer again"})


class RequiredIdempotencyHeader(IdempotencyHeader):
    key = Text(100, data_key="Idempotency-Key", required=True, pattern=r"^[A-Za-z0-9._-]{1,100}$", metadata={
        "description": "required: the same key with the same body answers the first answer again"})
