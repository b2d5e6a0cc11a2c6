"""Where a redirect may go when the request names the target (``next=``, the Referer)."""
from urllib.parse import urlsplit


def safe_target(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``.

    Refused: anything with a scheme or a host (``https://evil.example``, ``//evil.example``), a
    backslash (browsers read ``/\\evil.example`` as a host), and any control character (CR/LF would
    split the header; a TAB or NUL is dropped by browsers, turning ``/\\t/evil.example`` into
    ``//evil.example``)."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
