"""What readers see: the one module that reader pages, the API, search and coordination ask.

A publication is visible while its edition's window covers the moment of the request
(portal.models.Edition): from its release time until the next publication of the same
statement and language, if its statement's source text is public and its language is
enabled. Every query here is an indexed lookup bounded by the page it serves; windows are
compared with the request's time, so a scheduled release appears at its minute with no
job. `refresh_editions` keeps the windows true and is called by every change of
publications (release, unpublish).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import aliased, defer

from portal.caching import note_content_changed
from portal.extensions import db
from portal.models import (
    Edition,
    Language,
    Publication,
    ReaderState,
    Release,
    Review,
    ReviewDecision,
    Statement,
    User,
    Version,
)


def visible_now(now: datetime, edition=Edition):
    """The condition under which readers see `edition` at `now`."""
    return and_(edition.visible_from <= now,
                or_(edition.visible_until.is_(None), edition.visible_until > now),
                edition.statement_from <= now)


def refresh_editions(statement_ids: list[int] | None = None) -> None:
    """Recompute the editions of these statements (all when None) from their publications.

    Set-based, so loading an archive refreshes every statement in two statements of SQL.
    """
    if statement_ids is not None and not statement_ids:
        return

    def scope(column):
        return column.is_not(None) if statement_ids is None else column.in_(statement_ids)

    db.session.flush()
    db.session.execute(delete(Edition).where(scope(Edition.statement_id)))
    following = func.lead(Release.release_at).over(
        partition_by=(Publication.statement_id, Publication.language_tag),
        order_by=(Release.release_at, Publication.id))
    db.session.execute(insert(Edition).from_select(
        ["publication_id", "statement_id", "language_tag", "statement_date",
         "source_revision_id", "visible_from", "visible_until", "is_source"],
        select(Publication.id, Publication.statement_id, Publication.language_tag,
               Statement.statement_date, Publication.source_revision_id, Release.release_at,
               following, Publication.language_tag == Statement.source_language_tag)
        .join(Release, Release.id == Publication.release_id)
        .join(Statement, Statement.id == Publication.statement_id)
        .where(Publication.withdrawn_at.is_(None), scope(Publication.statement_id))))
    # A statement is readable from the first release of its source text on.
    source = aliased(Edition)
    first_source_release = (
        select(func.min(source.visible_from))
        .join(Statement, Statement.id == source.statement_id)
        .where(source.statement_id == Edition.statement_id,
               source.language_tag == Statement.source_language_tag)
        .scalar_subquery())
    db.session.execute(update(Edition).where(scope(Edition.statement_id))
                       .values(statement_from=first_source_release)
                       .execution_options(synchronize_session=False))
    content_changed(statement_ids)


def content_changed(statement_ids: list[int] | None = None) -> None:
    """Raise the generation of what readers see: cached public pages are made afresh —
    these statements' own pages and every list, or everything (None)."""
    note_content_changed(None if statement_ids is None else list(db.session.scalars(
        select(Statement.slug).where(Statement.id.in_(statement_ids)))))
    db.session.execute(update(ReaderState).where(ReaderState.id == 1)
                       .values(generation=ReaderState.generation + 1))


@dataclass(frozen=True)
class Shown:
    """One visible language of a statement: which publication, since when, of which source."""

    publication_id: int
    statement_id: int
    language_tag: str
    released_at: datetime
    source_revision_id: int
    current_source_revision_id: int


def enabled_languages() -> list[Language]:
    """Every language coordinators have enabled."""
    return list(db.session.scalars(
        select(Language).where(Language.enabled).order_by(Language.tag)))


def languages_with_content(now: datetime) -> list[str]:
    """Tags of the enabled languages in which at least one statement can be read.

    One probe of the listing index per enabled language, each stopping at its first hit.
    """
    return list(db.session.scalars(
        select(Language.tag).where(
            Language.enabled,
            exists().where(Edition.language_tag == Language.tag, visible_now(now)))
        .order_by(Language.tag)))


class Listed(NamedTuple):
    """One statement of a listing: the text shown, and whether it is in the asked language."""

    Publication: Publication
    Statement: Statement
    released_at: datetime
    translated: bool


def statement_listing(language_tag: str, now: datetime, page: int, per_page: int,
                      with_body: bool = False) -> tuple[list[Listed], int]:
    """A page of every readable statement, newest first, each in `language_tag` where it
    can be read in it, else in its source language; and how many statements there are.

    Walks the source editions by `ix_editions_sources` and looks up each one's edition in
    `language_tag` by `ix_editions_statement`: bounded by the page, whatever the archive.
    """
    source = aliased(Edition, name="source_edition")
    own = aliased(Edition, name="own_edition")
    readable = and_(source.is_source, visible_now(now, source))
    newest_first = (source.statement_date.desc(), source.visible_from.desc(),
                    source.statement_id.desc())
    # The page's statements first, from the index alone (an index-only scan on
    # PostgreSQL): pages deep in the archive skip index entries, not joined rows.
    page_of = (select(source.statement_id, source.publication_id, source.visible_from,
                      source.statement_date)
               .where(readable).order_by(*newest_first)
               .limit(per_page).offset((page - 1) * per_page).subquery("page_of"))
    rows = db.session.execute(
        select(Publication, Statement,
               func.coalesce(own.visible_from, page_of.c.visible_from).label("released_at"),
               own.publication_id.is_not(None).label("translated"))
        .select_from(page_of)
        .outerjoin(own, and_(own.statement_id == page_of.c.statement_id,
                             own.language_tag == language_tag, visible_now(now, own)))
        .join(Publication,
              Publication.id == func.coalesce(own.publication_id, page_of.c.publication_id))
        .join(Statement, Statement.id == page_of.c.statement_id)
        .options(*([] if with_body else [defer(Publication.body)]))
        .order_by(page_of.c.statement_date.desc(), page_of.c.visible_from.desc(),
                  page_of.c.statement_id.desc())
    ).all()
    total = db.session.scalar(select(func.count()).select_from(source).where(readable))
    return [Listed(*row) for row in rows], total


# What `_shown` reads of an edition, selected as plain rows: a sitemap file or an API
# page reads thousands, and loading them as ORM objects took a third of its time.
_EDITION_COLUMNS = (Edition.statement_id, Edition.language_tag, Edition.publication_id,
                    Edition.visible_from, Edition.source_revision_id)


def _shown(rows, source_tags: dict[int, str]) -> dict[int, dict[str, Shown]]:
    """{statement id: {tag: Shown}} from visible edition rows, with each source's revision."""
    by_statement: dict[int, dict[str, Edition]] = {}
    for edition in rows:
        by_statement.setdefault(edition.statement_id, {})[edition.language_tag] = edition
    result = {}
    for statement_id, editions in by_statement.items():
        source = editions.get(source_tags[statement_id])
        current = source.source_revision_id if source else None
        result[statement_id] = {tag: Shown(edition.publication_id, statement_id, tag,
                                           edition.visible_from, edition.source_revision_id,
                                           current)
                                for tag, edition in sorted(editions.items())}
    return result


def _visible_editions(now: datetime, *conditions):
    return db.session.execute(
        select(*_EDITION_COLUMNS).join(Language, Language.tag == Edition.language_tag)
        .where(Language.enabled, visible_now(now), *conditions)).all()


def statement_availability(slug: str, now: datetime):
    """The statement and its visible languages as {tag: Shown}, or (None, {})."""
    statement = db.session.scalar(select(Statement).where(Statement.slug == slug))
    if statement is None:
        return None, {}
    return _availability_of(statement, now)


def _availability_of(statement: Statement, now: datetime):
    shown = _shown(_visible_editions(now, Edition.statement_id == statement.id),
                   {statement.id: statement.source_language_tag}).get(statement.id, {})
    if statement.source_language_tag not in shown:
        return None, {}
    return statement, shown


def readers_see(statement: Statement, now: datetime) -> list[Shown]:
    """What readers see of one statement now, by language (empty while it is not public)."""
    return list(_availability_of(statement, now)[1].values())


def availability_for(statement_ids: list[int], now: datetime) -> dict[int, list[Shown]]:
    """Visible languages of many statements at once, as {statement_id: [Shown]}."""
    result: dict[int, list[Shown]] = {statement_id: [] for statement_id in statement_ids}
    if not statement_ids:
        return result
    rows = db.session.execute(
        select(*_EDITION_COLUMNS, Statement.source_language_tag)
        .join(Language, Language.tag == Edition.language_tag)
        .join(Statement, Statement.id == Edition.statement_id)
        .where(Language.enabled, visible_now(now), Edition.statement_id.in_(statement_ids))
    ).all()
    sources = {row.statement_id: row.source_language_tag for row in rows}
    for statement_id, shown in _shown(rows, sources).items():
        result[statement_id] = list(shown.values())
    return result


def visible_statements(now: datetime, first_id: int = 1, last_id: int | None = None,
                       batch: int = 500) -> Iterator[tuple[Statement, list[Shown]]]:
    """Readable statements with ids in [first_id, last_id], with their visible languages.

    Keyset pagination by statement id: memory stays bounded by one batch however large
    the archive (for the sitemaps).
    """
    after = first_id - 1
    while True:
        statements = db.session.scalars(
            select(Statement).where(
                Statement.id > after,
                *([] if last_id is None else [Statement.id <= last_id]),
                exists().where(Edition.statement_id == Statement.id,
                               Edition.language_tag == Statement.source_language_tag,
                               visible_now(now)))
            .order_by(Statement.id).limit(batch)).all()
        if not statements:
            return
        languages = availability_for([statement.id for statement in statements], now)
        for statement in statements:
            if languages[statement.id]:
                yield statement, languages[statement.id]
        after = statements[-1].id  # the session's identity map holds objects weakly


def next_change(now: datetime) -> datetime | None:
    """The next moment after `now` at which what readers see may change by itself.

    Every window starts or ends at some release's time (a statement becomes readable at
    its source's first release), so it is the next release time: caches must not outlive it.
    """
    return db.session.scalar(select(func.min(Release.release_at))
                             .where(Release.release_at > now))


def source_is_public(statement: Statement, now: datetime) -> bool:
    """Readers see the statement's current source text now."""
    return db.session.scalar(select(exists().where(
        Edition.statement_id == statement.id,
        Edition.language_tag == statement.source_language_tag,
        Edition.source_revision_id == statement.current_revision_id,
        visible_now(now)))) or False


def scheduled_times(statement_ids: list[int], now: datetime) -> dict[tuple[int, str], datetime]:
    """{(statement id, language): when} for languages whose newest release is still to come.

    What coordinators see as "Scheduled" rather than "Published": readers do not see that
    text yet. One indexed query for a page of statements.
    """
    if not statement_ids:
        return {}
    rows = db.session.execute(
        select(Edition.statement_id, Edition.language_tag, Edition.visible_from,
               Edition.statement_from)
        .where(Edition.statement_id.in_(statement_ids), Edition.visible_until.is_(None),
               not_yet_readable(now))).all()
    return {(statement_id, tag): max(start, statement_from)
            for statement_id, tag, start, statement_from in rows}


def newest_edition(statement_id, language_tag):
    """Join condition to the newest edition of a statement in a language, if any."""
    return and_(Edition.statement_id == statement_id, Edition.language_tag == language_tag,
                Edition.visible_until.is_(None))


def scheduled_at(visible_from: datetime | None, statement_from: datetime | None,
                 now: datetime) -> datetime | None:
    """When the newest edition (its window start, and its statement's) becomes readable, if
    that is after `now`; None when it is readable already or not released at all."""
    if visible_from is None or statement_from is None:
        return None
    moment = max(visible_from, statement_from)
    return moment if moment > now else None


def not_yet_readable(now: datetime, edition=Edition):
    """SQL twin of `scheduled_at(...) is not None`: released, but not readable before later."""
    return and_(edition.statement_from.is_not(None),
                or_(edition.visible_from > now, edition.statement_from > now))


@dataclass(frozen=True)
class Credits:
    """Who made a published translation: the names readers may see, and whether anyone
    who made it is left unnamed (they did not consent)."""

    translators: list[str]
    reviewers: list[str]
    unnamed: bool


def publication_with_credits(publication_id: int) -> tuple[Publication, Credits | None]:
    """A publication, and for a translation its translators (the authors of its version
    and of the versions before it) and approving reviewers, named only where each gave
    consent. One query: the reader's statement page stays within its budget."""
    published = aliased(Publication)
    shown_version = aliased(Version)
    authors = (select(published.id.label("publication_id"), User.id, User.display_name,
                      User.credit_consent, literal("translator").label("part"))
               .join(shown_version, shown_version.id == published.version_id)
               .join(Version, and_(Version.translation_id == shown_version.translation_id,
                                   Version.number <= shown_version.number))
               .join(User, User.id == Version.created_by_id)
               .where(published.id == publication_id))
    reviewers = (select(published.id.label("publication_id"), User.id, User.display_name,
                        User.credit_consent, literal("reviewer").label("part"))
                 .join(Review, and_(Review.version_id == published.version_id,
                                    Review.decision == ReviewDecision.APPROVED))
                 .join(User, User.id == Review.reviewer_id)
                 .where(published.id == publication_id))
    makers = union_all(authors, reviewers).subquery()
    rows = db.session.execute(
        select(Publication, makers.c.id, makers.c.display_name, makers.c.credit_consent,
               makers.c.part)
        .outerjoin(makers, makers.c.publication_id == Publication.id)
        .where(Publication.id == publication_id)).all()
    publication = rows[0][0]
    if publication.version_id is None:
        return publication, None
    people: dict[str, dict[int, str]] = {"translator": {}, "reviewer": {}}
    unnamed = False
    for _publication, person_id, name, consent, part in rows:
        if person_id is None:
            continue
        if consent:
            people[part][person_id] = name
        else:
            unnamed = True
    return publication, Credits(sorted(people["translator"].values()),
                                sorted(people["reviewer"].values()), unnamed)
