"""The upload form of the dossier page."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import ValidationError

from onestop.dossiers import attachment_store


class AttachmentForm(FlaskForm):
    file = FileField(_l("Tệp"), validators=[FileRequired(_l("Chọn tệp cần đính kèm."))],
                     render_kw={"accept": ",".join("." + e for e in attachment_store.ALLOWED_EXTENSIONS)})
    document = SelectField(_l("Là bản của giấy tờ"), choices=[], validate_choice=False)

    def __init__(self, procedure, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.document.choices = [("", _l("— không thuộc giấy tờ nào —"))] + [(d.key, d.name) for d in procedure.documents]
        self.data_bytes = b""

    def validate_file(self, field) -> None:
        """Read the upload once; its bytes are what the operation stores."""
        self.data_bytes = field.data.read(attachment_store.max_bytes() + 1)
        problem = attachment_store.problem(self.data_bytes)
        if problem:
            raise ValidationError(problem)

    def validate_document(self, field) -> None:
        if field.data and field.data not in {key for key, _label in self.document.choices}:
            raise ValidationError(_("Giấy tờ không có trong thành phần hồ sơ của thủ tục."))
