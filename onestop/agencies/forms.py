from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """An action on a dossier; which actions exist is the engine's business, not the form's."""

    action = HiddenField(validators=[DataRequired("Chọn thao tác.")])
    note = TextAreaField("Ghi chú / lý do", validators=[Optional(), Length(max=2000, message="Tối đa 2000 ký tự.")])


class AssignForm(FlaskForm):
    user_id = SelectField("Giao cho", coerce=int, validators=[DataRequired("Chọn người được giao.")])


class ConsultForm(FlaskForm):
    """Ask another agency for its opinion on the dossier (xin ý kiến)."""

    to_agency_id = SelectField("Cơ quan được xin ý kiến", coerce=int,
                               validators=[DataRequired("Chọn cơ quan được xin ý kiến.")])
    question = TextAreaField("Nội dung xin ý kiến", validators=[
        DataRequired("Nêu rõ nội dung cần xin ý kiến."), Length(max=2000, message="Tối đa 2000 ký tự.")])


class AnswerForm(FlaskForm):
    """The consulted agency's opinion."""

    answer = TextAreaField("Ý kiến trả lời", validators=[
        DataRequired("Nhập nội dung trả lời."), Length(max=2000, message="Tối đa 2000 ký tự.")])
