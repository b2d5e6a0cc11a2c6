"""Sending text messages to citizens' phones, through a pluggable sender.

``ONESTOP_SMS_SENDER`` names the sender: empty (the embedded default) writes each message as a
``.txt`` file in ``ONESTOP_SMS_DIR`` (``instance/sms/``), as mail is written to ``.eml`` files when
no SMTP server is set; otherwise ``package.module:Class``, a class built with the app's config
whose ``send(phone, text, *, key)`` hands the message to an SMS gateway (``key`` names the message,
for a gateway that drops repeats) (each operator's brand-name
service has its own API, so the project ships none). A sender raises ``SmsUnavailable`` when the
gateway cannot take messages now (the message is tried again later) and any other exception for a
message refused for good.

Vietnamese SMS are usually written without accents: 160 characters of the GSM alphabet instead of
70 with them. ``sms_text`` folds a text so.
"""
import importlib
import re
import unicodedata
from pathlib import Path

from flask import current_app

from onestop.core import clock


class SmsUnavailable(Exception):
    """The gateway cannot take messages now; try again later."""


def sms_text(text: str) -> str:
    """The text without accents (đ → d), on one line."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


def international(phone: str) -> str:
    """``0912345678`` → ``+84912345678`` (gateways want the international form)."""
    return "+84" + phone[1:] if phone.startswith("0") else phone


class FolderSender:
    """The embedded default: each message a ``.txt`` file, written whole (temporary name, then renamed)."""

    def __init__(self, config):
        self.folder = Path(config["ONESTOP_SMS_DIR"])

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{clock.now():%Y%m%dT%H%M%S}-{re.sub(r'[^A-Za-z0-9_.-]', '_', key) or 'sms'}.txt"
        partial = self.folder / (name + ".part")
        partial.write_text(f"To: {international(phone)}\n\n{text}\n", encoding="utf-8")
        partial.replace(self.folder / name)


def sender():
    """The configured sender."""
    config = current_app.config
    path = config.get("ONESTOP_SMS_SENDER") or ""
    if not path:
        return FolderSender(config)
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)(config)
