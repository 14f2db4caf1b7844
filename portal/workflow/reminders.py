"""Deadline reminders: to the claimant a day before, to coordinators when the deadline passes.

Each reminder is recorded in `deadline_reminders` in the same transaction as the e-mails it
queues, so a command run every few minutes sends each one once; a moved deadline is a new
deadline and is reminded again. Like the transitions, these functions flush and the
command commits.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    DeadlineReminder,
    Role,
    Statement,
    Translation,
    TranslationState,
    User,
    utcnow,
)
from portal.notifications import language_pair, portal_url, queue_email

# The claimant hears a day ahead, in time to finish or hand the work back.
BEFORE_DEADLINE = timedelta(hours=24)
# Deadlines that passed longer ago than this are not announced: a first run on an old
# archive, or a timer that was off for days, should not flood coordinators with history.
AFTER_DEADLINE = timedelta(hours=48)
# Work that is not yet approved: coordinators hear of these languages at the deadline.
NOT_APPROVED = (TranslationState.QUEUED, TranslationState.IN_PROGRESS,
                TranslationState.IN_REVIEW, TranslationState.NEEDS_UPDATE)


def _not_reminded(kind: str):
    return ~exists().where(DeadlineReminder.translation_id == Translation.id,
                           DeadlineReminder.kind == kind,
                           DeadlineReminder.deadline == Statement.deadline)


def remind_claimants_of_deadlines(now: datetime | None = None) -> int:
    """E-mail each claimant whose translation is due within a day, once per deadline."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Translation).join(Statement, Statement.id == Translation.statement_id)
        .where(Translation.state == TranslationState.IN_PROGRESS,
               Statement.deadline > now, Statement.deadline <= now + BEFORE_DEADLINE,
               _not_reminded("claimant"))
        .options(joinedload(Translation.statement), joinedload(Translation.claimed_by))
        .order_by(Translation.id)
    ).all()
    for translation in due:
        queue_email(translation.claimed_by, "deadline_soon", translation=translation,
                    pair=language_pair(translation), deadline=translation.statement.deadline,
                    link=portal_url("desk.editor", translation_id=translation.id))
        db.session.add(DeadlineReminder(translation_id=translation.id, kind="claimant",
                                        deadline=translation.statement.deadline))
    db.session.flush()
    return len(due)


def remind_coordinators_of_deadlines(now: datetime | None = None) -> int:
    """At a statement's deadline, e-mail every coordinator the languages not yet approved.

    One e-mail per coordinator and statement; returns how many e-mails were queued.
    """
    now = now or utcnow()
    late = db.session.scalars(
        select(Translation).join(Statement, Statement.id == Translation.statement_id)
        .where(Translation.state.in_(NOT_APPROVED),
               Statement.deadline <= now, Statement.deadline > now - AFTER_DEADLINE,
               _not_reminded("coordinators"))
        .options(joinedload(Translation.statement))
        .order_by(Translation.statement_id, Translation.language_tag)
    ).all()
    if not late:
        return 0
    by_statement: dict[int, list[Translation]] = defaultdict(list)
    for translation in late:
        by_statement[translation.statement_id].append(translation)
        db.session.add(DeadlineReminder(translation_id=translation.id, kind="coordinators",
                                        deadline=translation.statement.deadline))
    coordinators = db.session.scalars(
        select(User).where(User.role.in_((Role.COORDINATOR, Role.ADMIN)),
                           User.active.is_(True)).order_by(User.id)).all()
    for translations in by_statement.values():
        statement = translations[0].statement
        for coordinator in coordinators:
            queue_email(coordinator, "deadline_passed", statement=statement,
                        translations=translations, deadline=statement.deadline,
                        link=portal_url("coordinate.progress"),
                        links={translation.id: portal_url("coordinate.translation",
                                                          translation_id=translation.id)
                               for translation in translations})
    db.session.flush()
    return len(by_statement) * len(coordinators)


def remind_deadlines(now: datetime | None = None) -> int:
    """Both deadline reminders; how many e-mails were queued."""
    now = now or utcnow()
    return remind_claimants_of_deadlines(now) + remind_coordinators_of_deadlines(now)
