"""E-mails, from the workflow step that queues them to a real SMTP server that receives them."""

import logging
import re
import socket
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.models import Language, Organization, OutboxMessage, Role, Translation, utcnow
from portal.notifications import deliver_outbox
from portal.workflow import (
    approve_version,
    claim_translation,
    drafts_by_key,
    release_statement,
    remind_expiring_claims,
    request_changes,
    save_draft_segment,
    submit_translation,
)
from portal.workflow.accounts import invite_person, request_password_reset

PAIR = "English → Español"
TITLE = "Stop deportations now"
LINK = re.compile(r"https?://\S+")


@dataclass
class Received:
    """One e-mail as the SMTP server got it."""

    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    def subject_reads(self, expected: str) -> bool:
        """The subject is exactly `expected`, spaces included."""
        return self.subject == expected

    @property
    def body(self) -> str:
        return self.message.get_content()


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.received: list[Received] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.received.append(Received(list(envelope.rcpt_tos), message_from_bytes(
            envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        """The messages sent to one address."""
        return [mail for mail in self.received if address in mail.recipients]

    def recipients(self) -> set[str]:
        return {address for mail in self.received for address in mail.recipients}


class SmtpServer:
    """A real SMTP server on 127.0.0.1, in a thread; stop and start it again at will."""

    def __init__(self):
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(app, monkeypatch):
    server = SmtpServer()
    server.start()
    # monkeypatch puts the settings back after the test.
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port,
                       "MAIL_USE_TLS": False, "MAIL_USERNAME": None,
                       "MAIL_FROM": "Statement Portal <portal@portal.test>"}.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def _deliver(db) -> tuple[int, int]:
    sent_failed = deliver_outbox()
    db.session.commit()
    return sent_failed


def _translation(db, statement, tag: str = "es") -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def _people_and_statement(make):
    translator = make.user(translates=["es"], display_name="Ana Translator")
    reviewer = make.user(reviews=["es"], display_name="Rui Reviewer")
    statement = make.statement(targets=["es"], title=TITLE)
    return translator, reviewer, statement


def _submit(db, translator, translation):
    """Claim (unless held), translate every paragraph, submit: the next version."""
    if translation.claimed_by_id != translator.id:
        claim_translation(translator, translation)
    drafts = drafts_by_key(translation)  # after changes were requested, the drafts stay
    for segment in translation.statement.current_revision.segments:
        draft = drafts.get(segment.key)
        save_draft_segment(translator, translation, segment.key, f"[es] {segment.text}",
                           base_revision=draft.revision if draft else 0)
    version = submit_translation(translator, translation)
    db.session.commit()
    return version


def test_review_waiting_goes_to_the_language_reviewers(app, db, make, smtp):
    with app.app_context():
        translator, reviewer, statement = _people_and_statement(make)
        make.user(reviews=["fr"])  # reviews another language: not told
        _submit(db, translator, _translation(db, statement))
        assert _deliver(db) == (1, 0)
    assert smtp.inbox.recipients() == {reviewer.email}
    (mail,) = smtp.inbox.to(reviewer.email)
    assert mail.message["To"] == reviewer.email
    assert mail.message["From"] == "Statement Portal <portal@portal.test>"
    assert mail.subject_reads(f"A translation waits for your review: {TITLE} ({PAIR})")
    assert f"Ana Translator submitted version 1 of “{TITLE}” ({PAIR})" in mail.body


def test_changes_requested_reach_the_translator_with_the_comment(app, db, make, smtp):
    comment = "The second paragraph says “soon”; the source says “now”."
    with app.app_context():
        translator, reviewer, statement = _people_and_statement(make)
        version = _submit(db, translator, _translation(db, statement))
        _deliver(db)
        request_changes(reviewer, version, comment)
        db.session.commit()
        assert _deliver(db) == (1, 0)
    (mail,) = smtp.inbox.to(translator.email)
    assert mail.subject_reads(f"Changes requested: {TITLE} ({PAIR})")
    assert f"Rui Reviewer reviewed version 1 of “{TITLE}” ({PAIR})" in mail.body
    assert comment in mail.body


def test_approval_reaches_the_translator(app, db, make, smtp):
    with app.app_context():
        translator, reviewer, statement = _people_and_statement(make)
        translation = _translation(db, statement)
        first = _submit(db, translator, translation)
        request_changes(reviewer, first, "Please check the title.")
        db.session.commit()
        second = _submit(db, translator, translation)
        approve_version(reviewer, second)
        db.session.commit()
        assert _deliver(db) == (4, 0)
    approved = [mail for mail in smtp.inbox.to(translator.email)
                if mail.subject.startswith("Approved")]
    assert len(approved) == 1 and approved[0].subject_reads(f"Approved: {TITLE} ({PAIR})")
    assert f"Version 2 of “{TITLE}” ({PAIR}) was approved." in approved[0].body
    assert len(smtp.inbox.to(reviewer.email)) == 2  # version 1 and version 2 to review


def test_claim_ending_within_a_day_is_reminded_once(app, db, make, smtp):
    with app.app_context():
        translator, _reviewer, statement = _people_and_statement(make)
        translation = _translation(db, statement)
        claim_translation(translator, translation)
        db.session.commit()
        assert remind_expiring_claims() == 0  # a fresh claim lasts three days
        ends = utcnow() + timedelta(hours=5)
        translation.claim_expires_at = ends
        db.session.commit()
        assert remind_expiring_claims() == 1
        db.session.commit()
        assert remind_expiring_claims() == 0  # once per claim
        assert _deliver(db) == (1, 0)
    (mail,) = smtp.inbox.to(translator.email)
    assert mail.subject_reads(f"Your claim ends within a day: {TITLE} ({PAIR})")
    assert f"Your claim on “{TITLE}” ({PAIR}) ends at {ends:%Y-%m-%d %H:%M} UTC" in mail.body


def test_release_tells_the_organizations_that_need_the_language(app, client, db, make, smtp):
    with app.app_context():
        coordinator = make.user(role=Role.COORDINATOR)
        statement = make.statement(targets=["es", "fr"], title=TITLE, slug="stop-deportations")
        spanish = make.approved_version(statement, "es")
        make.approved_version(statement, "fr")  # approved, but not in this release
        db.session.add_all([
            Organization(name="Red de Trabajadoras", country="ES",
                         contact_email="contacto@red.example",
                         languages=[db.session.get(Language, "es")]),
            Organization(name="Collectif Migrant·es", country="FR",
                         contact_email="contact@collectif.example",
                         languages=[db.session.get(Language, "fr")]),
        ])
        db.session.commit()
        release_statement(coordinator, statement, [spanish], utcnow() - timedelta(minutes=1))
        db.session.commit()
        assert _deliver(db) == (1, 0)
    assert smtp.inbox.recipients() == {"contacto@red.example"}
    (mail,) = smtp.inbox.to("contacto@red.example")
    assert mail.subject == f"Published: {TITLE}"
    assert f"“{TITLE}” is published for Red de Trabajadoras" in mail.body
    (link,) = LINK.findall(mail.body)
    assert f"- Español: {link}" in mail.body
    assert urlsplit(link).path == "/es/statements/stop-deportations"
    assert client.get(urlsplit(link).path).status_code == 200


def test_invitation_email_has_a_working_link(app, client, db, make, smtp):
    make.language("es")
    with app.app_context():
        coordinator = make.user(role=Role.COORDINATOR, display_name="Carmen Coordinator")
        invite_person(coordinator, email="invitee@example.org", role=Role.TRANSLATOR,
                      translates=["es"], reviews=[])
        db.session.commit()
        assert _deliver(db) == (1, 0)
    (mail,) = smtp.inbox.to("invitee@example.org")
    assert mail.subject == "You are invited to translate with Statement Portal"
    assert "Carmen Coordinator invites you" in mail.body and "Español" in mail.body
    (link,) = LINK.findall(mail.body)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "invitee@example.org" in page.get_data(as_text=True)


def test_password_reset_email_has_a_working_link(app, client, db, make, smtp):
    user = make.user()
    with app.app_context():
        request_password_reset(user.email)
        request_password_reset("nobody@example.org")
        db.session.commit()
        assert _deliver(db) == (1, 0)
    (mail,) = smtp.inbox.to(user.email)
    assert mail.subject == "Reset your Statement Portal password"
    (link,) = LINK.findall(mail.body)
    assert client.get(urlsplit(link).path).status_code == 200


def test_without_a_mail_server_emails_go_to_the_log(app, db, make, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    caplog.set_level(logging.INFO, logger="portal.notifications")
    user = make.user()
    with app.app_context():
        request_password_reset(user.email)
        db.session.commit()
        assert _deliver(db) == (1, 0)
    assert f"E-mail to {user.email}: Reset your Statement Portal password" in caplog.text
    assert "/account/password/reset/" in caplog.text
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is not None and message.attempts == 1


def test_failed_delivery_is_kept_for_a_retry(app, db, make, smtp):
    user = make.user()
    smtp.stop()
    with app.app_context():
        request_password_reset(user.email)
        db.session.commit()
        assert _deliver(db) == (0, 1)
        message = db.session.scalar(select(OutboxMessage))
        assert message.sent_at is None and message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error

        smtp.start()  # the server is back: the next run sends it
        assert _deliver(db) == (1, 0)
        assert message.sent_at is not None and message.attempts == 2
        assert message.last_error is None
    assert len(smtp.inbox.to(user.email)) == 1


def test_send_mail_command_reminds_and_delivers(app, db, make, runner, smtp):
    with app.app_context():
        translator, _reviewer, statement = _people_and_statement(make)
        translation = _translation(db, statement)
        claim_translation(translator, translation)
        translation.claim_expires_at = utcnow() + timedelta(hours=2)
        request_password_reset(translator.email)
        db.session.commit()
    result = runner.invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 reminder(s) queued; 2 e-mail(s) sent, 0 failed."
    reset, reminder = sorted(smtp.inbox.to(translator.email), key=lambda mail: mail.subject)
    assert reset.subject == "Reset your Statement Portal password"
    assert reminder.subject_reads(f"Your claim ends within a day: {TITLE} ({PAIR})")
    again = runner.invoke(args=["portal", "send-mail"])
    assert again.output.strip() == "0 reminder(s) queued; 0 e-mail(s) sent, 0 failed."
    assert db.session.scalar(select(OutboxMessage.sent_at).where(
        OutboxMessage.sent_at.is_(None))) is None


def test_send_mail_command_reports_failures(app, db, make, runner, smtp):
    user = make.user()
    smtp.stop()
    with app.app_context():
        request_password_reset(user.email)
        db.session.commit()
    result = runner.invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 reminder(s) queued; 0 e-mail(s) sent, 1 failed."
    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None and message.attempts == 1


def test_a_long_subject_keeps_its_spaces(app, db, make, smtp):
    with app.app_context():
        translator, _reviewer, statement = _people_and_statement(make)
        translation = _translation(db, statement)
        claim_translation(translator, translation)
        translation.claim_expires_at = utcnow() + timedelta(hours=2)
        remind_expiring_claims()
        db.session.commit()
        _deliver(db)
    (mail,) = smtp.inbox.to(translator.email)
    assert mail.subject == f"Your claim ends within a day: {TITLE} ({PAIR})"
