from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from onestop.core.forms import DayField
from onestop.workflows.definition import Procedure


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class IntakeForm(FlaskForm):
    """A walk-in dossier at the desk; the checklist depends on the chosen procedure."""

    procedure_code = SelectField(_l("Thủ tục hành chính"), validators=[DataRequired(_l("Chọn thủ tục."))],
                                 validate_choice=False)
    applicant_name = StringField(_l("Họ và tên người nộp"), validators=[
        DataRequired(_l("Nhập họ và tên.")), Length(max=200, message=_l("Tối đa 200 ký tự."))])
    applicant_id_number = StringField(_l("Số định danh cá nhân (CCCD)"), validators=[
        DataRequired(_l("Nhập số định danh cá nhân.")),
        Regexp(r"^\d{12}$", message=_l("Số định danh cá nhân gồm đúng 12 chữ số."))])
    applicant_phone = StringField(_l("Số điện thoại"), validators=[
        DataRequired(_l("Nhập số điện thoại.")),
        Regexp(r"^(0|\+84)\d{9,10}$", message=_l("Số điện thoại không hợp lệ (ví dụ 0912345678)."))])
    applicant_email = StringField(_l("Thư điện tử"), validators=[
        Optional(), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), Length(max=200)])
    applicant_address = StringField(_l("Địa chỉ"), validators=[
        DataRequired(_l("Nhập địa chỉ.")), Length(max=300, message=_l("Tối đa 300 ký tự."))])
    documents = MultiCheckboxField(_l("Giấy tờ đã nhận"), validate_choice=False)
    delivery_method = RadioField(_l("Hình thức nhận kết quả"), default="desk",
                                 choices=[SelectChoice("desk", _l("Tại bộ phận một cửa")),
                                          SelectChoice("post", _l("Qua bưu chính công ích"))],
                                 validate_choice=False,
                                 validators=[DataRequired(_l("Chọn hình thức nhận kết quả.")),
                                             AnyOf(("desk", "post"), _l("Hình thức nhận kết quả không hợp lệ."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def __init__(self, procedures: dict[str, Procedure], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedures = procedures
        self.procedure_code.choices = [SelectChoice("", _("— Chọn thủ tục —"))] + [
            SelectChoice(p.code, f"{p.code} · {p.name}", optgroup=p.field) for p in procedures.values()]

    def validate_procedure_code(self, field) -> None:
        if field.data not in self.procedures:
            raise ValidationError(_("Thủ tục không có trong danh mục."))

    def validate_documents(self, field) -> None:
        procedure = self.procedures.get(self.procedure_code.data)
        if procedure is None:
            return
        keys = {d.key for d in procedure.documents}
        if set(field.data) - keys:
            raise ValidationError(_("Có giấy tờ không thuộc thủ tục đã chọn."))
        missing = [d.name for d in procedure.required_documents() if d.key not in field.data]
        if missing:
            raise ValidationError(_("Còn thiếu giấy tờ bắt buộc: %(documents)s", documents="; ".join(missing)))


class ReturnResultForm(FlaskForm):
    """Handing the result back; which field is needed depends on the delivery method chosen at intake."""

    recipient = StringField(_l("Họ tên người nhận kết quả"), validators=[Optional(), Length(max=200)])
    waybill = StringField(_l("Số vận đơn bưu chính"), validators=[
        Optional(), Regexp(r"^[A-Za-z0-9-]{6,40}$", message=_l("Số vận đơn gồm 6–40 chữ, số hoặc dấu gạch."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])


class LedgerForm(FlaskForm):
    """Period of the tracking ledger (slip 07), local dates; sent by GET, so it carries no token."""

    MAX_DAYS = 366
    start = DayField(_l("Từ ngày"), _l("Nhập ngày bắt đầu."))
    end = DayField(_l("Đến ngày"), _l("Nhập ngày kết thúc."))

    def validate_end(self, field) -> None:
        if self.start.data is None or field.data is None:
            return
        if field.data < self.start.data:
            raise ValidationError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
        if (field.data - self.start.data).days >= self.MAX_DAYS:
            raise ValidationError(_("Mỗi lần xuất sổ tối đa 366 ngày."))
