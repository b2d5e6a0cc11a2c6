"""Form fields every feature's forms share."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget


class DayField(DateField):
    """A date picker (``yyyy-mm-dd``) that also takes a typed ``dd/mm/yyyy``; ``required_message``
    is the error when it is left blank."""

    def __init__(self, label: str, required_message: str, **kwargs):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[InputRequired(required_message)],
                         invalid_value_message=_l("Ngày không hợp lệ (ngày/tháng/năm)."), **kwargs)

    def process_formdata(self, valuelist) -> None:
        valuelist = [v.strip() for v in valuelist if v and v.strip()]
        if valuelist:
            super().process_formdata(valuelist)


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
