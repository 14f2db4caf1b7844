"""Reader pages run a fixed number of SQL statements, however many statements exist."""

from sqlalchemy import event

from portal.models import utcnow
from portal.visibility import statement_listing


def _publish(make, numbers: range) -> None:
    for number in numbers:
        statement = make.statement(slug=f"s-{number}", targets=["es", "ar"])
        make.publish(statement, ["es", "ar"] if number % 2 else ["es"])


PAGES = ["/", "/es/", "/ar/", "/es/statements/s-1", "/ar/statements/s-0",
         "/es/feed.atom", "/ar/feed.atom", "/api/v1/statements?lang=ar",
         "/sitemap.xml", "/es/search?q=statement", "/api/v1/languages",
         "/api/v1/statements?lang=es", "/api/v1/statements/s-1", "/api/v1/statements/s-1/ar"]


def _queries_per_page(client, count_queries) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code in (200, 302), url
        counts[url] = counter.count
    return counts


def test_query_count_is_the_same_with_3_and_300_statements(client, make, count_queries,
                                                           monkeypatch):
    # Both sizes rank the search's matches (past CANDIDATES matches a word is listed
    # newest first, unranked: one query fewer).
    monkeypatch.setattr("portal.reader.search.CANDIDATES", 1000)
    _publish(make, range(3))
    with_3 = _queries_per_page(client, count_queries)
    _publish(make, range(3, 300))
    with_300 = _queries_per_page(client, count_queries)
    assert with_3 == with_300
    assert max(with_3.values()) <= 5, with_3


def test_listing_with_untranslated_statements_is_an_indexed_walk_bounded_by_the_page(
        app, make, db, db_connection):
    """Every statement listed in every language must not mean a scan of the archive."""
    _publish(make, range(30))
    run = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            run.append((statement, parameters))

    event.listen(db_connection, "before_cursor_execute", record)
    try:
        rows, total = statement_listing("ar", utcnow(), 2, 5)
    finally:
        event.remove(db_connection, "before_cursor_execute", record)
    # The page's query and the count (the session may have loaded something else first).
    run = [next(step for step in run if "page_of" in step[0]),
           next(step for step in run if "count(" in step[0].lower())]
    assert (len(rows), total) == (5, 30)
    assert [row.Statement.slug for row in rows] == [f"s-{n}" for n in range(24, 19, -1)]
    assert [row.translated for row in rows] == [False, True, False, True, False]
    if db_connection.dialect.name != "sqlite":
        # PostgreSQL plans thirty rows as it likes (a scan of one page is cheapest); its
        # plan at 10,000 statements is read with bench/run.py --explain (docs/performance.md).
        return
    page, count = (
        " / ".join(step[-1] for step in
                   db_connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all())
        for sql, params in run)
    # The page's statements come from walking the source editions in index order (no sort
    # of every statement); only those few rows are scanned, sorted and joined, each to its
    # edition in the asked language by index.
    walk, _, joined = page.partition("SCAN page_of")
    # Covering: the walk to a deep page and the count never read the table's rows.
    assert "USING COVERING INDEX ix_editions_sources" in walk, page
    assert "TEMP B-TREE" not in walk, page
    assert "USING COVERING INDEX ix_editions_statement (statement_id=? AND language_tag=?" \
        in joined
    assert "SCAN" not in walk + joined, page
    assert "USING COVERING INDEX ix_editions_sources" in count, count
    assert "SCAN" not in count, count
