"""Form fields every feature's forms share."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectMultipleField
from wtforms.validators import InputRequired, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from onestop.core.identity import InvalidNumber


class DayField(DateField):
    """A date picker (``yyyy-mm-dd``) that also takes a typed ``dd/mm/yyyy``; ``required_message``
    is the error when it is left blank (spaces are blank). Years outside ``years`` are refused, so
    that no date near the calendar's ends reaches arithmetic that would overflow."""

    def __init__(self, label: str, required_message: str, years: tuple[int, int] = (1900, 2099), **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[InputRequired(required_message)],
                         invalid_value_message=_l("Ngày không hợp lệ (ngày/tháng/năm)."), **kwargs)
        self.years = years

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if not valuelist:
            self.raw_data = []  # blank: InputRequired says so
            return
        super().process_formdata(valuelist)
        if self.data is not None and not self.years[0] <= self.data.year <= self.years[1]:
            self.data = None
            raise ValueError(_("Năm phải từ %(first)s đến %(last)s.", first=self.years[0], last=self.years[1]))


class WholeNumberField(IntegerField):
    """An integer with a message of our own for text that is not one; blank is no value."""

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if not valuelist:
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(_("Nhập một số nguyên.")) from exc


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (the checklist of documents)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Normalised:
    """A validator that replaces the field's text by its one stored form, ``parse(text)`` (the
    parsers of ``core/identity.py``), or stops with the reason the parser gives. What the user
    typed is still what the page shows back (WTForms re-renders the raw input)."""

    def __init__(self, parse):
        self.parse = parse

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        try:
            field.data = self.parse(field.data)
        except InvalidNumber as exc:
            raise StopValidation(str(exc)) from None
