"""The upload form of the dossier page."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import SelectField
from wtforms.validators import ValidationError

from onestop.core import storage


class AttachmentForm(FlaskForm):
    #: several pages or documents at once: all are kept, or none
    file = MultipleFileField(_l("Tệp"), validators=[FileRequired(_l("Chọn tệp cần đính kèm."))],
                             render_kw={"accept": ",".join("." + e for e in storage.ALLOWED_EXTENSIONS)})
    document = SelectField(_l("Là bản của giấy tờ"), choices=[], validate_choice=False)

    def __init__(self, procedure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.document.choices = [("", _l("— không thuộc giấy tờ nào —"))] + [(d.key, d.name) for d in procedure.documents]
        #: (file name, content) of each file, read once by the validation
        self.uploads: list[tuple[str, bytes]] = []

    def validate_file(self, field) -> None:
        limit = current_app.config["ONESTOP_ATTACHMENT_MAX_FILES"]
        if len(field.data) > limit:
            raise ValidationError(_("Tối đa %(num)s tệp một lần.", num=limit))
        problems = []
        for upload in field.data:
            data = upload.read(storage.max_bytes() + 1)
            problem = storage.problem(data)
            if problem:
                problems.append(f"{storage.display_name(upload.filename or '')}: {problem}"
                                if len(field.data) > 1 else problem)
            self.uploads.append((upload.filename or "", data))
        if problems:
            self.uploads = []
            raise ValidationError(" ".join(problems))

    def validate_document(self, field) -> None:
        if field.data and field.data not in {key for key, _label in self.document.choices}:
            raise ValidationError(_("Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
