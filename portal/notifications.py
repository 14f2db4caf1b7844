"""E-mail notifications: queued in the outbox with the change they announce, sent later.

`queue_email` renders `templates/email/<kind>.txt` in the recipient's interface language
(the first line is the subject). `deliver_outbox` sends what is waiting over SMTP when
MAIL_SERVER is set, and writes it to the log otherwise.
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, Translation, User, utcnow
from portal.models.languages import autonym, babel_name

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def portal_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, inside or outside a request."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PORTAL_URL"]):
        return url_for(endpoint, _external=True, **values)


def language_pair(translation: Translation) -> str:
    """`English → Español`: the source and target language of a translation."""
    return f"{autonym(translation.statement.source_language_tag)} → " \
           f"{autonym(translation.language_tag)}"


def queue_email(recipient: User | str, kind: str, **context) -> OutboxMessage:
    """Render an e-mail for `recipient` and put it in the outbox."""
    address = recipient.email if isinstance(recipient, User) else recipient
    language = (recipient.interface_language if isinstance(recipient, User) else None) \
        or current_app.config["DEFAULT_LANGUAGE"]
    with force_locale(babel_name(language)):
        rendered = render_template(f"email/{kind}.txt", recipient=recipient,
                                   site_name=current_app.config["SITE_NAME"], **context)
    subject, _, body = rendered.strip().partition("\n")
    message = OutboxMessage(kind=kind, recipient=address, subject=subject.strip(),
                            body=body.strip() + "\n")
    db.session.add(message)
    return message


def deliver_outbox(limit: int = 100) -> tuple[int, int]:
    """Send waiting e-mails; returns (sent, failed). The caller commits."""
    waiting = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    sent = failed = 0
    for message in waiting:
        message.attempts += 1
        try:
            _send(message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"
            failed += 1
            log.warning("E-mail %s to %s failed: %s", message.id, message.recipient, error)
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
    return sent, failed


def _send(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("E-mail to %s: %s\n%s", message.recipient, message.subject, message.body)
        return
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)
