"""What must never reach a log line or an error report: citizens' ID numbers and phone numbers.

``mask`` replaces every run of 9 or more digits (the 9-digit identity card, the 12-digit citizen
identity card, a 10-digit phone written without spaces, a bank account; not the decimals of a
number) and every phone-like string
(``0912 345 678``, ``0912.345.678``, ``+84 912-345-678``, ``(+84) 912345678``) with ``***``. It keeps
dossier codes (``HB-261216-0001``), dates, times and small numbers, whose digit runs are short.
"""
import re

MASK = "***"

#: not the decimals of a number (``0.0421863729998222 s``)
_DIGIT_RUN = re.compile(r"(?<![0-9])(?<![0-9]\.)[0-9]{9,}(?![0-9])")
#: a Vietnamese number: 0 or +84 / (+84) / 84, then 8 to 10 digits with single spaces, dots or dashes between
_PHONE = re.compile(r"(?<![\w+])(?:\(\+84\)|\+84|84(?=[\s.-]?[1-9])|0)(?:[\s.-]?[0-9]){8,10}(?![0-9])")


def mask(text: str) -> str:
    if not text:
        return text
    return _DIGIT_RUN.sub(MASK, _PHONE.sub(MASK, text))
