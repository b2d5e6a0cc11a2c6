"""The fee fields of the desk's forms: the counts a fee per page or per copy needs, how a payment
was made, a refund."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, StopValidation, ValidationError

from onestop.core.forms import WholeNumberField
from onestop.fees.models import METHOD_LABELS, Method
from onestop.workflows.fee_schedule import MAX_COPIES, MAX_PAGES

_METHODS = [SelectChoice(m.value, METHOD_LABELS[m]) for m in Method]


class TransferReference:
    """The transfer's reference is required for a transfer and dropped for cash."""

    def __init__(self, method_field: str):
        self.method_field = method_field

    def __call__(self, form, field) -> None:
        if form[self.method_field].data != Method.TRANSFER.value:
            field.data = None
            raise StopValidation()
        field.data = (field.data or "").strip()
        if not field.data:
            raise StopValidation(str(_l("Nhập mã giao dịch chuyển khoản.")))


class FeeCountsFields(FlaskForm):
    """The counts of a fee per page or per copy (shown when the chosen procedure has one)."""

    fee_pages = WholeNumberField(_l("Số trang mỗi bản"), render_kw={"inputmode": "numeric"})
    fee_copies = WholeNumberField(_l("Số bản"), render_kw={"inputmode": "numeric"})

    def fee_counts_needed(self) -> set[str]:
        """``pages`` and/or ``copies``: what the chosen procedure's fees are counted on."""
        return set()

    def validate_fee_pages(self, field) -> None:
        _count(field, "pages" in self.fee_counts_needed(), MAX_PAGES, _l("Nhập số trang mỗi bản để tính phí."),
               _l("Từ 1 đến %(max)s trang."))

    def validate_fee_copies(self, field) -> None:
        if field.data is None and not (field.raw_data and field.raw_data[0].strip()):
            field.data = 1  # left blank: one copy
        _count(field, "copies" in self.fee_counts_needed(), MAX_COPIES, _l("Nhập số bản để tính phí."),
               _l("Từ 1 đến %(max)s bản."))


def _count(field, needed: bool, largest: int, missing, out_of_range) -> None:
    """A count the fee needs: given (when ``needed``), and from 1 to ``largest``; ignored otherwise."""
    if not needed:
        field.data = None
        return
    if field.data is None:
        raise ValidationError(str(missing))
    if not 1 <= field.data <= largest:
        raise ValidationError(str(out_of_range) % {"max": largest})


class PaymentFields(FlaskForm):
    """How the fees due now were paid."""

    payment_method = RadioField(_l("Hình thức nộp phí, lệ phí"), default=Method.CASH.value, choices=_METHODS,
                                validate_choice=False, validators=[
                                    DataRequired(_l("Chọn hình thức nộp.")),
                                    AnyOf([m.value for m in Method], _l("Chọn tiền mặt hoặc chuyển khoản."))])
    payment_reference = StringField(_l("Mã giao dịch chuyển khoản"), validators=[
        TransferReference("payment_method"), Length(max=60, message=_l("Tối đa 60 ký tự."))],
        render_kw={"autocomplete": "off"})


class CollectForm(PaymentFields):
    """Collect what is still unpaid, from the dossier page."""


class RefundForm(FlaskForm):
    refund_method = RadioField(_l("Hình thức hoàn trả"), default=Method.CASH.value, choices=_METHODS,
                               validate_choice=False, validators=[
                                   DataRequired(_l("Chọn hình thức hoàn trả.")),
                                   AnyOf([m.value for m in Method], _l("Chọn tiền mặt hoặc chuyển khoản."))])
    refund_reference = StringField(_l("Mã giao dịch chuyển khoản"), validators=[
        TransferReference("refund_method"), Length(max=60, message=_l("Tối đa 60 ký tự."))])
    refund_reason = TextAreaField(_l("Lý do hoàn trả"), default="Hồ sơ bị từ chối", validators=[
        DataRequired(_l("Nêu lý do hoàn trả.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
