from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class SignedResultForm(FlaskForm):
    file = FileField(_l("Kết quả đã ký số (PDF)"), validators=[FileRequired(_l("Chọn tệp PDF đã ký số."))],
                     render_kw={"accept": ".pdf,application/pdf"})


class VerifyForm(FlaskForm):
    """The file to check against the issued result (sent by POST, nothing is kept)."""

    file = FileField(_l("Tệp cần kiểm tra"), validators=[FileRequired(_l("Chọn tệp cần kiểm tra."))],
                     render_kw={"accept": ".pdf,application/pdf"})
