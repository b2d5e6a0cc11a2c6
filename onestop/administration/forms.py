"""Forms of the staff and agency pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

ROLE_LABELS = {"clerk": _l("Cán bộ một cửa"), "officer": _l("Chuyên viên"), "supervisor": _l("Lãnh đạo"),
               "admin": _l("Quản trị hệ thống")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class StaffForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), filters=[_strip],
                           validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=80)])
    full_name = StringField(_l("Họ và tên"), filters=[_strip],
                            validators=[DataRequired(_l("Nhập họ và tên.")), Length(max=200)])
    email = StringField(_l("Thư điện tử"), filters=[_strip], validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Điện thoại"), filters=[_strip], validators=[Optional(), Length(max=30)])
    role = SelectField(_l("Vai trò"), validate_choice=False)
    agency_id = SelectField(_l("Đơn vị"), validate_choice=False)
    #: only on the new-account form: blank makes one up
    password = PasswordField(_l("Mật khẩu dùng một lần (để trống: hệ thống tạo)"),
                             validators=[Optional(), Length(max=128)])


class OneTimePasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu dùng một lần (để trống: hệ thống tạo)"),
                             validators=[Optional(), Length(max=128)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AgencyForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), filters=[_strip], validators=[DataRequired(_l("Nhập mã đơn vị.")),
                                                                      Length(max=20)])
    name = StringField(_l("Tên đơn vị"), filters=[_strip], validators=[DataRequired(_l("Nhập tên đơn vị.")),
                                                                       Length(max=200)])
    level = SelectField(_l("Cấp"), validate_choice=False)
    parent_id = SelectField(_l("Trực thuộc"), validate_choice=False)
    sectors = MultiCheckboxField(_l("Lĩnh vực"), validate_choice=False)
    has_desk = BooleanField(_l("Có bộ phận một cửa"))
