"""The calendar admin page's form: an extra day off or a make-up working day."""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from onestop.core import clock
from onestop.core.calendar import VN_TZ, WorkingCalendar
from onestop.core.forms import DayField

#: how far back an override may go: a day closed by a typhoon is entered the day after, not a year after
OVERRIDE_PAST_DAYS = 30
OVERRIDE_FUTURE_DAYS = 2 * 366


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


def upcoming_days(calendar: WorkingCalendar, today: date) -> list[tuple[date, str, bool]]:
    """Public holidays and make-up working days from today to the end of next year:
    ``(day, what, counts as a working day now)`` — an override may have changed it."""
    rows = []
    for year in (today.year, today.year + 1):
        rows += [(d, name, calendar.is_working_day(d)) for d, name in calendar.public_holidays(year) if d >= today]
        rows += [(d, _("Ngày làm việc bù"), calendar.is_working_day(d)) for d in calendar.make_up_days(year) if d >= today]
    return sorted(rows)
