"""The desk's forms: a walk-in dossier, the return of its result."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from onestop.core.forms import MultiCheckboxField
from onestop.dossiers.forms import ApplicationForm


class IntakeForm(ApplicationForm):
    """A walk-in dossier at the desk; the checklist depends on the chosen procedure."""

    documents = MultiCheckboxField(_l("Giấy tờ đã nhận"), validate_choice=False)
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])

    def validate_documents(self, field) -> None:
        problem = self.procedure.checklist_problem(field.data) if self.procedure is not None else None
        if problem:
            raise ValidationError(problem)


class ReturnResultForm(FlaskForm):
    """Handing the result back; which field is needed depends on the delivery method chosen at intake."""

    recipient = StringField(_l("Họ tên người nhận kết quả"), validators=[Optional(), Length(max=200)])
    waybill = StringField(_l("Số vận đơn bưu chính"), validators=[
        Optional(), Regexp(r"^[A-Za-z0-9-]{6,40}$", message=_l("Số vận đơn gồm 6–40 chữ, số hoặc dấu gạch."))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=2000)])
