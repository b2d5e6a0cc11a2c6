"""The form fields of an application for a procedure, shared by the desk's intake and online filing:
the procedure, the applicant, how the result goes back."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, Regexp, ValidationError

from onestop.dossiers.applicant import Applicant
from onestop.dossiers.models import Delivery
from onestop.workflows.definition import Procedure


class ApplicationForm(FlaskForm):
    """A procedure chosen from ``procedures``, the applicant's details and the delivery of the result."""

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
    delivery_method = RadioField(_l("Hình thức nhận kết quả"), default=Delivery.DESK.value,
                                 choices=[SelectChoice(Delivery.DESK.value, _l("Tại bộ phận một cửa")),
                                          SelectChoice(Delivery.POST.value, _l("Qua bưu chính công ích"))],
                                 validate_choice=False,
                                 validators=[DataRequired(_l("Chọn hình thức nhận kết quả.")),
                                             AnyOf([d.value for d in Delivery], _l("Hình thức nhận kết quả không hợp lệ."))])

    def __init__(self, procedures: dict[str, Procedure], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedures = procedures
        self.procedure_code.choices = [SelectChoice("", _("— Chọn thủ tục —"))] + [
            SelectChoice(p.code, f"{p.code} · {p.name}", optgroup=p.field) for p in procedures.values()]

    @property
    def procedure(self) -> Procedure | None:
        return self.procedures.get(self.procedure_code.data or "")

    def validate_procedure_code(self, field) -> None:
        if field.data not in self.procedures:
            raise ValidationError(_("Thủ tục không có trong danh mục."))

    @property
    def applicant(self) -> Applicant:
        return Applicant(name=self.applicant_name.data.strip(), id_number=self.applicant_id_number.data,
                         phone=self.applicant_phone.data, address=self.applicant_address.data.strip(),
                         email=self.applicant_email.data or None)
