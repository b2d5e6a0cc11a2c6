"""Asking another agency for its opinion, and its answer."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length


class ConsultForm(FlaskForm):
    """Ask another agency for its opinion on the dossier (xin ý kiến)."""

    to_agency_id = SelectField(_l("Cơ quan được xin ý kiến"), coerce=int,
                               validators=[DataRequired(_l("Chọn cơ quan được xin ý kiến."))])
    question = TextAreaField(_l("Nội dung xin ý kiến"), validators=[
        DataRequired(_l("Nêu rõ nội dung cần xin ý kiến.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])


class AnswerForm(FlaskForm):
    """The consulted agency's opinion."""

    answer = TextAreaField(_l("Ý kiến trả lời"), validators=[
        DataRequired(_l("Nhập nội dung trả lời.")), Length(max=2000, message=_l("Tối đa 2000 ký tự."))])
