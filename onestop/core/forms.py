"""Forms of the calendar admin page: calendar overrides and reminder rules."""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from onestop.core import clock
from onestop.core.calendar import VN_TZ, WorkingCalendar

#: how far back an override may go: a day closed by a typhoon is entered the day after, not a year after
OVERRIDE_PAST_DAYS = 30
OVERRIDE_FUTURE_DAYS = 2 * 366


class DayField(DateField):
    """A date picker (``yyyy-mm-dd``) that also takes a typed ``dd/mm/yyyy``."""

    def __init__(self, label: str, required_message: str, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[InputRequired(required_message)],
                         invalid_value_message=_l("Ngày không hợp lệ (ngày/tháng/năm)."), **kwargs)

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if valuelist:
            super().process_formdata(valuelist)


class WholeNumberField(IntegerField):
    """An integer with a message of our own for text that is not one; blank is no value."""

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if not valuelist:
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(_("Nhập một số nguyên.")) from exc


class OverrideForm(FlaskForm):
    """An extra day off or a make-up working day."""

    day = DayField(_l("Ngày"), _l("Chọn ngày cần điều chỉnh."))
    kind = RadioField(_l("Điều chỉnh thành"),
                      choices=[SelectChoice("off", _l("Ngày nghỉ")), SelectChoice("working", _l("Ngày làm việc"))],
                      validators=[InputRequired(_l("Chọn ngày nghỉ hoặc ngày làm việc."))],
                      invalid_choice_message=_l("Chọn ngày nghỉ hoặc ngày làm việc."))
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=200, message=_l("Ghi chú tối đa 200 ký tự."))])

    def __init__(self, calendar: WorkingCalendar, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar = calendar

    def validate_day(self, field) -> None:
        if field.data is None:
            return
        today = clock.now().astimezone(VN_TZ).date()
        first, last = today - timedelta(days=OVERRIDE_PAST_DAYS), today + timedelta(days=OVERRIDE_FUTURE_DAYS)
        if not first <= field.data <= last:
            raise ValidationError(_("Chỉ điều chỉnh ngày từ %(first)s đến %(last)s.",
                                    first=f"{first:%d/%m/%Y}", last=f"{last:%d/%m/%Y}"))
        if field.data in self.calendar.overrides:
            raise ValidationError(_("Ngày này đã có điều chỉnh; xóa điều chỉnh cũ trước khi thêm mới."))
        if self.kind.data in ("off", "working") and self.calendar.is_working_day(field.data) == (self.kind.data == "working"):
            raise ValidationError(_("Ngày này vốn đã là ngày làm việc.") if self.kind.data == "working"
                                  else _("Ngày này vốn đã là ngày nghỉ."))

    @property
    def is_working(self) -> bool:
        return self.kind.data == "working"


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


def upcoming_days(calendar: WorkingCalendar, today: date) -> list[tuple[date, str, bool]]:
    """Public holidays and make-up working days from today to the end of next year:
    ``(day, what, counts as a working day now)`` — an override may have changed it."""
    rows = []
    for year in (today.year, today.year + 1):
        rows += [(d, name, calendar.is_working_day(d)) for d, name in calendar.public_holidays(year) if d >= today]
        rows += [(d, _("Ngày làm việc bù"), calendar.is_working_day(d)) for d in calendar.make_up_days(year) if d >= today]
    return sorted(rows)
