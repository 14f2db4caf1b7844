"""Reader pages run a fixed number of SQL statements, however many statements exist."""


def _publish(make, numbers: range) -> None:
    for number in numbers:
        statement = make.statement(slug=f"s-{number}", targets=["es", "ar"])
        make.publish(statement, ["es", "ar"] if number % 2 else ["es"])


PAGES = ["/", "/es/", "/es/statements/s-1", "/ar/statements/s-0", "/es/feed.atom",
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


def test_query_count_is_the_same_with_3_and_300_statements(client, make, count_queries):
    _publish(make, range(3))
    with_3 = _queries_per_page(client, count_queries)
    _publish(make, range(3, 300))
    with_300 = _queries_per_page(client, count_queries)
    assert with_3 == with_300
    assert max(with_3.values()) <= 5, with_3
