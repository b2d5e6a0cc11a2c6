"""Amounts of money as a Vietnamese receipt writes them: ``20.000 đ`` and, in words,
``Hai mươi nghìn đồng``."""

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")


def money_text(amount: int) -> str:
    """``20000`` → ``20.000 đ``."""
    return f"{amount:,} đ".replace(",", ".")


def _three(n: int, full: bool) -> str:
    """Words for 0–999; ``full``: a group after a higher one says its hundreds ("không trăm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            words += (["linh"] if hundreds or full else []) + [_DIGITS[units]]
        return " ".join(words)
    words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return " ".join(words)


def in_words(amount: int) -> str:
    """``20000`` → ``Hai mươi nghìn đồng``; ``1250000`` → ``Một triệu hai trăm năm mươi nghìn đồng``."""
    if amount == 0:
        return "Không đồng"
    groups = []
    n = amount
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        name = " ".join(w for w in (_GROUPS[index % 3], *["tỷ"] * (index // 3)) if w)
        words.append(" ".join(w for w in (_three(groups[index], index < len(groups) - 1), name) if w))
    text = " ".join(words)
    return text[0].upper() + text[1:] + " đồng"
