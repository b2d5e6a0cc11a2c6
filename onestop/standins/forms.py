from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from onestop.core.forms import DayField


class AbsenceForm(FlaskForm):
    user_id = SelectField(_l("Người vắng mặt"), validate_choice=False)
    stand_in_id = SelectField(_l("Người thay"), validate_choice=False)
    starts_on = DayField(_l("Từ ngày"), _l("Chọn ngày bắt đầu."))
    ends_on = DayField(_l("Đến ngày"), _l("Chọn ngày kết thúc."))
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(_l("Nhập lý do vắng mặt.")),
                                                     Length(max=2000, message=_l("Lý do tối đa 2000 ký tự."))])
