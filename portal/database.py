"""Database engine set-up: SQLite pragmas and write transactions that never deadlock."""

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _wants_write() -> bool:
    # Reader requests only read; forms, the CLI and tests may write.
    return not has_request_context() or request.method not in _READ_ONLY_METHODS


# Every query of the portal is bounded by a page. Starting a parallel worker cost more
# (8-17 ms here) than most of them take, and the planner started one for the search's
# walk of the newest editions (14 ms instead of 3).
POSTGRESQL_SESSION_OPTIONS = "-c max_parallel_workers_per_gather=0"


def engine_options(url: str, options: dict) -> dict:
    """The engine's options for the database at `url`: PostgreSQL sessions start with
    POSTGRESQL_SESSION_OPTIONS (set when connecting, no round trip of their own)."""
    if not str(url).startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = " ".join(
        filter(None, [connect_args.get("options"), POSTGRESQL_SESSION_OPTIONS]))
    return {**options, "connect_args": connect_args}


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writing transactions.

    A deferred transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT
    without waiting for the busy timeout; taking the write lock up front makes concurrent
    writers queue instead of fail.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")


# Full-text search is made by hand in migrations, per database: SQLite's FTS5 index and
# its shadow tables, PostgreSQL's stored tsvector column and its GIN index. They are not
# models, so autogenerate must not propose to drop them.
SEARCH_TABLE_PREFIX = "publication_search"
SEARCH_COLUMN = "search_vector"


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: everything but the full-text search tables, column and index."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    if type_ == "column" and name == SEARCH_COLUMN:
        return False
    return not (type_ == "index" and name == "ix_publications_search_vector")
