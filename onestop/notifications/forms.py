"""The reminder-rule admin page's form: the global rules, or one procedure's."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from onestop.core.forms import WholeNumberField


class ReminderRuleForm(FlaskForm):
    """The reminder and escalation rules, for every procedure or for one."""

    scope = SelectField(_l("Áp dụng cho"), validators=[InputRequired(_l("Chọn phạm vi áp dụng."))], validate_choice=False)
    due_soon_percent = WholeNumberField(_l("Nhắc khi đã dùng (% thời hạn bước)"), validators=[
        InputRequired(_l("Nhập tỉ lệ (0 để tắt).")), NumberRange(0, 99, _l("Tỉ lệ từ 0 (tắt) đến 99 %%."))])
    remind_overdue = BooleanField(_l("Nhắc khi đến hạn và mỗi ngày làm việc quá hạn"))
    escalate_days = WholeNumberField(_l("Báo lãnh đạo đơn vị khi quá hạn (ngày làm việc)"), validators=[
        Optional(), NumberRange(0, 60, _l("Số ngày từ 0 đến 60; để trống nếu không báo."))])
    escalate_parent_days = WholeNumberField(_l("Báo lãnh đạo cấp trên khi quá hạn (ngày làm việc)"), validators=[
        Optional(), NumberRange(1, 60, _l("Số ngày từ 1 đến 60; để trống nếu không báo."))])

    GLOBAL = "*"

    def __init__(self, procedures: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedures = procedures
        self.scope.choices = [SelectChoice(self.GLOBAL, _("Mặc định: mọi thủ tục"))] + [
            SelectChoice(code, f"{code} · {name}") for code, name in procedures.items()]

    def validate_scope(self, field) -> None:
        if field.data != self.GLOBAL and field.data not in self.procedures:
            raise ValidationError(_("Thủ tục không có trong danh mục."))

    def validate_escalate_parent_days(self, field) -> None:
        if None not in (field.data, self.escalate_days.data) and field.data <= self.escalate_days.data:
            raise ValidationError(_("Báo cấp trên phải sau khi báo lãnh đạo đơn vị."))

    @property
    def procedure_code(self) -> str | None:
        return None if self.scope.data == self.GLOBAL else self.scope.data
