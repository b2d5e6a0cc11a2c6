"""The officer's supplement request and the desk's receipt of the supplement."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from onestop.core.forms import MultiCheckboxField


class RequestSupplementForm(FlaskForm):
    missing = MultiCheckboxField(_l("Giấy tờ cần bổ sung"), validate_choice=False)
    note = TextAreaField(_l("Nội dung cần bổ sung, hoàn thiện"), validators=[
        DataRequired(_l("Ghi rõ nội dung cần bổ sung.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])


class ReceiveSupplementForm(FlaskForm):
    came = MultiCheckboxField(_l("Giấy tờ đã nhận bổ sung"), validate_choice=False)
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
