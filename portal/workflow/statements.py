"""Creating statements and their source revisions."""

from datetime import date

from portal.content import split_statement
from portal.extensions import db
from portal.models import SourceRevision, SourceSegment, Statement, Translation, User
from portal.workflow.audit import record_event


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
) -> Statement:
    """Create a statement, its first revision, and a queued translation per target."""
    statement = Statement(slug=slug, source_language_tag=source_language,
                          statement_date=statement_date, created_by=actor)
    db.session.add(statement)
    new_source_revision(statement, actor, title, summary, body)
    for tag in target_languages:
        if tag != source_language:
            db.session.add(Translation(statement=statement, language_tag=tag))
    db.session.flush()
    record_event(actor, "statement.create", statement=statement,
                 detail=f"targets: {', '.join(sorted(target_languages))}")
    return statement
