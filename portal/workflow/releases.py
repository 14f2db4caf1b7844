"""Releasing statements: the source and approved versions go public at a time."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.content import Segment, join_statement
from portal.extensions import db
from portal.models import (
    Language,
    Organization,
    Publication,
    Release,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    utcnow,
)
from portal.models.languages import autonym
from portal.notifications import portal_url, queue_email
from portal.visibility import refresh_editions
from portal.workflow.audit import record_event
from portal.workflow.corrections import close_correction
from portal.workflow.errors import AlreadyDone, NotAllowed, WorkflowError
from portal.workflow.locks import lock
from portal.workflow.permissions import can_release, latest_version


class ReleaseRefused(WorkflowError):
    """The release cannot be made; the message says why."""

    status = 400


def assemble_version(version: Version) -> tuple[str, str, str]:
    """A version's (title, summary, body), joined with its source revision's markup."""
    source = {segment.position: segment for segment in version.source_revision.segments}
    return join_statement([
        Segment(source[part.position].kind, part.text, source[part.position].markup)
        for part in version.segments
    ])


def release_statement(actor: User | None, statement: Statement, versions: list[Version],
                      release_at: datetime, note: str = "") -> Release:
    """Publish the current source and the given approved versions together at `release_at`.

    `actor` None is the system itself (the demo loader); people must be coordinators.
    """
    if actor is not None and not can_release(actor):
        raise NotAllowed(_l("Only coordinators release statements."))
    lock(statement)
    check_not_released(statement, {version.id for version in versions})
    for version in versions:
        translation = version.translation
        if translation.statement_id != statement.id:
            raise ReleaseRefused(_l("A version of another statement cannot be released here."))
        if translation.state != TranslationState.APPROVED or \
                latest_version(translation) is not version:
            raise ReleaseRefused(_l("%(language)s has no approved version to release.",
                                    language=autonym(translation.language_tag)))
    revision = statement.current_revision
    release = Release(statement=statement, release_at=release_at, created_by=actor, note=note)
    db.session.add(release)
    db.session.add(Publication(
        statement=statement, release=release, language_tag=statement.source_language_tag,
        source_revision=revision, title=revision.title, summary=revision.summary,
        body=revision.body,
    ))
    for version in versions:
        title, summary, body = assemble_version(version)
        db.session.add(Publication(
            statement=statement, release=release, language_tag=version.translation.language_tag,
            source_revision=version.source_revision, version_id=version.id,
            title=title, summary=summary, body=body,
        ))
        version.translation.state = TranslationState.PUBLISHED
        record_event(actor, "translation.release", translation=version.translation,
                     from_state=TranslationState.APPROVED, to_state=TranslationState.PUBLISHED,
                     detail=f"version {version.number} at {release_at.isoformat()}")
        close_correction(actor, version.translation, version, release_at)
    db.session.flush()
    refresh_editions([statement.id])
    record_event(actor, "statement.release", statement=statement,
                 detail=f"{len(versions)} translation(s) at {release_at.isoformat()}")
    _tell_member_organizations(statement, release)
    return release


def release_correction(actor: User, version: Version, now: datetime | None = None) -> Release:
    """Put an approved correction online at once, on its own: the source and the other
    languages are already public and stay as they are. Called by approve_version."""
    now = now or utcnow()
    translation = version.translation
    statement = translation.statement
    title, summary, body = assemble_version(version)
    release = Release(statement=statement, release_at=now, created_by=actor,
                      note=f"correction of {translation.language_tag}")
    db.session.add(release)
    db.session.add(Publication(
        statement=statement, release=release, language_tag=translation.language_tag,
        source_revision=version.source_revision, version_id=version.id,
        title=title, summary=summary, body=body))
    translation.state = TranslationState.PUBLISHED
    record_event(actor, "translation.release", translation=translation,
                 from_state=TranslationState.APPROVED, to_state=TranslationState.PUBLISHED,
                 detail=f"version {version.number} at {now.isoformat()} (correction)")
    close_correction(actor, translation, version, now)
    db.session.flush()
    refresh_editions([statement.id])
    return release


def check_not_released(statement: Statement, version_ids: set[int]) -> None:
    """Refuse, as information, a release that would repeat what is already released."""
    if is_repeat_release(statement, version_ids):
        raise AlreadyDone(_l("This was already released: the current text and these "
                             "translations are published, so nothing was released again."))


def is_repeat_release(statement: Statement, version_ids: set[int]) -> bool:
    """True when the current source and every one of these versions are already released.

    A second click on "Release" (or a twin request racing the first) then changes nothing
    and e-mails nobody. Call it with the statement locked.
    """
    released = db.session.execute(
        select(Publication.version_id, Publication.source_revision_id).where(
            Publication.statement_id == statement.id, Publication.withdrawn_at.is_(None))
    ).all()
    source_released = any(version_id is None and revision_id ==
                          statement.current_revision_id for version_id, revision_id in released)
    return source_released and version_ids <= {version_id for version_id, _ in released}


def _tell_member_organizations(statement: Statement, release: Release) -> None:
    """E-mail each member organization that needs a language this release publishes."""
    tags = {publication.language_tag for publication in release.publications}
    organizations = db.session.scalars(
        select(Organization).join(Organization.languages)
        .where(Language.tag.in_(tags), Organization.contact_email.is_not(None)).distinct()
    ).all()
    for organization in organizations:
        needed = sorted(tags & {language.tag for language in organization.languages})
        queue_email(organization.contact_email, "statement_published", statement=statement,
                    organization=organization, release=release, languages=needed,
                    links={tag: portal_url("reader.statement", lang=tag, slug=statement.slug)
                           for tag in needed})


def unpublish(actor: User, statement: Statement, language_tag: str, reason: str) -> int:
    """Withdraw what readers see of a statement in one language (the source: all of it)."""
    if not can_release(actor):
        raise NotAllowed(_l("Only coordinators unpublish statements."))
    if not reason.strip():
        raise WorkflowError(_l("Give a reason: it is kept in the audit log."), 400)
    lock(statement)
    now = utcnow()
    withdrawn = 0
    for publication in db.session.scalars(select(Publication).where(
            Publication.statement_id == statement.id, Publication.language_tag == language_tag,
            Publication.withdrawn_at.is_(None))):
        publication.withdrawn_at = now
        publication.withdrawn_reason = reason.strip()
        withdrawn += 1
    if not withdrawn:
        check_not_withdrawn(statement, language_tag)
        raise WorkflowError(_l("Nothing is published in this language."), 400)
    translation = db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == language_tag))
    from_state = translation.state if translation else None
    if translation is not None and translation.state == TranslationState.PUBLISHED:
        translation.state = TranslationState.APPROVED
    refresh_editions([statement.id])
    record_event(actor, "statement.unpublish", statement=statement, translation=translation,
                 from_state=from_state, to_state=translation.state if translation else None,
                 detail=f"{language_tag}: {reason.strip()}")
    db.session.flush()
    return withdrawn


def check_not_withdrawn(statement: Statement, language_tag: str) -> None:
    """A repeated unpublish is told that the language was already taken away."""
    withdrawn = db.session.scalar(select(Publication.id).where(
        Publication.statement_id == statement.id, Publication.language_tag == language_tag,
        Publication.withdrawn_at.is_not(None)).limit(1))
    if withdrawn is not None:
        raise AlreadyDone(_l("%(language)s was already unpublished.",
                             language=autonym(language_tag)))
