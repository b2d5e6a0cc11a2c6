"""Forms of the apology and extension (slip 04): the holder's request, the supervisor's decision."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from onestop.core.forms import DayField
from onestop.dossiers.models import Dossier
from onestop.extension_requests.operations import new_date_problem


class ExtensionRequestForm(FlaskForm):
    new_date = DayField(_l("Ngày hẹn trả kết quả mới"), _l("Chọn ngày hẹn trả kết quả mới."))
    reason = TextAreaField(_l("Lý do chậm trễ (in trên phiếu xin lỗi)"), validators=[
        InputRequired(_l("Nêu rõ lý do chậm trễ.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])

    def __init__(self, dossier: Dossier, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def validate_reason(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_("Nêu rõ lý do chậm trễ."))

    def validate_new_date(self, field) -> None:
        problem = new_date_problem(self.dossier, field.data)
        if problem:
            raise ValidationError(problem)


class ExtensionDecisionForm(FlaskForm):
    decision = HiddenField(validators=[InputRequired(_l("Chọn duyệt hoặc không duyệt.")),
                                       AnyOf(("approve", "reject"), _l("Chọn duyệt hoặc không duyệt."))])
    note = TextAreaField(_l("Ý kiến của lãnh đạo"), validators=[Length(max=2000, message=_l("Tối đa 2000 ký tự."))])

    def validate_note(self, field) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_("Nêu lý do không duyệt."))
