"""The forms of online applications: the citizen's filing (the desk intake's procedure, applicant
and delivery fields, a desk, a file per document) and the desk's decision on it."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from onestop.core import storage
from onestop.core.forms import MultiCheckboxField
from onestop.dossiers.forms import ApplicationForm
from onestop.workflows.definition import Procedure


def file_field_name(document_key: str) -> str:
    return f"file_{document_key}"


class OnlineApplicationForm(ApplicationForm):
    """Same procedure, applicant and delivery fields and validators as the desk intake.

    Instead of the desk's checkbox list of documents handed in, each checklist document of the
    chosen procedure has a file input (``file_<key>``), checked in ``validate()`` with the
    attachment rules (type read from the content, size limit).
    """

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
                if document.required or (document.on_behalf and self.on_behalf.data):
                    self.file_errors[document.key] = [_("Tải lên tệp của giấy tờ bắt buộc này.")]
                continue
            data = upload.read(storage.max_bytes() + 1)
            problem = storage.problem(data)
            if problem:
                self.file_errors[document.key] = [problem]
            else:
                self.uploads.append((document.key, upload.filename, data))
        if self.file_errors:
            self.uploads = []
        elif not self.uploads:
            self.file_errors[""] = [_("Tải lên ít nhất một tệp.")]
        return not self.file_errors


class AcceptOnlineForm(FlaskForm):
    documents = MultiCheckboxField(_l("Giấy tờ hợp lệ"), validate_choice=False)


class RefuseOnlineForm(FlaskForm):
    reason = TextAreaField(_l("Lý do từ chối tiếp nhận"), validators=[
        DataRequired(_l("Nêu lý do từ chối tiếp nhận.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
