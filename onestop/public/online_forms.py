"""The citizen's online application form: the desk intake's applicant fields, a desk, a file per document."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from onestop.dossiers import attachment_store
from onestop.dossiers.forms import IntakeForm
from onestop.workflows.definition import Procedure


def file_field_name(document_key: str) -> str:
    return f"file_{document_key}"


class OnlineApplicationForm(IntakeForm):
    """Same procedure, applicant and delivery fields and validators as the desk intake.

    The desk's checkbox list of documents handed in and its internal note are dropped; instead
    each checklist document of the chosen procedure has a file input (``file_<key>``), checked
    in ``validate()`` with the attachment rules (type read from the content, size limit).
    """

    documents = None
    note = None
    desk_id = SelectField(_l("Nơi tiếp nhận hồ sơ"), validators=[DataRequired(_l("Chọn nơi tiếp nhận hồ sơ."))],
                          validate_choice=False)

    def __init__(self, procedures: dict[str, Procedure], desks: dict[str, list], files: MultiDict, *args, **kwargs):
        """``desks``: per procedure code, the ``(id, name)`` of the desks that can receive it."""
        super().__init__(procedures, *args, **kwargs)
        self.desks = desks
        self.files = files
        procedure = self.procedure
        self.desk_id.choices = [SelectChoice("", _("— Chọn nơi tiếp nhận —"))] + [
            SelectChoice(str(i), name) for i, name in (desks.get(procedure.code, []) if procedure else [])]
        #: errors of the file inputs, per document key
        self.file_errors: dict[str, list[str]] = {}
        #: (document key, file name, content) of each file, read once by the validation
        self.uploads: list[tuple[str, str, bytes]] = []

    @property
    def procedure(self) -> Procedure | None:
        return self.procedures.get(self.procedure_code.data or "")

    def validate_desk_id(self, field) -> None:
        procedure = self.procedure
        if procedure is not None and field.data not in {str(i) for i, _name in self.desks.get(procedure.code, [])}:
            raise ValidationError(_("Nơi tiếp nhận này không tiếp nhận thủ tục đã chọn."))

    def validate(self, extra_validators=None) -> bool:
        fields_ok = super().validate(extra_validators)
        files_ok = self._validate_files()
        return fields_ok and files_ok

    def _validate_files(self) -> bool:
        procedure = self.procedure
        if procedure is None:
            return True
        for document in procedure.documents:
            upload = self.files.get(file_field_name(document.key))
            if upload is None or not upload.filename:
                if document.required:
                    self.file_errors[document.key] = [_("Tải lên tệp của giấy tờ bắt buộc này.")]
                continue
            data = upload.read(attachment_store.max_bytes() + 1)
            problem = attachment_store.problem(data)
            if problem:
                self.file_errors[document.key] = [problem]
            else:
                self.uploads.append((document.key, upload.filename, data))
        if self.file_errors:
            self.uploads = []
        elif not self.uploads:
            self.file_errors[""] = [_("Tải lên ít nhất một tệp.")]
        return not self.file_errors
