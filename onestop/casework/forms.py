"""The forms of casework: an action on the dossier, a reassignment."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """An action on a dossier; which actions exist is the engine's business, not the form's."""

    action = HiddenField(validators=[DataRequired(_l("Chọn thao tác."))])
    note = TextAreaField(_l("Ghi chú / lý do"), validators=[Optional(), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])


class AssignForm(FlaskForm):
    user_id = SelectField(_l("Giao cho"), coerce=int, validators=[DataRequired(_l("Chọn người được giao."))])
