from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from onestop.core.forms import MultiCheckboxField, Normalised
from onestop.core.identity import id_tail
from onestop.ratings.models import BAD_REASONS, GOOD_REASONS


class RatingForm(FlaskForm):
    satisfied = RadioField(_l("Ông/Bà có hài lòng với việc giải quyết hồ sơ không?"), validate_choice=False,
                           choices=[SelectChoice("yes", _l("Hài lòng")), SelectChoice("no", _l("Chưa hài lòng"))],
                           validators=[DataRequired(_l("Chọn hài lòng hoặc chưa hài lòng.")),
                                       AnyOf(["yes", "no"], _l("Chọn hài lòng hoặc chưa hài lòng."))])
    reasons = MultiCheckboxField(_l("Vì sao?"), validate_choice=False,
                                 choices=[SelectChoice(k, v) for k, v in {**GOOD_REASONS, **BAD_REASONS}.items()])
    comment = TextAreaField(_l("Ý kiến khác"), validators=[Optional(), Length(max=1000, message=_l("Tối đa 1000 ký tự."))])

    def validate_reasons(self, field) -> None:
        allowed = GOOD_REASONS if self.satisfied.data == "yes" else BAD_REASONS
        field.data = [r for r in (field.data or []) if r in allowed] if self.satisfied.data in ("yes", "no") else []
        if set(field.data or []) - set(allowed):
            raise ValidationError(str(_l("Lý do không hợp lệ.")))


class LookupRatingForm(RatingForm):
    """From the public look-up: the code and digits again, as the look-up checked them."""

    code = StringField(validators=[DataRequired(), Length(max=40)])
    id_tail = StringField(validators=[DataRequired(), Normalised(id_tail)])
