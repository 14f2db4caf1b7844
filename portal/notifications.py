"""E-mail notifications: queued in the outbox with the change they announce, sent later.

`queue_email` renders `templates/email/<kind>.txt` in the recipient's interface language
(the first line is the subject). `deliver_outbox` sends what is waiting over SMTP when
MAIL_SERVER is set, and writes it to the log otherwise.
"""

import logging
import smtplib
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import SMTP

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, Translation, User, utcnow
from portal.models.languages import autonym, babel_name
from portal.urls import absolute_url

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MAX_SUBJECT = 300  # the outbox column's size
SMTP_POLICY = SMTP.clone(max_line_length=998)


def portal_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, on the configured origin (see portal.urls)."""
    return absolute_url(endpoint, **values)


def language_pair(translation: Translation) -> str:
    """`English → Español`: the source and target language of a translation."""
    return f"{autonym(translation.statement.source_language_tag)} → " \
           f"{autonym(translation.language_tag)}"


def queue_email(recipient: User | str, kind: str, language: str | None = None,
                **context) -> OutboxMessage:
    """Render an e-mail for `recipient` and put it in the outbox.

    A person gets it in their interface language; a bare address (a reader) in `language`,
    the one they read in, when given.
    """
    address = recipient.email if isinstance(recipient, User) else recipient
    language = (recipient.interface_language if isinstance(recipient, User) else language) \
        or current_app.config["DEFAULT_LANGUAGE"]
    with force_locale(babel_name(language)):
        rendered = render_template(f"email/{kind}.txt", recipient=recipient,
                                   site_name=current_app.config["SITE_NAME"], **context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(kind=kind, recipient=address, subject=_one_line(subject),
                            body=body.strip() + "\n")
    db.session.add(message)
    return message


def _one_line(subject: str) -> str:
    """A header-safe subject: one line, at most MAX_SUBJECT characters (titles can be long)."""
    subject = " ".join(subject.split())
    return subject if len(subject) <= MAX_SUBJECT else subject[:MAX_SUBJECT - 1] + "…"


def deliver_outbox(limit: int = 100) -> tuple[int, int]:
    """Send waiting e-mails over one connection; returns (sent, failed). The caller commits."""
    waiting = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)
        # Two overlapping runs never send one message twice: PostgreSQL skips the rows the
        # other run holds; on SQLite the command's write transaction already runs alone.
        .with_for_update(skip_locked=True)
    ).all()
    if not waiting:
        return 0, 0
    sent = failed = 0
    untried = list(waiting)
    try:
        with _mail_connection() as send:
            while untried:
                message = untried.pop(0)
                message.attempts += 1
                try:
                    send(message)
                # This message only: a refused address, or one that cannot be built.
                except (smtplib.SMTPRecipientsRefused, ValueError) as error:
                    _record_failure(message, error)
                    failed += 1
                else:
                    message.sent_at = utcnow()
                    message.last_error = None
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:
        # The server is unreachable or gave up: what was not sent waits for the next run.
        for message in [*waiting]:
            if message.sent_at is None and message in untried:
                message.attempts += 1
            if message.sent_at is None and (message in untried or message.last_error is None):
                _record_failure(message, error)
                failed += 1
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.last_error = f"{type(error).__name__}: {error}"
    log.warning("E-mail %s to %s failed: %s", message.id, message.recipient, error)


@contextmanager
def _mail_connection():
    """Yield a function that sends one message: over SMTP, or to the log."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        yield lambda message: log.info("E-mail to %s: %s\n%s", message.recipient,
                                       message.subject, message.body)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield lambda message: smtp.send_message(_as_email(message, config["MAIL_FROM"]))


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    # Long lines folded by the default policy lose a space before non-ASCII words
    # (CPython's header folding); SMTP allows 998 characters, so fold only beyond that.
    email = EmailMessage(policy=SMTP_POLICY)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email
