from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from onestop.core.forms import Normalised
from onestop.core.identity import id_tail


class LookupForm(FlaskForm):
    code = StringField(_l("Mã hồ sơ"), validators=[DataRequired(_l("Nhập mã hồ sơ.")), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    # a phone shows its digit keypad; the browser does not offer to remember the digits; any digits
    # typed (full-width, another script) count as the ASCII ones (``core/identity.py``)
    id_tail = StringField(_l("4 số cuối số định danh cá nhân"), validators=[
        DataRequired(_l("Nhập 4 số cuối số định danh cá nhân.")), Normalised(id_tail)],
        render_kw={"inputmode": "numeric", "maxlength": 8, "autocomplete": "off"})
