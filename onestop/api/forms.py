"""The admin's form for registering an API client."""
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from onestop.api.models import ApiScope
from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.forms import DayField, MultiCheckboxField

SCOPE_LABELS = {
    ApiScope.CATALOGUE_READ: _l("Đọc danh mục thủ tục"),
    ApiScope.APPLICATIONS_WRITE: _l("Nộp hồ sơ trực tuyến, chuyển hồ sơ liên thông"),
    ApiScope.DOSSIERS_READ: _l("Xem tình trạng hồ sơ, nhận sự kiện (webhook)"),
    ApiScope.STEPS_ACT: _l("Xử lý bước do hệ thống mình giữ"),
}
#: the longest life of a token
MAX_DAYS = 3 * 366


class ClientForm(FlaskForm):
    name = StringField(_l("Tên hệ thống"), validators=[DataRequired(_l("Nhập tên hệ thống.")),
                                                      Length(max=200, message=_l("Tối đa 200 ký tự."))])
    agency_id = SelectField(_l("Thuộc cơ quan (phạm vi dữ liệu)"), coerce=int,
                            validators=[DataRequired(_l("Chọn cơ quan."))],
                            invalid_choice_message=_l("Chọn cơ quan."))
    scopes = MultiCheckboxField(_l("Quyền"), choices=[SelectChoice(s.value, label) for s, label in SCOPE_LABELS.items()],
                                validators=[DataRequired(_l("Chọn ít nhất một quyền."))])
    expires_on = DayField(_l("Hết hạn ngày"), _l("Chọn ngày hết hạn."))

    def __init__(self, agencies, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id.choices = [SelectChoice(a.id, f"{a.code} · {a.name}") for a in agencies]
        if self.expires_on.data is None and (kwargs.get("formdata", True) is None or not self.is_submitted()):
            self.expires_on.data = (clock.now().astimezone(VN_TZ) + timedelta(days=365)).date()

    def validate_expires_on(self, field) -> None:
        if field.data is None:
            return
        today = clock.now().astimezone(VN_TZ).date()
        if not today < field.data <= today + timedelta(days=MAX_DAYS):
            raise ValidationError(_("Ngày hết hạn phải sau hôm nay và trong vòng ba năm."))

    @property
    def expires_at(self) -> datetime:
        """The end of the chosen local day."""
        return datetime.combine(self.expires_on.data, time(23, 59, 59), tzinfo=VN_TZ).astimezone(UTC)

