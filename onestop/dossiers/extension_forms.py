"""Forms of the apology and extension (slip 04): the holder's request, the supervisor's decision."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from onestop.dossiers.models import Dossier


class NewAppointmentField(DateField):
    """A date picker (``yyyy-mm-dd``) that also takes a typed ``dd/mm/yyyy``."""

    def __init__(self, label: str, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"],
                         validators=[InputRequired(_l("Chọn ngày hẹn trả kết quả mới."))],
                         invalid_value_message=_l("Ngày không hợp lệ (ngày/tháng/năm)."), **kwargs)

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if valuelist:
            super().process_formdata(valuelist)


class ExtensionRequestForm(FlaskForm):
    new_date = NewAppointmentField(_l("Ngày hẹn trả kết quả mới"))
    reason = TextAreaField(_l("Lý do chậm trễ (in trên phiếu xin lỗi)"), validators=[
        InputRequired(_l("Nêu rõ lý do chậm trễ.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])

    def __init__(self, dossier: Dossier, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def validate_reason(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_("Nêu rõ lý do chậm trễ."))

    def validate_new_date(self, field) -> None:
        from onestop.dossiers.operations import new_date_problem

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
