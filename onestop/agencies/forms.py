from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """An action on a dossier; which actions exist is the engine's business, not the form's."""

    action = HiddenField(validators=[DataRequired("Chọn thao tác.")])
    note = TextAreaField("Ghi chú / lý do", validators=[Optional(), Length(max=2000, message="Tối đa 2000 ký tự.")])


class AssignForm(FlaskForm):
    user_id = SelectField("Giao cho", coerce=int, validators=[DataRequired("Chọn người được giao.")])
