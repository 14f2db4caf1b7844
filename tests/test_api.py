"""The read-only JSON API: answers, pagination, errors, CORS; and robots.txt."""

import re
from datetime import date, timedelta
from urllib.robotparser import RobotFileParser

import pytest

from portal.models import utcnow

API = "http://portal.test/api/v1"


@pytest.fixture
def published(make):
    statement = make.statement(slug="call-to-action", targets=["es", "fr"],
                               title="Call to action", statement_date=date(2026, 9, 1))
    make.publish(statement, ["es", "ar"])
    return statement


def test_languages_lists_enabled_languages_with_names_and_direction(client, published):
    languages = {item["tag"]: item for item in client.get("/api/v1/languages").json["languages"]}
    assert languages["ar"] == {"tag": "ar", "name": "Arabic", "autonym": "العربية",
                               "direction": "rtl", "has_content": True}
    assert languages["fr"]["has_content"] is False


def test_statements_in_a_language(client, published):
    body = client.get("/api/v1/statements?lang=es").json
    assert body["language"] == "es" and body["total"] == 1
    item = body["statements"][0]
    assert (item["translated"], item["text_language"]) == (True, "es")
    assert item["slug"] == "call-to-action"
    assert item["title"] == "[es] Call to action"
    assert item["date"] == "2026-09-01"
    assert {language["tag"] for language in item["languages"]} == {"en", "es", "ar"}
    assert item["updated_at"].endswith("Z")


def test_statement_lists_available_languages_with_urls(client, published):
    body = client.get("/api/v1/statements/call-to-action").json
    assert body["source_language"] == "en"
    by_tag = {language["tag"]: language for language in body["languages"]}
    assert set(by_tag) == {"ar", "en", "es"}
    assert by_tag["es"]["url"] == "http://portal.test/es/statements/call-to-action"
    assert by_tag["es"]["api_url"] == "http://portal.test/api/v1/statements/call-to-action/es"


def test_statement_text_in_one_language(client, published):
    body = client.get("/api/v1/statements/call-to-action/ar").json
    assert body["language"]["direction"] == "rtl"
    assert body["title"] == "[ar] Call to action"
    assert "<h2>" in body["body_html"] and "## " in body["body_markdown"]
    assert body["source_changed"] is False


def test_canonicalizes_the_language_tag(client, published):
    assert client.get("/api/v1/statements/call-to-action/AR").json["language"]["tag"] == "ar"


@pytest.mark.parametrize("url", [
    "/api/v1/statements/nope",
    "/api/v1/statements/call-to-action/fr",  # a target, but not published
    "/api/v1/statements/call-to-action/xx",  # not a language
    "/api/v1/statements?lang=de",  # a language, but not enabled
    "/api/v1/nothing-here",
])
def test_errors_are_json_with_status(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["detail"]


@pytest.mark.parametrize(("query", "says"), [
    ("page=0", "page number must be a whole number from 1 to 100000"),
    ("page=-1", "page number must be a whole number from 1 to 100000"),
    ("page=abc", "page number must be a whole number from 1 to 100000"),
    ("page=1.5", "page number must be a whole number from 1 to 100000"),
    ("page=100001", "page number must be a whole number from 1 to 100000"),
    ("page=%D9%A1", "page number must be a whole number from 1 to 100000"),  # Arabic-Indic 1
    ("per_page=abc", "per_page, the number of statements on a page, must be a whole number "
                     "from 1 to 100"),
    ("per_page=0", "from 1 to 100"),
    ("per_page=-5", "from 1 to 100"),
    ("per_page=%2B5", "from 1 to 100"),  # "+5": int() would take it
    ("per_page=1_0", "from 1 to 100"),
    ("per_page=101", "from 1 to 100"),
    (f"per_page={'9' * 5000}", "from 1 to 100"),  # longer than int() converts
])
def test_bad_paging_is_a_json_400_that_says_what_is_allowed(client, published, query, says):
    response = client.get(f"/api/v1/statements?lang=en&{query}")
    assert response.status_code == 400 and response.is_json
    error = response.json["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request"
    assert says in error["detail"]


def test_paging_parameters_in_range_are_taken(client, published):
    for query, (page, per_page) in {"": (1, 20), "page=1&per_page=100": (1, 100),
                                    "page=&per_page=": (1, 20), "per_page=007": (1, 7),
                                    "page=1&per_page=1": (1, 1)}.items():
        body = client.get(f"/api/v1/statements?lang=en&{query}").json
        assert (body["page"], body["per_page"]) == (page, per_page), query


# --- pagination ---------------------------------------------------------------------------

@pytest.fixture
def five_in_spanish(make):
    """Five statements readable in Spanish, newest first: s-5 … s-1."""
    for number in range(1, 6):
        statement = make.statement(slug=f"s-{number}", targets=["es"],
                                   statement_date=date(2026, 1, number))
        make.publish(statement, ["es"])


def _link_header(response) -> dict[str, str]:
    """{rel: url} of an RFC 8288 Link header."""
    return {rel: url for url, rel in
            re.findall(r'<([^>]+)>; rel="([^"]+)"', response.headers.get("Link", ""))}


def _page(number: int, per_page: int = 2, lang: str = "es") -> str:
    return f"{API}/statements?lang={lang}&page={number}&per_page={per_page}"


def test_listing_links_to_first_previous_next_and_last_pages(client, five_in_spanish):
    first = client.get("/api/v1/statements?lang=es&per_page=2")
    assert first.json["total"] == 5 and first.json["pages"] == 3
    assert first.json["links"] == {"self": _page(1), "first": _page(1), "next": _page(2),
                                   "last": _page(3)}
    middle = client.get("/api/v1/statements?lang=ES&page=2&per_page=2").json
    assert middle["links"] == {"self": _page(2), "first": _page(1), "prev": _page(1),
                               "next": _page(3), "last": _page(3)}
    last = client.get("/api/v1/statements?lang=es&page=3&per_page=2").json
    assert last["links"] == {"self": _page(3), "first": _page(1), "prev": _page(2),
                             "last": _page(3)}
    assert [item["slug"] for item in last["statements"]] == ["s-1"]


def test_following_next_reads_every_statement_once_newest_first(client, five_in_spanish):
    slugs, url = [], f"{API}/statements?lang=es&per_page=2"
    while url:
        body = client.get(url.removeprefix("http://portal.test")).json
        slugs += [item["slug"] for item in body["statements"]]
        url = body["links"].get("next")
    assert slugs == ["s-5", "s-4", "s-3", "s-2", "s-1"]


def test_link_header_carries_the_same_links(client, five_in_spanish):
    response = client.get("/api/v1/statements?lang=es&page=2&per_page=2")
    assert _link_header(response) == response.json["links"]
    # From the page cache, and for HEAD, the header is still there.
    assert _link_header(client.get("/api/v1/statements?lang=es&page=2&per_page=2")) == \
        response.json["links"]
    assert _link_header(client.head("/api/v1/statements?lang=es&page=2&per_page=2")) == \
        response.json["links"]


def test_a_page_past_the_last_is_a_json_404(client, five_in_spanish):
    assert client.get("/api/v1/statements?lang=es&page=3&per_page=2").status_code == 200
    response = client.get("/api/v1/statements?lang=es&page=4&per_page=2")
    assert response.status_code == 404 and response.is_json
    assert response.json["error"]["detail"] == "There is no page 4: the last page is 3."
    assert "Link" not in response.headers


def test_a_language_without_translations_lists_every_statement_in_its_source(
        client, published, make):
    make.language("fr")  # enabled, a target of the statement, nothing published yet
    response = client.get("/api/v1/statements?lang=fr")
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["pages"]) == (1, 1)
    item = body["statements"][0]
    assert (item["title"], item["translated"], item["text_language"]) == (
        "Call to action", False, "en")
    only = f"{API}/statements?lang=fr&page=1&per_page=20"
    assert body["links"] == {"self": only, "first": only, "last": only}
    assert client.get("/api/v1/statements?lang=fr&page=2").status_code == 404


def test_nothing_released_at_all_is_one_empty_page(client, make):
    make.language("fr")
    body = client.get("/api/v1/statements?lang=fr").json
    assert (body["total"], body["pages"], body["statements"]) == (0, 1, [])


def test_listing_marks_what_is_translated_and_serves_the_rest_in_the_source(
        client, published, make):
    make.publish(make.statement(slug="newer", title="Newer, English only",
                                statement_date=date(2026, 9, 2)))
    items = client.get("/api/v1/statements?lang=es").json["statements"]
    assert [(item["slug"], item["translated"], item["text_language"], item["title"])
            for item in items] == [
        ("newer", False, "en", "Newer, English only"),
        ("call-to-action", True, "es", "[es] Call to action")]


def test_existing_listing_fields_are_unchanged(client, published):
    """Consumers rely on these: fields are only ever added."""
    body = client.get("/api/v1/statements?lang=es").json
    assert {"language", "page", "per_page", "total", "statements"} <= set(body)
    assert set(body["statements"][0]) >= {"slug", "title", "summary", "date",
                                          "source_language", "updated_at", "languages"}
    assert set(body["statements"][0]["languages"][0]) == {
        "tag", "name", "autonym", "direction", "updated_at", "url", "api_url"}


# --- CORS ---------------------------------------------------------------------------------

CROSS_ORIGIN = {"Origin": "https://member.example.org"}


@pytest.mark.parametrize("path", [
    "/api/v1/languages", "/api/v1/statements?lang=es", "/api/v1/statements/call-to-action",
    "/api/v1/statements/call-to-action/ar", "/api/v1/openapi.json", "/es/feed.atom",
])
def test_api_and_feeds_may_be_read_from_any_site(client, published, path):
    for response in (client.get(path, headers=CROSS_ORIGIN),
                     client.head(path, headers=CROSS_ORIGIN)):
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        exposed = {name.strip().lower() for name in
                   response.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"etag", "last-modified"} <= exposed
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Origin" not in response.vary  # the same answer for every origin
    # A revalidation from another site is answered (and readable) too.
    again = client.get(path, headers={**CROSS_ORIGIN,
                                      "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/v1/statements/nope", "/api/v1/nothing-here",
                                  "/api/v1/statements?lang=es&per_page=abc"])
def test_api_errors_are_readable_from_any_site(client, published, path):
    response = client.get(path, headers=CROSS_ORIGIN)
    assert response.status_code in (400, 404) and response.is_json
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/v1/statements?lang=es",
                                  "/api/v1/statements/call-to-action/ar", "/es/feed.atom"])
def test_preflight_allows_revalidating_gets_only(client, published, path):
    response = client.options(path, headers={
        **CROSS_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    # Not refused as a request without a CSRF token: it only asks what is allowed.
    assert response.status_code == 200 and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"]
               .split(",")}
    assert {"accept", "if-none-match"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("path", ["/es/", "/es/statements/call-to-action", "/account/login",
                                  "/sitemap.xml"])
def test_pages_for_people_are_not_opened_to_other_sites(client, published, path):
    assert "Access-Control-Allow-Origin" not in client.get(path, headers=CROSS_ORIGIN).headers
    preflight = client.options(path, headers={**CROSS_ORIGIN,
                                              "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_no_writing_through_the_api_from_other_sites(client, published):
    response = client.post("/api/v1/statements", headers=CROSS_ORIGIN)
    assert response.status_code == 405
    assert "Access-Control-Allow-Origin" not in response.headers


def test_embargoed_translation_is_absent(client, published, make):
    make.publish(published, ["fr"], release_at=utcnow() + timedelta(days=1))
    assert client.get("/api/v1/statements/call-to-action/fr").status_code == 404
    tags = {item["tag"] for item in client.get("/api/v1/statements/call-to-action").json[
        "languages"]}
    assert "fr" not in tags


# --- robots.txt ---------------------------------------------------------------------------

def _robots(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def test_robots_txt_keeps_crawlers_to_the_public_pages(client, published):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    robots = _robots(response.get_data(as_text=True))
    for path in ("/desk/", "/desk/queue", "/coordinate/", "/coordinate/progress",
                 "/account/login", "/account/password/forgot"):
        assert not robots.can_fetch("AnyBot", f"http://portal.test{path}"), path
    for path in ("/", "/es/", "/es/statements/call-to-action", "/es/feed.atom",
                 "/api/v1/statements", "/sitemap.xml", "/accounting-statement"):
        assert robots.can_fetch("AnyBot", f"http://portal.test{path}"), path
    assert robots.site_maps() == ["http://portal.test/sitemap.xml"]


def test_robots_txt_is_cacheable(client, published):
    response = client.get("/robots.txt")
    assert re.fullmatch(r"public, max-age=\d+", response.headers["Cache-Control"])
    again = client.get("/robots.txt", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_robots_txt_names_the_configured_origin_never_the_host(app, client, published,
                                                               monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_URL", "https://statements.example.org/portal")
    text = client.get("/robots.txt", headers={"Host": "portal.test"}).get_data(as_text=True)
    assert "Sitemap: https://statements.example.org/portal/sitemap.xml" in text.splitlines()
    assert {"Disallow: /portal/desk/", "Allow: /portal/"} <= set(text.splitlines())
    assert "portal.test" not in text
