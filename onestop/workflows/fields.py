"""The procedure's own data: the fields a procedure file declares for its desk to record (a birth
registration the child's name, sex, date and place of birth; a land dossier the parcel), their
validation in the file and of the values typed.

A field, one ``[[fields]]`` table of a procedure file:

* ``key`` (lower_case), ``label`` (Vietnamese, as printed), ``type``: ``text``, ``integer``,
  ``decimal``, ``date`` or ``choice``;
* ``required`` (default false), ``hint`` (shown under the input);
* ``text``: ``max_length`` (default 200, at most 1000);
* ``integer`` and ``decimal``: ``min``, ``max`` (numbers), ``unit`` (e.g. ``"m²"``), and for a
  decimal ``decimals`` (default 2, the digits kept after the comma);
* ``date``: ``min``, ``max`` as ``"YYYY-MM-DD"`` or ``"today"`` (a date of birth is not after today);
* ``choice``: ``choices``, the list of the allowed values as printed (``["Nam", "Nữ"]``).

Values are stored as JSON (text and choices as text, numbers as numbers, dates as ISO text), and
``parse`` turns what a clerk typed into that value or raises ``ValueError`` with the reason in
the user's language. ``display`` gives the value as printed (``120,5 m²``, ``01/12/2026``).
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from onestop.core import clock
from onestop.core.calendar import VN_TZ
from onestop.core.identity import ascii_digits

FIELD_TYPES = ("text", "integer", "decimal", "date", "choice")
FIELD_KEYS = ("key", "label", "type", "required", "hint", "max_length", "min", "max", "unit", "decimals", "choices")
#: what each type may declare beyond the common keys
_TYPE_KEYS = {"text": {"max_length"}, "integer": {"min", "max", "unit"}, "decimal": {"min", "max", "unit", "decimals"},
              "date": {"min", "max"}, "choice": {"choices"}}
_COMMON = {"key", "label", "type", "required", "hint"}
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
#: the largest number a field takes whatever it declares (keeps JSON and SQL integers safe)
LARGEST = 10 ** 12


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    hint: str = ""
    max_length: int = 200
    min: float | str | None = None
    max: float | str | None = None
    unit: str = ""
    decimals: int = 2
    choices: tuple[str, ...] = ()

    # -- values ---------------------------------------------------------------------------------
    def parse(self, text: str | None):
        """The stored value of what was typed; None when blank (``ValueError``: the reason)."""
        text = unicodedata.normalize("NFC", (text or "")).strip()
        if not text:
            if self.required:
                raise ValueError(_("Nhập %(label)s.", label=self.label.lower()))
            return None
        if any(unicodedata.category(ch) == "Cc" for ch in text):
            raise ValueError(_("Không được có ký tự điều khiển."))
        return getattr(self, f"_parse_{self.type}")(text)

    def _parse_text(self, text: str) -> str:
        if len(text) > self.max_length:
            raise ValueError(_("Tối đa %(num)s ký tự.", num=self.max_length))
        return text

    def _parse_choice(self, text: str) -> str:
        if text not in self.choices:
            raise ValueError(_("Chọn một trong: %(choices)s.", choices=", ".join(self.choices)))
        return text

    def _number(self, text: str) -> Decimal:
        """Vietnamese writes ``1.234,5``; a lone comma or dot is the decimal mark."""
        digits = ascii_digits(text).replace(" ", "").replace("\u00a0", "")
        if "," in digits:
            digits = digits.replace(".", "").replace(",", ".")
        elif digits.count(".") > 1:
            digits = digits.replace(".", "")
        try:
            value = Decimal(digits)
        except InvalidOperation:
            raise ValueError(_("Nhập một số.")) from None
        if not value.is_finite() or abs(value) > LARGEST:
            raise ValueError(_("Nhập một số.")) from None
        low = Decimal(str(self.min)) if self.min is not None else None
        high = Decimal(str(self.max)) if self.max is not None else None
        if low is not None and value < low:
            raise ValueError(_("Không nhỏ hơn %(num)s.", num=_number_text(low)))
        if high is not None and value > high:
            raise ValueError(_("Không lớn hơn %(num)s.", num=_number_text(high)))
        return value

    def _parse_integer(self, text: str) -> int:
        value = self._number(text)
        if value != value.to_integral_value():
            raise ValueError(_("Nhập một số nguyên."))
        return int(value)

    def _parse_decimal(self, text: str) -> float:
        return float(round(self._number(text), self.decimals))

    def _parse_date(self, text: str) -> str:
        text = ascii_digits(text)
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                day = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(_("Ngày không hợp lệ (ngày/tháng/năm)."))
        low, high = _day(self.min), _day(self.max)
        if low is not None and day < low:
            raise ValueError(_("Không trước ngày %(day)s.", day=f"{low:%d/%m/%Y}"))
        if high is not None and day > high:
            raise ValueError(_("Không sau ngày %(day)s.", day=f"{high:%d/%m/%Y}"))
        return day.isoformat()

    def display(self, value) -> str:
        """The stored value as printed on the page and the slips."""
        if value is None or value == "":
            return ""
        if self.type == "date":
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        if self.type in ("integer", "decimal"):
            text = _number_text(Decimal(str(value)))
            return f"{text} {self.unit}".strip()
        return str(value)

    def input_value(self, value) -> str:
        """The stored value as the input shows it again (a date as dd/mm/yyyy, a number with a comma)."""
        if value is None:
            return ""
        if self.type in ("integer", "decimal"):
            return _number_text(Decimal(str(value)), grouped=False)
        return self.display(value)


def _number_text(value: Decimal, grouped: bool = True) -> str:
    """``1234.5`` → ``1.234,5`` (Vietnamese marks); without grouping ``1234,5``."""
    text = f"{value.normalize():f}"
    whole, _dot, fraction = text.partition(".")
    sign, whole = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    if grouped:
        whole = f"{int(whole):,}".replace(",", ".")
    return sign + whole + ("," + fraction if fraction else "")


def _day(bound) -> date | None:
    if bound is None:
        return None
    if bound == "today":
        return clock.now().astimezone(VN_TZ).date()
    return date.fromisoformat(bound)


def parse_fields(raw, source: str, error) -> tuple[FieldSpec, ...]:
    """The ``[[fields]]`` of a procedure file, checked; ``error(field, reason)`` builds the
    ``DefinitionError`` (so the message names the file and the field as the rest of the loader does)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise error("fields", f"must be a list of tables ([[fields]]), got {raw!r}")
    specs: list[FieldSpec] = []
    for i, table in enumerate(raw):
        where = f"fields[{i}]"
        if not isinstance(table, dict):
            raise error(where, f"must be a table, got {table!r}")
        key = table.get("key")
        if not isinstance(key, str) or not _IDENT.match(key):
            raise error(f"{where}.key", f"{key!r} must be lower_case_with_underscores")
        where = f"fields.{key}"
        kind = table.get("type")
        if kind not in FIELD_TYPES:
            raise error(f"{where}.type", f"unknown type {kind!r}; known: {', '.join(FIELD_TYPES)}")
        allowed = _COMMON | _TYPE_KEYS[kind]
        for name in table:
            if name not in FIELD_KEYS:
                raise error(f"{where}.{name}", f"unknown field {name!r}; known: {', '.join(FIELD_KEYS)}")
            if name not in allowed:
                raise error(f"{where}.{name}", f"a {kind} field takes no {name!r}; it takes: {', '.join(sorted(allowed))}")
        label = table.get("label")
        if not isinstance(label, str) or not label.strip():
            raise error(f"{where}.label", "is missing (the label printed beside the value)")
        spec = FieldSpec(key=key, label=label, type=kind, required=_bool(table, "required", where, error),
                         hint=_text(table, "hint", where, error), unit=_text(table, "unit", where, error),
                         **_type_options(kind, table, where, error))
        if any(s.key == key for s in specs):
            raise error(where, f"two fields share the key {key!r}")
        specs.append(spec)
    return tuple(specs)


def _bool(table, name, where, error) -> bool:
    value = table.get(name, False)
    if not isinstance(value, bool):
        raise error(f"{where}.{name}", f"must be true/false, got {value!r}")
    return value


def _text(table, name, where, error) -> str:
    value = table.get(name, "")
    if not isinstance(value, str):
        raise error(f"{where}.{name}", f"must be text, got {value!r}")
    return value


def _type_options(kind: str, table: dict, where: str, error) -> dict:
    if kind == "text":
        length = table.get("max_length", 200)
        if isinstance(length, bool) or not isinstance(length, int) or not 1 <= length <= 1000:
            raise error(f"{where}.max_length", f"must be a whole number from 1 to 1000, got {length!r}")
        return {"max_length": length}
    if kind == "choice":
        choices = table.get("choices")
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
            raise error(f"{where}.choices", f"must list at least two values as text, got {choices!r}")
        if len(set(choices)) != len(choices):
            raise error(f"{where}.choices", "a value appears twice")
        return {"choices": tuple(choices)}
    if kind == "date":
        bounds = {}
        for name in ("min", "max"):
            value = table.get(name)
            if value is None:
                continue
            try:
                if not isinstance(value, str):
                    raise ValueError
                _day(value) if value == "today" else date.fromisoformat(value)
            except ValueError:
                raise error(f"{where}.{name}", f"must be \"YYYY-MM-DD\" or \"today\", got {value!r}") from None
            bounds[name] = value
        return bounds
    options: dict = {}
    for name in ("min", "max"):
        value = table.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > LARGEST:
            raise error(f"{where}.{name}", f"must be a number of at most {LARGEST:,}, got {value!r}")
        options[name] = value
    if "min" in options and "max" in options and options["min"] > options["max"]:
        raise error(f"{where}.max", f"{options['max']} is below min {options['min']}")
    if kind == "decimal":
        decimals = table.get("decimals", 2)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
            raise error(f"{where}.decimals", f"must be a whole number from 0 to 6, got {decimals!r}")
        options["decimals"] = decimals
    return options
