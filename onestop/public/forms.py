from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class LookupForm(FlaskForm):
    code = StringField(_l("Mã hồ sơ"), validators=[DataRequired(_l("Nhập mã hồ sơ.")), Length(max=40)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    # a phone shows its digit keypad; the browser does not offer to remember the digits
    id_tail = StringField(_l("4 số cuối số định danh cá nhân"), validators=[
        DataRequired(_l("Nhập 4 số cuối số định danh cá nhân.")),
        Regexp(r"^\d{4}$", message=_l("Nhập đúng 4 chữ số."))],
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off"})
