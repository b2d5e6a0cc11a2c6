"""Sending mail, at least once: the transport, and the claim every sender takes before it sends.

Transport: SMTP when ``ONESTOP_SMTP_HOST`` is set (port, STARTTLS and login from the
``ONESTOP_SMTP_*`` settings); otherwise, the embedded default, one ``.eml`` file per mail in
``ONESTOP_MAIL_DIR`` (``instance/mail/``).

A sender claims the rows it is about to mail with one ``UPDATE … SET <claimed> = now WHERE …
RETURNING id`` and commits the claim before the first mail leaves, so a task delivered twice, or
two overlapping ones, find nothing left to claim; when the server cannot be reached the claims
of the mails not attempted are released for a retry.
"""
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from onestop.core import clock
from onestop.core.database import db


class MailServerUnavailable(Exception):
    """The mail server could not be reached; the unattempted mails were released for a retry."""


#: a refusal of one mail; the others of the batch still go
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
#: the server (or the folder) cannot take mail now
UNAVAILABLE_ERRORS = (OSError, smtplib.SMTPException)


def claim(model, column: str, *conditions) -> list[int]:
    """Set ``column`` to now on the rows of ``model`` matching ``conditions`` and commit; their ids."""
    claimed = list(db.session.scalars(
        update(model).where(*conditions).values({column: clock.now()}).returning(model.id)
        .execution_options(synchronize_session=False)))
    db.session.commit()
    return claimed


def release(model, column: str, ids) -> None:
    """Give back the claims of mails that were never attempted, and commit."""
    ids = list(ids)
    if ids:
        db.session.execute(update(model).where(model.id.in_(ids)).values({column: None})
                           .execution_options(synchronize_session=False))
        db.session.commit()


def transport():
    """Where mail goes: the SMTP server when one is set, else ``.eml`` files (the embedded default)."""
    config = current_app.config
    if config["ONESTOP_SMTP_HOST"]:
        return _SMTPTransport(config)
    return _FolderTransport(Path(config["ONESTOP_MAIL_DIR"]))


class _SMTPTransport:
    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        c = self.config
        self.smtp = smtplib.SMTP(c["ONESTOP_SMTP_HOST"], c["ONESTOP_SMTP_PORT"], timeout=c["ONESTOP_SMTP_TIMEOUT"])
        try:
            if c["ONESTOP_SMTP_STARTTLS"]:
                self.smtp.starttls(context=ssl.create_default_context())
            if c["ONESTOP_SMTP_USER"]:
                self.smtp.login(c["ONESTOP_SMTP_USER"], c["ONESTOP_SMTP_PASSWORD"])
        except BaseException:
            self.smtp.close()
            raise
        return self

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc_info) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class _FolderTransport:
    """The embedded default: each mail a ``.eml`` file, written whole (temporary name, then renamed)."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, message: EmailMessage) -> None:
        tag = (message["X-Onestop-Notification"] or message["X-Onestop-Application"] or message["X-Onestop-Message"]
               or "mail")
        name = f"{clock.now():%Y%m%dT%H%M%S}-{tag}.eml"
        partial = self.folder / (name + ".part")
        partial.write_bytes(message.as_bytes())
        partial.replace(self.folder / name)

    def __exit__(self, *exc_info) -> None:
        return None
