"""Personal IDs, tax codes and phone numbers as people write them: the one normaliser and validator
every form that takes one uses (desk intake, online filing, the look-up's four digits, the clerk's
pre-fill of a returning citizen).

People type digits in many forms: full-width (``０３１…``) from a Vietnamese input method,
Arabic-Indic or Devanagari ones from a phone set to another language, with spaces, dots or dashes
between groups, ``+84`` before a phone number, a newline pasted at the end. ``ascii_digits`` turns
the text to NFKC (which folds full-width and other compatibility forms) and then every character
that Unicode calls a decimal digit (category Nd, whatever its script) into its ASCII digit. Each
parser below then checks the structure and returns the one form that is stored and compared, or
raises ``InvalidNumber`` whose text is the reason, in the language of the request.

The 12-digit personal identification number (Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA) is
``PPP G YY RRRRRR``: the code of the province where the birth was registered (``data/
province_codes.toml``), a digit giving the century of birth and the sex (0/1: 20th century,
male/female; 2/3: 21st; 4/5: 22nd…), the last two digits of the year of birth, six random digits.
What can be checked without the national register is checked: the province code exists, and
century and year give a year of birth that has come; ``000000000000`` has no province.
"""
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from onestop.core import clock
from onestop.core.calendar import VN_TZ

PROVINCE_CODES_FILE = Path(__file__).with_name("data") / "province_codes.toml"
#: what people put between groups of digits; dropped before checking
_SEPARATORS = re.compile(r"[\s.\-–—_/()\u00a0\u2007\u202f]+")


class InvalidNumber(ValueError):
    """The text is not a valid number of its kind; ``str(exc)`` is the reason for the user."""


@functools.cache
def province_codes() -> dict[str, str]:
    """Province-of-birth code → province name, from the data file."""
    return tomllib.loads(PROVINCE_CODES_FILE.read_text(encoding="utf-8"))["codes"]


def ascii_digits(text: str) -> str:
    """NFKC, then every Unicode decimal digit as its ASCII digit; other characters are kept."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(str(value) if (value := unicodedata.decimal(ch, None)) is not None else ch for ch in folded)


def compact(text: str) -> str:
    """``ascii_digits`` without the spaces, dots, dashes and brackets people group digits with."""
    return _SEPARATORS.sub("", ascii_digits(text))


@dataclass(frozen=True)
class PersonalIdFacts:
    """What a personal ID says about its holder."""

    province: str
    #: ``"male"`` or ``"female"``
    sex: str
    birth_year: int


def personal_id(text: str) -> str:
    """The 12 ASCII digits of a personal identification number, checked for its structure."""
    number = compact(text)
    if not re.fullmatch(r"\d{12}", number):
        raise InvalidNumber(_("Số định danh cá nhân gồm đúng 12 chữ số."))
    if number == "0" * 12:
        raise InvalidNumber(_("Số định danh cá nhân không thể toàn chữ số 0."))
    if number[:3] not in province_codes():
        raise InvalidNumber(_("Ba chữ số đầu (%(code)s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh.",
                              code=number[:3]))
    year = _birth_year(number)
    if year > clock.now().astimezone(VN_TZ).year:
        raise InvalidNumber(_("Chữ số thứ tư (thế kỷ và giới tính) và hai chữ số năm sinh cho năm sinh %(year)s, "
                              "chưa đến: kiểm tra lại số định danh.", year=year))
    return number


def _birth_year(number: str) -> int:
    return 1900 + 100 * (int(number[3]) // 2) + int(number[4:6])


def facts(number: str) -> PersonalIdFacts:
    """Province, sex and year of birth of a valid personal ID (as returned by ``personal_id``)."""
    return PersonalIdFacts(province=province_codes()[number[:3]], sex="female" if int(number[3]) % 2 else "male",
                           birth_year=_birth_year(number))


def id_tail(text: str) -> str:
    """The last four digits of an ID, as the look-up asks for them."""
    digits = compact(text)
    if not re.fullmatch(r"\d{4}", digits):
        raise InvalidNumber(_("Nhập đúng 4 chữ số."))
    return digits


def phone(text: str) -> str:
    """A Vietnamese phone number in its national form, ``0`` and 9 or 10 digits.

    ``+84 912 345 678``, ``(+84) 912.345.678``, ``0084912345678``, ``84912345678`` and
    ``091-234-5678`` are all ``0912345678``; a ``0`` written after the country code is dropped.
    Mobile numbers are 10 digits (03, 05, 07, 08, 09), fixed lines 11 (02 and the area code)."""
    number = compact(text)
    for prefix in ("+84", "0084", "84"):
        if number.startswith(prefix) and (prefix != "84" or len(number) in (11, 12)):
            number = "0" + number[len(prefix):].removeprefix("0")
            break
    if not re.fullmatch(r"0[35789]\d{8}|02\d{9}", number):
        raise InvalidNumber(_("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
    return number


def tax_code(text: str) -> str:
    """An organisation's tax code: 10 digits, or 10 digits, a dash and 3 for a branch
    (``0201234567-001``); the 12-digit personal ID serves as a person's tax code since July 2025.
    The check digit of the 10-digit code is not verified."""
    number = compact(text)
    if re.fullmatch(r"\d{12}", number):
        return personal_id(number)
    if not re.fullmatch(r"\d{10}(\d{3})?", number) or int(number) == 0:
        raise InvalidNumber(_("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc (ví dụ 0201234567-001)."))
    return number if len(number) == 10 else f"{number[:10]}-{number[10:]}"
