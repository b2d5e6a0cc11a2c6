"""The period of the tracking ledger (slip 07)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from onestop.core.forms import DayField


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
