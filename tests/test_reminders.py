"""Deadline reminders: queued once each, to the right people, saying what is due and where."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import DeadlineReminder, OutboxMessage, Role, Translation, utcnow
from portal.workflow import claim_translation, save_draft_segment, submit_translation
from portal.workflow.reminders import (
    remind_claimants_of_deadlines,
    remind_coordinators_of_deadlines,
)

TITLE = "Stop deportations now"


def translation_of(db, statement, tag: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def outbox(db, kind: str) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


@pytest.fixture
def claimed(app, db, make):
    """A statement in es and fr; Ana holds the es translation."""
    with app.app_context():
        translator = make.user(translates=["es"], display_name="Ana Translator",
                               email="ana@example.org")
        statement = make.statement(targets=["es", "fr"], title=TITLE)
        claim_translation(translator, translation_of(db, statement, "es"))
        db.session.commit()
        yield translator, statement


def test_the_claimant_is_reminded_once_a_day_before_the_deadline(app, db, claimed):
    translator, statement = claimed
    now = utcnow()
    statement.deadline = now + timedelta(hours=30)
    db.session.commit()
    assert remind_claimants_of_deadlines(now) == 0  # more than a day ahead
    assert remind_claimants_of_deadlines(now + timedelta(hours=7)) == 1
    db.session.commit()
    for later in (7, 8, 29):  # every later run: nothing more
        assert remind_claimants_of_deadlines(now + timedelta(hours=later)) == 0
    (mail,) = outbox(db, "deadline_soon")
    assert mail.recipient == "ana@example.org"
    assert mail.subject == f"Due within a day: {TITLE} (English → Español)"
    deadline = statement.deadline.strftime("%Y-%m-%d %H:%M UTC")
    assert f"The deadline for “{TITLE}” (English → Español) is {deadline}." in mail.body
    assert "submit it for review before then, or release it" in mail.body
    link = re.search(r"https?://\S+", mail.body)[0]
    assert link.endswith(f"/desk/translations/{translation_of(db, statement, 'es').id}")
    # Nobody holds the fr translation: nobody else is written to.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_moved_deadline_is_reminded_again(app, db, claimed):
    _translator, statement = claimed
    now = utcnow()
    statement.deadline = now + timedelta(hours=10)
    db.session.commit()
    assert remind_claimants_of_deadlines(now) == 1
    statement.deadline = now + timedelta(hours=20)  # extended: a new deadline to meet
    db.session.commit()
    assert remind_claimants_of_deadlines(now) == 1
    assert remind_claimants_of_deadlines(now) == 0
    assert len(outbox(db, "deadline_soon")) == 2


def test_no_claimant_reminder_after_the_deadline_or_without_a_claim(app, db, make, claimed):
    _translator, statement = claimed
    now = utcnow()
    statement.deadline = now - timedelta(minutes=1)
    unclaimed = make.statement(targets=["es"])
    unclaimed.deadline = now + timedelta(hours=2)
    db.session.commit()
    assert remind_claimants_of_deadlines(now) == 0


def test_coordinators_hear_at_the_deadline_of_every_language_not_approved(app, db, make):
    with app.app_context():
        for email, role, language in (("carmen@example.org", Role.COORDINATOR, None),
                                      ("adele@example.org", Role.ADMIN, "es")):
            make.user(role=role, email=email, interface_language=language)
        make.user(role=Role.COORDINATOR, email="gone@example.org", active=False)
        translator = make.user(translates=["ar"], display_name="Amal")
        statement = make.statement(targets=["es", "fr", "ar", "de"], title=TITLE)
        make.approved_version(statement, "es")
        claim_translation(translator, translation_of(db, statement, "ar"))
        deadline = utcnow() + timedelta(hours=1)
        statement.deadline = deadline
        db.session.commit()

        assert remind_coordinators_of_deadlines(deadline - timedelta(minutes=1)) == 0
        assert remind_coordinators_of_deadlines(deadline) == 2  # one e-mail each
        db.session.commit()
        assert remind_coordinators_of_deadlines(deadline + timedelta(minutes=5)) == 0
        assert remind_coordinators_of_deadlines(deadline + timedelta(hours=30)) == 0

    english, spanish = outbox(db, "deadline_passed")
    assert (english.recipient, spanish.recipient) == ("carmen@example.org",
                                                      "adele@example.org")
    assert english.subject == f"Deadline passed, 3 languages not approved: {TITLE}"
    late = re.findall(r"^- (.+?) \((\w+)\): (.+)$", english.body, re.M)
    assert late == [("العربية", "ar", "In progress, claimed by Amal"),
                    ("Deutsch", "de", "Queued"), ("Français", "fr", "Queued")]
    for tag in ("ar", "de", "fr"):
        assert f"/coordinate/translations/{translation_of(db, statement, tag).id}" \
            in english.body
    assert "Español" not in english.body  # approved: nothing to chase
    # The administrator reads Spanish: the states are in her language.
    assert "(de): En cola" in spanish.body and "(fr): En cola" in spanish.body
    assert db.session.scalar(select(func.count()).select_from(DeadlineReminder)) == 3


def test_deadlines_long_past_are_not_announced(app, db, make):
    with app.app_context():
        make.user(role=Role.COORDINATOR)
        statement = make.statement(targets=["es"])
        statement.deadline = utcnow() - timedelta(days=3)  # say, a first run on an archive
        db.session.commit()
        assert remind_coordinators_of_deadlines() == 0


def test_the_remind_command_sends_each_reminder_once(app, db, make, runner, claimed):
    translator, statement = claimed
    make.user(role=Role.COORDINATOR, email="carmen@example.org")
    other = make.statement(targets=["fr"], title="Papers for all")
    with app.app_context():
        statement.deadline = utcnow() + timedelta(hours=3)  # Ana's es: due within a day
        db.session.get(type(other), other.id).deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    first = runner.invoke(args=["portal", "remind"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2 reminder(s) queued."
    for _ in range(2):
        again = runner.invoke(args=["portal", "remind"])
        assert again.output.strip() == "0 reminder(s) queued."
    db.session.expire_all()
    assert [mail.recipient for mail in outbox(db, "deadline_soon")] == ["ana@example.org"]
    assert [mail.recipient for mail in outbox(db, "deadline_passed")] == ["carmen@example.org"]
    # send-mail queues the same reminders (none left) and delivers them.
    result = runner.invoke(args=["portal", "send-mail"])
    assert result.output.strip().startswith("0 reminder(s) queued; 2 e-mail(s) sent")


def test_a_submitted_translation_is_not_chased_by_its_claimant_reminder(app, db, claimed):
    translator, statement = claimed
    translation = translation_of(db, statement, "es")
    for key in dict.fromkeys(segment.key for segment in statement.current_revision.segments):
        save_draft_segment(translator, translation, key, "[es] text", 0)
    submit_translation(translator, translation)
    statement.deadline = utcnow() + timedelta(hours=2)
    db.session.commit()
    assert remind_claimants_of_deadlines() == 0
