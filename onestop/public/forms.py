from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class LookupForm(FlaskForm):
    code = StringField("Mã hồ sơ", validators=[DataRequired("Nhập mã hồ sơ."), Length(max=40)])
    id_tail = StringField("4 số cuối số định danh cá nhân", validators=[
        DataRequired("Nhập 4 số cuối số định danh cá nhân."),
        Regexp(r"^\d{4}$", message="Nhập đúng 4 chữ số.")])
