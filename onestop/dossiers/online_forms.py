"""The desk's decision on an online application: accept (with the documents found in order) or refuse."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from onestop.dossiers.forms import MultiCheckboxField


class AcceptOnlineForm(FlaskForm):
    documents = MultiCheckboxField(_l("Giấy tờ hợp lệ"), validate_choice=False)


class RefuseOnlineForm(FlaskForm):
    reason = TextAreaField(_l("Lý do từ chối tiếp nhận"), validators=[
        DataRequired(_l("Nêu lý do từ chối tiếp nhận.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
