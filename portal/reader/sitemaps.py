"""Sitemaps that scale: an index, a sitemap of listings, and one per block of statements.

Each file holds at most 500 URLs (the protocol allows 50,000) and stays under its
50 MB: a block holds as many statements as fit when each has a URL in every enabled
language. Files are generated as they are sent, a batch of statements at a time.
"""

from collections.abc import Iterator
from datetime import datetime

from markupsafe import escape
from sqlalchemy import exists, func, select

from portal.extensions import db
from portal.models import Edition, Language, Statement
from portal.templating import iso_datetime
from portal.urls import absolute_url, links_to
from portal.visibility import visible_now, visible_statements

# The protocol allows 50,000 URLs and 50 MB per file; smaller files are each made in
# about 20 ms (500 URLs, 1.6 MB with 30 languages), and a crawler still needs only six
# hundred of them for 10,000 statements in 30 languages.
MAX_URLS = 500
MAX_BYTES = 45_000_000  # under the protocol's 50 MB, with room for long slugs
# Sizes of one alternate link and of the rest of a <url> entry, in bytes, with the
# longest slug (120 characters): a generous bound.
ALTERNATE_BYTES, URL_BYTES = 260, 400
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
         'schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')


def block_size() -> int:
    """Statements per sitemap file: each may have a URL in every enabled language.

    Each URL also names every other language, so with many languages the protocol's
    50 MB are reached before its 50,000 URLs: the block is bounded by both.
    """
    languages = max(1, db.session.scalar(select(func.count()).select_from(Language)
                                         .where(Language.enabled)))
    statement_bytes = languages * ((languages + 1) * ALTERNATE_BYTES + URL_BYTES)
    return max(1, min(MAX_URLS // languages, MAX_BYTES // statement_bytes))


def sitemap_blocks(now: datetime) -> range:
    """The statement sitemaps, by number: the blocks of consecutive statement ids from the
    first readable statement's to the last one's (PostgreSQL's ids need not start at 1).

    Two lookups by primary key, whatever the archive; a block inside the range that holds
    no readable statement (a gap in the ids) is an empty sitemap.
    """
    # By statement and source language: ix_editions_statement answers it on both databases.
    readable = exists().where(Edition.statement_id == Statement.id,
                              Edition.language_tag == Statement.source_language_tag,
                              visible_now(now))
    # ORDER BY … LIMIT 1, not min(): PostgreSQL answered min() with a semi-join of every
    # statement (30 ms at 10,000), and this with a walk that stops at the first.
    ids = select(Statement.id).where(readable).limit(1)
    first, last = db.session.execute(select(
        ids.order_by(Statement.id).scalar_subquery(),
        ids.order_by(Statement.id.desc()).scalar_subquery())).one()
    if first is None:
        return range(0)
    size = block_size()
    return range((first - 1) // size + 1, (last - 1) // size + 2)


def sitemap_index(blocks: range) -> Iterator[str]:
    """The sitemap index naming the listings' sitemap and every statement block."""
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
    yield _sitemap(absolute_url("reader.languages_sitemap"))
    block_url = links_to("reader.statements_sitemap_block", "block")
    for block in blocks:
        yield _sitemap(block_url(block=block))
    yield "</sitemapindex>\n"


def listings_sitemap(languages: list[str]) -> Iterator[str]:
    """Every language's listing page, with the others (and x-default, `/`) as alternates."""
    links = {tag: absolute_url("reader.statements", lang=tag) for tag in languages}
    alternates = "".join(_alternate(tag, url) for tag, url in links.items()) + \
        _alternate("x-default", absolute_url("reader.home"))
    yield _HEAD
    for url in links.values():
        yield f"  <url>\n    <loc>{escape(url)}</loc>\n{alternates}  </url>\n"
    yield "</urlset>\n"


def statements_sitemap(block: int, now: datetime) -> Iterator[str]:
    """Each visible language of each readable statement in the block, with alternates."""
    size = block_size()
    statement_url = links_to("reader.statement", "slug")
    yield _HEAD
    for statement, shown in visible_statements(now, first_id=(block - 1) * size + 1,
                                               last_id=block * size):
        links = {row.language_tag: statement_url(lang=row.language_tag, slug=statement.slug)
                 for row in shown}
        alternates = "".join(_alternate(tag, url) for tag, url in links.items()) + \
            _alternate("x-default", links.get(statement.source_language_tag, ""))
        yield "".join(f"  <url>\n    <loc>{escape(links[row.language_tag])}</loc>\n"
                      f"    <lastmod>{iso_datetime(row.released_at)}</lastmod>\n"
                      f"{alternates}  </url>\n" for row in shown)  # a chunk per statement
    yield "</urlset>\n"


def _sitemap(url: str) -> str:
    return f"  <sitemap><loc>{escape(url)}</loc></sitemap>\n"


def _alternate(tag: str, url: str) -> str:
    return f'    <xhtml:link rel="alternate" hreflang="{escape(tag)}" href="{escape(url)}"/>\n'
