"""The password policy and one-time passwords.

A password is refused when it is shorter than ``MIN_LENGTH``, too close to the account's own
login name, full name or e-mail, or guessable: ``zxcvbn`` (Dropbox's estimator, which knows the
common-password lists, keyboard walks, dates, l33t substitutions and repeats) scores it below
``MIN_SCORE`` of 4. Our own words are added to its dictionaries, so "Motcua2024!" is weak here.
"""
import secrets
from difflib import SequenceMatcher

from flask_babel import gettext as _
from zxcvbn import zxcvbn

from onestop.core.folding import fold

MIN_LENGTH = 10
MAX_LENGTH = 128
#: zxcvbn's score: 3 is "safely unguessable: moderate protection from an offline slow-hash scenario"
MIN_SCORE = 3
#: how similar (0-1) to the login name a password may be
MAX_SIMILARITY = 0.6
_SITE_WORDS = ["motcua", "mot cua", "onestop", "haiphong", "hai phong", "matkhau", "mat khau", "password"]
#: one-time passwords: no look-alike characters (0/O, 1/l/I), typed by hand from a slip of paper
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: werkzeug's method for one-time passwords made by ``one_time_password`` (bulk import): 12
#: random characters of 56 (about 70 bits) are out of reach of guessing even with a fast hash,
#: and 2,000 accounts must not take the default scrypt's 100 ms each; the user's own password,
#: chosen at the first login, gets the default
ONE_TIME_HASH = "pbkdf2:sha256:1000"


def problem(password: str, *, username: str, full_name: str = "", email: str = "") -> str | None:
    """Why ``password`` is refused for this account, in the user's language; None when it is good."""
    if len(password) < MIN_LENGTH:
        return _("Mật khẩu phải có ít nhất %(n)s ký tự.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Mật khẩu dài tối đa %(n)s ký tự.", n=MAX_LENGTH)
    if any(not ch.isprintable() for ch in password):
        return _("Mật khẩu không được chứa ký tự điều khiển.")
    folded, name = fold(password).replace(" ", ""), fold(username).replace(" ", "")
    if name and (name in folded or SequenceMatcher(None, folded, name).ratio() > MAX_SIMILARITY):
        return _("Mật khẩu quá giống tên đăng nhập.")
    inputs = [w for w in (username, full_name, email, fold(full_name), *username.replace(".", " ").split()) if w]
    # scored as typed and without accents: "Hải Phòng 123456" is no stronger than "Hai Phong 123456"
    if min(zxcvbn(text, user_inputs=inputs + _SITE_WORDS)["score"] for text in {password, _unaccented(password)}) < MIN_SCORE:
        return _("Mật khẩu quá dễ đoán (mật khẩu phổ biến, theo mẫu hoặc chứa tên của bạn); hãy chọn mật khẩu khác.")
    return None


def _unaccented(text: str) -> str:
    """``text`` without accents, keeping its case (``fold`` lower-cases)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
                   if not unicodedata.combining(ch))


def one_time_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))
