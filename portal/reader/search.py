"""Full-text search over published text: SQLite FTS5, or PostgreSQL's text search.

This is the one module that knows which database it runs on. Whatever a reader types —
quotes, operators, emoji — is reduced to plain words before it reaches the database, so
no input can form a query-syntax error.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy import cast, column, event, func, insert, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import REGCONFIG

from portal.extensions import db
from portal.models import Edition, Publication, Statement
from portal.visibility import visible_now

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
    """Visible statements in a language matching every word of `query`: ranked by
    relevance, or newest first for a word found in CANDIDATES statements or more."""
    terms = search_terms(query)
    if not terms:
        return []
    if db.engine.dialect.name == "sqlite":
        rows = _search_sqlite(language_tag, terms, now, limit)
    else:
        rows = _search_postgresql(language_tag, terms, now, limit)
    return [SearchHit(row.Statement, row.Publication, _marked(row.excerpt)) for row in rows]


# A word found in at least this many visible statements of the language (say "workers")
# lists the newest matches first; a rarer word is ranked by relevance. Ranking every match
# costs time in proportion to the archive (on SQLite, ranking even the newest few hundred
# read the word's whole posting list a second time: 57-86 ms at 10,000 statements), and
# readers of a news archive want the recent statements first anyway.
CANDIDATES = 200


def _newest_matches(language_tag, now, matching):
    """The newest CANDIDATES visible editions in the language that satisfy `matching`,
    found by walking the listing index newest first."""
    return (select(Edition.publication_id)
            .where(Edition.language_tag == language_tag, visible_now(now), matching)
            .order_by(Edition.statement_date.desc(), Edition.visible_from.desc())
            .limit(CANDIDATES))


def _in_order(rows, ids: list[int]) -> list:
    place = {publication_id: index for index, publication_id in enumerate(ids)}
    return sorted(rows, key=lambda row: place[row.Publication.id])


def _search_sqlite(language_tag, terms, now, limit):
    # Each word quoted as an FTS5 string (quotes doubled): operators become plain words.
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms) + "*"
    fts_table = literal_column(FTS_TABLE)
    matches = select(_fts.c.rowid).where(fts_table.op("MATCH")(match))
    candidates = db.session.scalars(
        _newest_matches(language_tag, now, Edition.publication_id.in_(matches))).all()
    if not candidates:
        return []
    # The unary "+" keeps SQLite from giving FTS5 the rowids as its index: it would then
    # run the whole MATCH again for each of them (2 ms each for a common word).
    among = literal_column(f"+{FTS_TABLE}.rowid").in_
    ranked = len(candidates) < CANDIDATES
    bm25 = func.bm25(fts_table, 10.0, 4.0, 1.0)
    # The page of hits (by bm25 among the candidates, or the newest), with excerpts.
    shown = (select(_fts.c.rowid).where(fts_table.op("MATCH")(match), among(candidates))
             .order_by(bm25).limit(limit).scalar_subquery()) if ranked else candidates[:limit]
    excerpt = func.snippet(fts_table, -1, _MARK_START, _MARK_END, "…", 24)
    rows = db.session.execute(
        select(Publication, Statement, excerpt.label("excerpt"))
        .select_from(_fts)
        .join(Publication, Publication.id == _fts.c.rowid)
        .join(Statement, Statement.id == Publication.statement_id)
        .where(fts_table.op("MATCH")(match), among(shown))
        .order_by(bm25 if ranked else None)).all()
    return rows if ranked else _in_order(rows, shown)


# A stored tsvector per publication, in its language's text-search configuration, with a
# GIN index (created by the migration; PostgreSQL only, so not part of the model).
SEARCH_VECTOR = literal_column("publications.search_vector")
# PostgreSQL's stemming configurations by primary language subtag; `simple` otherwise.
# The migration's portal_search_config() SQL function holds the same table.
POSTGRESQL_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}


def search_config(language_tag: str) -> str:
    """The PostgreSQL text-search configuration for a language."""
    return POSTGRESQL_CONFIGS.get(language_tag.split("-")[0].lower(), "simple")


def _search_postgresql(language_tag, terms, now, limit):
    config = cast(literal(search_config(language_tag)), REGCONFIG)
    query = func.plainto_tsquery(config, " ".join(terms))
    candidates = db.session.scalars(_newest_matches(
        language_tag, now,
        select(1).where(Publication.id == Edition.publication_id,
                        SEARCH_VECTOR.op("@@")(query)).exists())).all()
    if not candidates:
        return []
    excerpt = func.ts_headline(
        config, Publication.summary + " " + Publication.body, query,
        f"StartSel={_MARK_START}, StopSel={_MARK_END}, MaxWords=30, MinWords=12",
    )
    hits = select(Publication, Statement, excerpt.label("excerpt")).join(
        Statement, Statement.id == Publication.statement_id)
    if len(candidates) < CANDIDATES:
        # Ranked among the candidates; excerpts made for the page of hits only.
        rank = func.ts_rank(SEARCH_VECTOR, query)
        page = (select(Publication.id.label("publication_id"), rank.label("rank"))
                .where(Publication.id.in_(candidates))
                .order_by(rank.desc(), Publication.id.desc()).limit(limit).subquery())
        return db.session.execute(
            hits.join(page, page.c.publication_id == Publication.id)
            .order_by(page.c.rank.desc(), Publication.id.desc())).all()
    shown = candidates[:limit]
    return _in_order(db.session.execute(hits.where(Publication.id.in_(shown))).all(), shown)


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
