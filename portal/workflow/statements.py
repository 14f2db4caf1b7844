"""Creating statements and their source revisions."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.content import split_statement
from portal.extensions import db
from portal.models import (
    SourceRevision,
    SourceSegment,
    Statement,
    Translation,
    TranslationState,
    User,
)
from portal.models.languages import autonym
from portal.visibility import refresh_editions
from portal.workflow.audit import record_event
from portal.workflow.errors import NotAllowed, WorkflowError
from portal.workflow.permissions import is_coordinator

# Work that was finished against the old source and so falls behind when it changes.
OUTDATABLE_STATES = (TranslationState.IN_REVIEW, TranslationState.APPROVED,
                     TranslationState.PUBLISHED)


def _check_may_edit(actor: User | None) -> None:
    # `None` is the portal itself (demo loader, command line); people must coordinate.
    if actor is not None and not is_coordinator(actor):
        raise NotAllowed(_l("Only coordinators write and edit statements."))


def new_source_revision(statement: Statement, actor: User | None, title: str, summary: str,
                        body: str) -> SourceRevision:
    """Save the source text as the statement's next revision, cut into segments."""
    number = len(statement.revisions) + 1
    revision = SourceRevision(statement=statement, number=number, title=title.strip(),
                              summary=summary.strip(), body=body.strip(),
                              created_by_id=actor.id if actor else None)
    revision.segments = [
        SourceSegment(position=position, kind=segment.kind, markup=segment.markup,
                      key=segment.key, text=segment.text)
        for position, segment in enumerate(split_statement(title, summary, body))
    ]
    db.session.add(revision)
    statement.current_revision = revision
    return revision


def create_statement(
    actor: User | None,
    *,
    slug: str,
    source_language: str,
    statement_date: date,
    title: str,
    summary: str,
    body: str,
    target_languages: list[str],
    deadline: datetime | None = None,
    guidance: str = "",
) -> Statement:
    """Create a statement, its first revision, and a queued translation per target."""
    _check_may_edit(actor)
    if db.session.scalar(select(Statement.id).where(Statement.slug == slug)) is not None:
        raise WorkflowError(_l("The address %(slug)s is taken by another statement.",
                               slug=slug), 400)
    statement = Statement(slug=slug, source_language_tag=source_language,
                          statement_date=statement_date, deadline=deadline, created_by=actor,
                          guidance=guidance)
    db.session.add(statement)
    new_source_revision(statement, actor, title, summary, body)
    for tag in target_languages:
        if tag != source_language:
            db.session.add(Translation(statement=statement, language_tag=tag))
    db.session.flush()
    record_event(actor, "statement.create", statement=statement,
                 detail=f"targets: {', '.join(sorted(target_languages))}")
    return statement


def revise_source(actor: User | None, statement: Statement, title: str, summary: str,
                  body: str) -> SourceRevision | None:
    """Save an edit of the source; returns None when no segment really changed.

    Translations whose latest version no longer matches the source's segments become
    `needs_update`; their published text stays online until a new release.
    """
    _check_may_edit(actor)
    current = statement.current_revision
    proposed = split_statement(title, summary, body)
    if [(s.kind, s.key, s.markup) for s in proposed] == [
            (s.kind, s.key, s.markup) for s in current.segments]:
        return None
    revision = new_source_revision(statement, actor, title, summary, body)
    db.session.flush()
    keys = [segment.key for segment in revision.segments]
    for translation in db.session.scalars(
            select(Translation).where(Translation.statement_id == statement.id)):
        if translation.state not in OUTDATABLE_STATES or not translation.versions:
            continue
        if [part.segment_key for part in translation.versions[-1].segments] != keys:
            record_event(actor, "translation.needs_update", translation=translation,
                         from_state=translation.state, to_state=TranslationState.NEEDS_UPDATE,
                         detail=f"source revision {revision.number}")
            translation.state = TranslationState.NEEDS_UPDATE
    record_event(actor, "statement.revise", statement=statement,
                 detail=f"revision {revision.number}")
    db.session.flush()
    return revision


def update_statement_details(actor: User | None, statement: Statement, *,
                             statement_date: date, deadline, target_languages: list[str],
                             guidance: str | None = None) -> None:
    """Change a statement's date, deadline, target languages and guidance for translators.

    A target can be dropped only while nobody has worked on it.
    """
    _check_may_edit(actor)
    wanted = set(target_languages) - {statement.source_language_tag}
    existing = {t.language_tag: t for t in db.session.scalars(
        select(Translation).where(Translation.statement_id == statement.id))}
    for tag in sorted(set(existing) - wanted):
        translation = existing[tag]
        if translation.state != TranslationState.QUEUED or translation.versions or \
                translation.drafts:
            raise WorkflowError(_l("%(language)s already has work in it and cannot be dropped.",
                                   language=autonym(tag)), 400)
    new_guidance = guidance is not None and guidance != statement.guidance
    if new_guidance:
        statement.guidance = guidance
    changed = (statement.statement_date != statement_date or statement.deadline != deadline
               or wanted != set(existing) or new_guidance)
    if not changed:
        return
    redated = statement.statement_date != statement_date
    statement.statement_date = statement_date
    statement.deadline = deadline
    for tag in sorted(wanted - set(existing)):
        db.session.add(Translation(statement=statement, language_tag=tag))
    for tag in sorted(set(existing) - wanted):
        db.session.delete(existing[tag])
    db.session.flush()
    if redated:
        refresh_editions([statement.id])  # listings are ordered by the date
    record_event(actor, "statement.update", statement=statement,
                 detail=f"targets: {', '.join(sorted(wanted))}")
