"""marshmallow fields and a base schema whose messages are ours, in the caller's language.

The texts are lazy: marshmallow keeps them, ``problems.field_errors`` renders each in the language
of the request. Strings refuse control characters and lone surrogates (PostgreSQL cannot store a
NUL, and a surrogate cannot be encoded), integers are strict JSON numbers within a range, so no
input reaches the database in a shape it would fail on.
"""
import base64
import binascii
import re
import unicodedata

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

#: single-line text: no C0/C1 control character (documented as the pattern of the field)
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"

#: text on several lines: tabs and line breaks allowed, no other control character
MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
CONTROL = _l("Có ký tự điều khiển không hợp lệ.")
_ONE_LINE_RE = re.compile(ONE_LINE)
_MULTI_LINE_RE = re.compile(MULTI_LINE)
REQUIRED = _l("Trường này là bắt buộc.")
NULL = _l("Trường này không được để trống (null).")
_FIELD_MESSAGES = {"required": REQUIRED, "null": NULL, "validator_failed": _l("Giá trị không hợp lệ.")}


def _messages(**more) -> dict:
    return {**_FIELD_MESSAGES, **more}


def _no_surrogates(value: str) -> None:
    if any(unicodedata.category(ch) == "Cs" for ch in value):
        raise ma.ValidationError(_l("Có ký tự không hợp lệ."))


def _no_control(value: str) -> None:
    if not _ONE_LINE_RE.match(value):
        raise ma.ValidationError(CONTROL)


def _no_control_multiline(value: str) -> None:
    if not _MULTI_LINE_RE.match(value):
        raise ma.ValidationError(CONTROL)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(REQUIRED)


class Text(ma.fields.String):
    """A string of at most ``max_length`` characters: one line (no control character) unless
    ``multiline`` (then tabs and line breaks are allowed); ``pattern`` narrows it further."""

    def __init__(self, max_length: int, *, multiline: bool = False, pattern: str | None = None,
                 pattern_message=None, blank: bool = False, **kwargs):
        validators = [validate.Length(max=max_length, min=0 if blank else 1,
                                      error=_l("Từ {min} đến {max} ký tự."))]
        if pattern:  # the one pattern the document shows; control characters are refused apart
            validators.append(validate.Regexp(pattern, error=pattern_message or _l("Giá trị không đúng dạng.")))
            validators.append(_no_control_multiline if multiline else _no_control)
        elif multiline:
            validators.append(validate.Regexp(MULTI_LINE, error=CONTROL))
        else:
            validators.append(validate.Regexp(ONE_LINE, error=CONTROL))
        validators.append(_no_surrogates)
        if not blank:
            validators.append(_not_blank)
        super().__init__(validate=validators, error_messages=_messages(invalid=_l("Phải là một chuỗi ký tự.")),
                         **kwargs)


class Choice(ma.fields.String):
    """One of ``choices``."""

    def __init__(self, choices, **kwargs):
        super().__init__(validate=validate.OneOf(list(choices), error=_l("Phải là một trong: {choices}.")),
                         error_messages=_messages(invalid=_l("Phải là một chuỗi ký tự.")), **kwargs)


class WholeNumber(ma.fields.Integer):
    """A JSON integer (not a string of digits) between ``minimum`` and ``maximum``."""

    def __init__(self, minimum: int, maximum: int, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=validate.Range(min=minimum, max=maximum,
                                                                error=_l("Phải từ {min} đến {max}.")),
                         error_messages=_messages(invalid=_l("Phải là một số nguyên.")), **kwargs)


class Flag(ma.fields.Boolean):
    def __init__(self, **kwargs):
        super().__init__(error_messages=_messages(invalid=_l("Phải là true hoặc false.")), **kwargs)


class Email(ma.fields.String):
    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(max=200, error=_l("Tối đa {max} ký tự.")), _no_surrogates,
                                   validate.Email(error=_l("Địa chỉ thư điện tử không hợp lệ."))],
                         error_messages=_messages(invalid=_l("Phải là một chuỗi ký tự.")),
                         metadata={"format": "email"}, **kwargs)


class List(ma.fields.List):
    def __init__(self, inner, *, max_items: int, min_items: int = 0, **kwargs):
        super().__init__(inner, validate=validate.Length(min=min_items, max=max_items,
                                                         error=_l("Từ {min} đến {max} phần tử.")),
                         error_messages=_messages(invalid=_l("Phải là một danh sách.")), **kwargs)


class Nested(ma.fields.Nested):
    def __init__(self, nested, **kwargs):
        super().__init__(nested, error_messages=_messages(type=_l("Phải là một đối tượng JSON.")), **kwargs)


class Base64File(ma.fields.String):
    """A file's content, base64-encoded (RFC 4648, padding required); loads as ``bytes``."""

    def __init__(self, max_bytes: int, *, metadata: dict | None = None, **kwargs):
        self.max_bytes = max_bytes
        super().__init__(validate=validate.Length(min=4, max=(max_bytes + 2) // 3 * 4,
                                                  error=_l("Tệp rỗng hoặc quá lớn.")),
                         error_messages=_messages(invalid=_l("Phải là nội dung tệp mã hóa base64.")),
                         metadata={"contentEncoding": "base64", **(metadata or {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > (self.max_bytes + 2) // 3 * 4:
            raise ma.ValidationError(_l("Tệp rỗng hoặc quá lớn."))
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raise ma.ValidationError(_l("Phải là nội dung tệp mã hóa base64.")) from None

    def _validate(self, value) -> None:
        """The length limits apply to the text, before decoding (``_deserialize`` checked them)."""


class Schema(ma.Schema):
    """Unknown fields are refused (a typo must not pass unnoticed), with our messages."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": _l("Trường này không được hỗ trợ."), "type": _l("Phải là một đối tượng JSON.")}


class OutSchema(ma.Schema):
    """A schema of answers (only dumped), documented exactly: nothing else is sent."""

    class Meta:
        unknown = ma.RAISE
