"""Full-text search over published text: SQLite FTS5, or PostgreSQL's text search.

This is the one module that knows which database it runs on. Whatever a reader types —
quotes, operators, emoji — is reduced to plain words before it reaches the database, so
no input can form a query-syntax error.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import column, event, func, insert, literal_column, select, table

from portal.extensions import db
from portal.models import Publication, Statement
from portal.reader.queries import visible_publications

FTS_TABLE = "publication_search"
_fts = table(FTS_TABLE, column("rowid"), column("title"), column("summary"), column("body"))
_WORD = re.compile(r"\w+", re.UNICODE)
_MARK_START, _MARK_END = "\x02", "\x03"
MAX_TERMS = 12


@dataclass
class SearchHit:
    """One matching statement, with an excerpt whose matches are marked."""

    statement: Statement
    publication: Publication
    excerpt: Markup


def search_terms(query: str) -> list[str]:
    """The words of a reader's query, in order, without duplicates."""
    return list(dict.fromkeys(_WORD.findall(query.lower())))[:MAX_TERMS]


def search_publications(language_tag: str, query: str, now: datetime, limit: int = 20):
    """Visible statements in a language matching every word of `query`, best first."""
    terms = search_terms(query)
    if not terms:
        return []
    if db.engine.dialect.name == "sqlite":
        rows = _search_sqlite(language_tag, terms, now, limit)
    else:
        rows = _search_postgresql(language_tag, terms, now, limit)
    return [SearchHit(row.Statement, row.Publication, _marked(row.excerpt)) for row in rows]


def _search_sqlite(language_tag, terms, now, limit):
    visible = visible_publications(now)
    # Each word quoted as an FTS5 string (quotes doubled): operators become plain words.
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms) + "*"
    fts_table = literal_column(FTS_TABLE)
    excerpt = func.snippet(fts_table, -1, _MARK_START, _MARK_END, "…", 24)
    return db.session.execute(
        select(Publication, Statement, excerpt.label("excerpt"))
        .select_from(_fts)
        .join(Publication, Publication.id == _fts.c.rowid)
        .join(visible, visible.c.publication_id == Publication.id)
        .join(Statement, Statement.id == Publication.statement_id)
        .where(fts_table.op("MATCH")(match), visible.c.language_tag == language_tag)
        .order_by(func.bm25(fts_table, 10.0, 4.0, 1.0))
        .limit(limit)
    ).all()


def _search_postgresql(language_tag, terms, now, limit):
    visible = visible_publications(now)
    document = func.to_tsvector(
        "simple", Publication.title + " " + Publication.summary + " " + Publication.body
    )
    query = func.plainto_tsquery("simple", " ".join(terms))
    excerpt = func.ts_headline(
        "simple", Publication.summary + " " + Publication.body, query,
        f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=30, MinWords=12",
    )
    return db.session.execute(
        select(Publication, Statement, excerpt.label("excerpt"))
        .join(visible, visible.c.publication_id == Publication.id)
        .join(Statement, Statement.id == Publication.statement_id)
        .where(document.op("@@")(query), visible.c.language_tag == language_tag)
        .order_by(func.ts_rank(document, query).desc(), Statement.statement_date.desc())
        .limit(limit)
    ).all()


def _marked(raw: str) -> Markup:
    # Escape the stored text first; only our own markers become <mark>.
    escaped = str(escape(raw or ""))
    return Markup(escaped.replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>"))


@event.listens_for(Publication, "after_insert")
def _index_publication(_mapper, connection, publication):
    """Add each new publication to the SQLite full-text index."""
    if connection.dialect.name == "sqlite":
        connection.execute(insert(_fts).values(
            rowid=publication.id, title=publication.title,
            summary=publication.summary, body=publication.body,
        ))
