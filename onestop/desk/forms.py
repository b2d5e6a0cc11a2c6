"""The desk's forms: a walk-in or posted dossier (with its fees), the return of its result."""
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional, Regexp, StopValidation, ValidationError

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.forms import MultiCheckboxField
from onestop.core.identity import ascii_digits
from onestop.dossiers.forms import ApplicationForm, OnlyWhen
from onestop.dossiers.models import Channel
from onestop.fees.forms import FeeCountsFields, PaymentFields
from onestop.workflows.boundary import place_name
from onestop.workflows.fee_schedule import needs

#: how a dossier reaches the desk's own intake page
DESK_CHANNELS = (Channel.DESK.value, Channel.POST.value)
#: a posting day older than this is taken for a typing mistake
POSTED_WITHIN_DAYS = 366
WAYBILL = r"^[A-Za-z0-9-]{6,40}$"
WAYBILL_MESSAGE = _l("Số vận đơn gồm 6–40 chữ, số hoặc dấu gạch.")


def _by_post(form) -> bool:
    return form.channel.data == Channel.POST.value


class PostedOn:
    """The day the post office took the parcel: ``dd/mm/yyyy`` or ``yyyy-mm-dd``, not after today."""

    def __call__(self, form, field) -> None:
        text = ascii_digits(field.data or "").strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise StopValidation(_("Ngày không hợp lệ (ngày/tháng/năm)."))
        today = clock.now().astimezone(VN_TZ).date()
        if day > today:
            raise StopValidation(_("Ngày bưu điện nhận gửi không thể sau hôm nay."))
        if day < today - timedelta(days=POSTED_WITHIN_DAYS):
            raise StopValidation(_("Ngày bưu điện nhận gửi quá xa, kiểm tra lại."))
        field.data = day


class IntakeForm(ApplicationForm, FeeCountsFields, PaymentFields):
    """A dossier logged at the desk (handed in, or received by post); the checklist, the
    procedure's own fields and its fees depend on the chosen procedure."""

    documents = MultiCheckboxField(_l("Giấy tờ đã nhận"), validate_choice=False)
    channel = RadioField(_l("Hình thức nộp hồ sơ"), default=Channel.DESK.value,
                         choices=[SelectChoice(Channel.DESK.value, _l("Trực tiếp tại bộ phận một cửa")),
                                  SelectChoice(Channel.POST.value, _l("Qua bưu chính công ích"))],
                         validate_choice=False,
                         validators=[Optional(), AnyOf(DESK_CHANNELS, _l("Hình thức nộp hồ sơ không hợp lệ."))])
    intake_waybill = StringField(_l("Số vận đơn bưu chính (hồ sơ gửi đến)"), validators=[
        OnlyWhen(_by_post, _l("Nhập số vận đơn của bưu gửi.")), Regexp(WAYBILL, message=WAYBILL_MESSAGE)],
        render_kw={"autocomplete": "off"})
    posted_on = StringField(_l("Ngày bưu điện nhận gửi"), validators=[
        OnlyWhen(_by_post, _l("Nhập ngày bưu điện nhận gửi.")), PostedOn()], render_kw={"type": "date"})
    competent = SelectField(_l("Đơn vị có thẩm quyền giải quyết"), validate_choice=False, default="")
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def offer_competent(self, desk_name: str, units: list, choices: dict[str, tuple[int, ...]]) -> None:
        """The units this desk may receive dossiers for (``workflows/boundary.py``): ``units``
        (nodes), and for each procedure the ids of those that may decide it."""
        self.competent_for = choices
        self.competent_units = {u.id: u for u in units}
        self.competent.choices = [SelectChoice("", _("%(desk)s (nơi tiếp nhận)", desk=desk_name))] + [
            SelectChoice(str(u.id), u.name) for u in units]
        #: for the page: value, name, the place name an address would carry, the procedures it decides
        self.competent_offers = [(str(u.id), u.name, place_name(u.name),
                                  " ".join(code for code, ids in choices.items() if u.id in ids)) for u in units]

    def validate_competent(self, field) -> None:
        text = ascii_digits(field.data or "").strip()
        if not text:
            field.data = ""
            return
        units = getattr(self, "competent_units", {})
        if not text.isdecimal() or int(text) not in units:
            raise ValidationError(_("Chọn đơn vị có thẩm quyền trong danh sách."))
        field.data = text
        code = self.procedure_code.data
        if code and int(text) not in self.competent_for.get(code, ()):
            raise ValidationError(_("%(unit)s không giải quyết thủ tục đã chọn khi hồ sơ nộp tại đây.",
                                    unit=units[int(text)].name))

    @property
    def competent_id(self) -> int | None:
        return int(self.competent.data) if self.competent.data else None

    def validate_documents(self, field) -> None:
        procedure = self.procedure
        problem = (procedure.checklist_problem(field.data, on_behalf=bool(self.on_behalf.data))
                   if procedure is not None else None)
        if problem:
            raise ValidationError(problem)

    def validate_intake_waybill(self, field) -> None:
        if field.data:
            field.data = field.data.upper()

    def fee_counts_needed(self) -> set[str]:
        procedure = self.procedure
        return needs(procedure.fees) if procedure is not None else set()

    @property
    def posted_day(self) -> date | None:
        return self.posted_on.data if _by_post(self) else None


class ReturnResultForm(PaymentFields):
    """Handing the result back; which field is needed depends on the delivery method chosen at
    intake; the payment fields count when fees are still due."""

    recipient = StringField(_l("Họ tên người nhận kết quả"), validators=[Optional(), Length(max=200)])
    waybill = StringField(_l("Số vận đơn bưu chính"), validators=[
        Optional(), Regexp(WAYBILL, message=WAYBILL_MESSAGE)])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])
