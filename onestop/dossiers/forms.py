"""The form fields of an application for a procedure, shared by the desk's intake and online filing:
the procedure, the applicant (a person or an organisation), the submitter filing on their behalf,
the procedure's own data, how the result goes back.

Every ID and phone goes through ``core/identity.py`` (``Normalised``): what is stored is one form,
whatever digits and separators were typed.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, StopValidation, ValidationError

from onestop.core import identity
from onestop.core.forms import Normalised
from onestop.dossiers.applicant import Applicant, ApplicantKind, Submitter
from onestop.dossiers.models import Delivery
from onestop.workflows.definition import Procedure


def detail_field_name(key: str) -> str:
    """The input of a procedure's own field (``[[fields]]`` of its file)."""
    return f"detail_{key}"


class OnlyWhen:
    """The field counts only when ``test(form)`` (an organisation's tax code, a submitter's ID): otherwise
    its value is dropped and nothing is checked; when it counts and is blank, ``message``."""

    def __init__(self, test, message=None):
        self.test, self.message = test, message

    def __call__(self, form, field) -> None:
        if not self.test(form):
            field.data = None
            raise StopValidation()
        if isinstance(field.data, str):
            field.data = field.data.strip()
        if not field.data:
            if self.message is None:
                field.data = None
                raise StopValidation()
            raise StopValidation(str(self.message))


def _person(form) -> bool:
    return form.applicant_kind.data != ApplicantKind.ORGANISATION.value


def _organisation(form) -> bool:
    return form.applicant_kind.data == ApplicantKind.ORGANISATION.value


def _on_behalf(form) -> bool:
    return bool(form.on_behalf.data)


class ApplicationForm(FlaskForm):
    """A procedure chosen from ``procedures``, the applicant's details and the delivery of the result."""

    procedure_code = SelectField(_l("Thủ tục hành chính"), validators=[DataRequired(_l("Chọn thủ tục."))],
                                 validate_choice=False)
    applicant_kind = RadioField(_l("Người yêu cầu là"), default=ApplicantKind.PERSON.value,
                                choices=[SelectChoice(ApplicantKind.PERSON.value, _l("Cá nhân")),
                                         SelectChoice(ApplicantKind.ORGANISATION.value, _l("Tổ chức"))],
                                validate_choice=False,
                                validators=[Optional(), AnyOf([k.value for k in ApplicantKind],
                                                              _l("Chọn cá nhân hoặc tổ chức."))])
    applicant_id_number = StringField(_l("Số định danh cá nhân (CCCD)"), validators=[
        OnlyWhen(_person, _l("Nhập số định danh cá nhân.")), Normalised(identity.personal_id)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    applicant_tax_code = StringField(_l("Mã số thuế"), validators=[
        OnlyWhen(_organisation, _l("Nhập mã số thuế của tổ chức.")), Normalised(identity.tax_code)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    applicant_name = StringField(_l("Họ và tên người nộp"), validators=[
        DataRequired(_l("Nhập họ và tên.")), Length(max=200, message=_l("Tối đa 200 ký tự."))])
    applicant_representative = StringField(_l("Người đại diện theo pháp luật"), validators=[
        OnlyWhen(_organisation, _l("Nhập họ tên người đại diện theo pháp luật.")),
        Length(max=200, message=_l("Tối đa 200 ký tự."))])
    applicant_phone = StringField(_l("Số điện thoại"), validators=[
        DataRequired(_l("Nhập số điện thoại.")), Normalised(identity.phone)],
        render_kw={"inputmode": "tel", "autocomplete": "off"})
    applicant_email = StringField(_l("Thư điện tử"), validators=[
        Optional(), Email(_l("Địa chỉ thư điện tử không hợp lệ.")), Length(max=200)])
    applicant_address = StringField(_l("Địa chỉ"), validators=[
        DataRequired(_l("Nhập địa chỉ.")), Length(max=300, message=_l("Tối đa 300 ký tự."))])
    on_behalf = BooleanField(_l("Người khác nộp thay, có văn bản ủy quyền"))
    submitter_name = StringField(_l("Họ và tên người nộp thay"), validators=[
        OnlyWhen(_on_behalf, _l("Nhập họ và tên người nộp thay.")), Length(max=200, message=_l("Tối đa 200 ký tự."))])
    submitter_id_number = StringField(_l("Số định danh cá nhân người nộp thay"), validators=[
        OnlyWhen(_on_behalf, _l("Nhập số định danh cá nhân người nộp thay.")), Normalised(identity.personal_id)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submitter_phone = StringField(_l("Số điện thoại người nộp thay"), validators=[
        OnlyWhen(_on_behalf), Normalised(identity.phone)], render_kw={"inputmode": "tel", "autocomplete": "off"})
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
        #: the procedure's own data, parsed (``details``), and what the inputs showed (``detail_inputs``)
        self.details: dict = {}
        self.detail_inputs: dict[str, str] = {}
        self.detail_errors: dict[str, list[str]] = {}

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        self._formdata = self.meta.wrap_formdata(self, formdata)  # FlaskForm's request.form, when POSTed

    @property
    def procedure(self) -> Procedure | None:
        return self.procedures.get(self.procedure_code.data or "")

    def validate_procedure_code(self, field) -> None:
        if field.data not in self.procedures:
            raise ValidationError(_("Thủ tục không có trong danh mục."))

    def validate_on_behalf(self, field) -> None:
        procedure = self.procedure
        if field.data and procedure is not None and not procedure.takes_submitters:
            raise ValidationError(_("Thủ tục này không nhận hồ sơ nộp thay: người yêu cầu phải tự nộp."))

    def validate(self, extra_validators=None) -> bool:
        fields_ok = super().validate(extra_validators)
        details_ok = self._validate_details()
        return fields_ok and details_ok

    def _validate_details(self) -> bool:
        """Parse the chosen procedure's own fields (``detail_<key>``) with their declared rules."""
        procedure = self.procedure
        self.details, self.detail_errors = {}, {}
        if procedure is None:
            return True
        formdata = self._formdata or {}
        for spec in procedure.fields:
            text = formdata.get(detail_field_name(spec.key), "") if formdata else ""
            self.detail_inputs[spec.key] = text
            try:
                value = spec.parse(text)
            except ValueError as exc:
                self.detail_errors[spec.key] = [str(exc)]
                continue
            if value is not None:
                self.details[spec.key] = value
        return not self.detail_errors

    @property
    def applicant(self) -> Applicant:
        organisation = _organisation(self)
        submitter = None
        if self.on_behalf.data:
            submitter = Submitter(name=self.submitter_name.data.strip(), id_number=self.submitter_id_number.data,
                                  phone=self.submitter_phone.data or None)
        return Applicant(
            name=self.applicant_name.data.strip(), id_number=None if organisation else self.applicant_id_number.data,
            phone=self.applicant_phone.data, address=self.applicant_address.data.strip(),
            email=self.applicant_email.data or None,
            kind=ApplicantKind.ORGANISATION if organisation else ApplicantKind.PERSON,
            tax_code=self.applicant_tax_code.data if organisation else None,
            representative=(self.applicant_representative.data or "").strip() or None if organisation else None,
            submitter=submitter)
