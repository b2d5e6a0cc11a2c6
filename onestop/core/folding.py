"""Folding Vietnamese text for search: "Nguyễn Văn Ấn" and "nguyen van an" meet."""
import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})  # not a combining mark: NFD leaves it whole


def fold(text: str | None) -> str:
    """Lower case, without accents (tone and vowel marks, đ → d), spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def ascii_digits(text: str | None) -> str:
    """The decimal digits of ``text`` in any script, as ASCII (``"０９１２"`` → ``"0912"``); others dropped."""
    return "".join(str(unicodedata.decimal(ch)) for ch in (text or "") if unicodedata.decimal(ch, None) is not None)
