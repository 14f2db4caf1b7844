"""Releasing statements: the source and approved versions go public at a time."""

from datetime import datetime

from portal.content import Segment, join_statement
from portal.extensions import db
from portal.models import (
    Publication,
    Release,
    Statement,
    TranslationState,
    User,
    Version,
)
from portal.workflow.audit import record_event


class ReleaseRefused(ValueError):
    """The release cannot be made; the message says why."""


def assemble_version(version: Version) -> tuple[str, str, str]:
    """A version's (title, summary, body), joined with its source revision's markup."""
    source = {segment.position: segment for segment in version.source_revision.segments}
    return join_statement([
        Segment(source[part.position].kind, part.text, source[part.position].markup)
        for part in version.segments
    ])


def release_statement(actor: User | None, statement: Statement, versions: list[Version],
                      release_at: datetime, note: str = "") -> Release:
    """Publish the current source and the given approved versions together at `release_at`."""
    for version in versions:
        if version.translation.statement_id != statement.id:
            raise ReleaseRefused("A version of another statement cannot be released here.")
        if version.translation.state != TranslationState.APPROVED:
            raise ReleaseRefused(
                f"{version.translation.language_tag} is {version.translation.state.value}, "
                "not approved."
            )
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
    db.session.flush()
    record_event(actor, "statement.release", statement=statement,
                 detail=f"{len(versions)} translation(s) at {release_at.isoformat()}")
    return release
