"""What readers may see: the current publication per statement and language.

Visibility is computed when read — a release whose time has not come is simply not yet
matched — so an embargo lifts by itself, with no job to run.
"""

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import defer

from portal.extensions import db
from portal.models import Language, Publication, Release, Statement


def visible_publications(now: datetime):
    """A CTE of (publication_id, statement_id, language_tag, released_at, source_revision_id).

    One row per statement and language: the latest release that has happened and was not
    withdrawn, for statements whose source-language text is itself visible.
    """
    ranked = (
        select(
            Publication.id.label("publication_id"),
            Publication.statement_id,
            Publication.language_tag,
            Publication.source_revision_id,
            Release.release_at.label("released_at"),
            func.row_number().over(
                partition_by=(Publication.statement_id, Publication.language_tag),
                order_by=(Release.release_at.desc(), Publication.id.desc()),
            ).label("recency"),
        )
        .join(Release, Release.id == Publication.release_id)
        .join(Language, Language.tag == Publication.language_tag)
        .where(Publication.withdrawn_at.is_(None), Release.release_at <= now, Language.enabled)
        .cte("ranked")
    )
    source = ranked.alias("source_text")
    return (
        select(
            ranked.c.publication_id, ranked.c.statement_id, ranked.c.language_tag,
            ranked.c.released_at, ranked.c.source_revision_id,
            source.c.source_revision_id.label("current_source_revision_id"),
        )
        .join(Statement, Statement.id == ranked.c.statement_id)
        .join(source, and_(source.c.statement_id == ranked.c.statement_id,
                           source.c.language_tag == Statement.source_language_tag,
                           source.c.recency == 1))
        .where(ranked.c.recency == 1)
        .cte("visible")
    )


def languages_with_content(now: datetime) -> list[str]:
    """Tags of the languages in which at least one statement can be read."""
    visible = visible_publications(now)
    return list(db.session.scalars(
        select(visible.c.language_tag).distinct().order_by(visible.c.language_tag)
    ))


def enabled_languages() -> list[Language]:
    """Every language coordinators have enabled."""
    return list(db.session.scalars(
        select(Language).where(Language.enabled).order_by(Language.tag)
    ))


def statement_listing(language_tag: str, now: datetime, page: int, per_page: int,
                      with_body: bool = False):
    """A page of (Publication, Statement, released_at) in one language, newest first."""
    visible = visible_publications(now)
    query = (
        select(Publication, Statement, visible.c.released_at)
        .join(visible, visible.c.publication_id == Publication.id)
        .join(Statement, Statement.id == Publication.statement_id)
        .where(visible.c.language_tag == language_tag)
        .options(*([] if with_body else [defer(Publication.body)]))
        .order_by(Statement.statement_date.desc(), visible.c.released_at.desc(),
                  Statement.id.desc())
    )
    total = db.session.scalar(
        select(func.count()).select_from(visible).where(visible.c.language_tag == language_tag)
    )
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def statement_availability(slug: str, now: datetime):
    """The statement and its visible languages as {tag: row}, or (None, {})."""
    visible = visible_publications(now)
    rows = db.session.execute(
        select(Statement, visible)
        .join(visible, visible.c.statement_id == Statement.id)
        .where(Statement.slug == slug)
    ).all()
    if not rows:
        return None, {}
    return rows[0].Statement, {row.language_tag: row for row in rows}


def availability_for(statement_ids: list[int], now: datetime) -> dict[int, list]:
    """Visible languages of many statements at once, as {statement_id: [rows]}."""
    visible = visible_publications(now)
    result: dict[int, list] = {statement_id: [] for statement_id in statement_ids}
    if statement_ids:
        for row in db.session.execute(
            select(visible).where(visible.c.statement_id.in_(statement_ids))
            .order_by(visible.c.language_tag)
        ):
            result[row.statement_id].append(row)
    return result


def all_visible(now: datetime):
    """Every (Statement, visible row) pair, for the sitemap."""
    visible = visible_publications(now)
    return db.session.execute(
        select(Statement, visible)
        .join(visible, visible.c.statement_id == Statement.id)
        .order_by(Statement.statement_date.desc(), Statement.id, visible.c.language_tag)
    ).all()
