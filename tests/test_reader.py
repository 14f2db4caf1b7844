"""The reader contract: negotiation, listing, statement pages, fallback, RTL, 404s."""

import re
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from flask import url_for
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select, update

from portal.models import Role, utcnow
from portal.workflow import unpublish
from tests.conftest import csrf_token


def in_language(app, locale: str, message: str, **values) -> str:
    """`message` as the catalog of `locale` renders it: pages speak their reader's language."""
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **values)



class Page(HTMLParser):
    """The parts of a reader page the contract speaks of."""

    def __init__(self, html: str):
        super().__init__()
        self.html_attrs: dict = {}
        self.links: list[dict] = []
        self.anchors: list[dict] = []
        self.attribute_names: set[str] = set()
        self._in_switcher = False
        self.switcher: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.attribute_names.update(attrs)
        if tag == "html":
            self.html_attrs = attrs
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs)
            if self._in_switcher:
                self.switcher.append(attrs.get("hreflang"))
        elif tag == "nav" and attrs.get("class") == "language-switcher":
            self._in_switcher = True

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switcher = False

    def alternates(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links
                if link.get("rel") == "alternate" and "hreflang" in link}

    def canonical(self) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == "canonical")


def page(response) -> Page:
    return Page(response.get_data(as_text=True))


def translated(app, locale: str, message: str, **values) -> str:
    """`message` as the interface catalog of `locale` gives it, HTML-escaped like a page."""
    with app.test_request_context(), force_locale(locale):
        return str(escape(gettext(message, **values)))


@pytest.fixture
def published(make):
    """A statement in English, published in Spanish and Arabic, with French queued."""
    statement = make.statement(slug="migrants-day", targets=["fr"],
                               title="Migrants Day statement", statement_date=date(2026, 12, 18))
    make.publish(statement, ["es", "ar"])
    return statement


# --- `/`: choosing the language -------------------------------------------------------

def test_root_follows_accept_language_among_languages_with_content(client, published):
    response = client.get("/", headers={"Accept-Language": "ar, en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ar/")
    assert "Accept-Language" in response.headers["Vary"]


def test_root_ignores_browser_languages_without_content(client, published):
    response = client.get("/", headers={"Accept-Language": "fr, es;q=0.8"})
    assert response.headers["Location"].endswith("/es/")


def test_root_matches_a_bare_language_to_its_regional_variant(client, make):
    make.publish(make.statement(slug="brasil", targets=["pt-BR"]), ["pt-BR"])
    response = client.get("/", headers={"Accept-Language": "pt, en;q=0.3"})
    assert response.headers["Location"].endswith("/pt-BR/")


def test_root_falls_back_to_default_language(client, published):
    response = client.get("/", headers={"Accept-Language": "de"})
    assert response.headers["Location"].endswith("/en/")


def test_explicit_choice_wins_over_the_browser(client, published):
    chosen = client.get("/choose/ar?next=/ar/statements/migrants-day")
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/ar/statements/migrants-day"
    response = client.get("/", headers={"Accept-Language": "es"})
    assert response.headers["Location"].endswith("/ar/")


def test_choice_never_redirects_off_site(client, published):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/choose/es", query_string={"next": target})
        assert response.headers["Location"] == "/es/"


# --- listing --------------------------------------------------------------------------

def test_listing_shows_newest_first_with_date_excerpt_and_link(client, make):
    older = make.statement(slug="older", title="Older one", summary="Old **summary**.",
                           statement_date=date(2025, 5, 1))
    newer = make.statement(slug="newer", title="Newer one", statement_date=date(2026, 5, 1))
    make.publish(older)
    make.publish(newer)
    html = client.get("/en/").get_data(as_text=True)
    assert html.index("Newer one") < html.index("Older one")
    assert "<strong>summary</strong>" in html
    assert "May 1, 2025" in html
    assert 'href="/en/statements/older"' in html
    assert "Continue reading" in html


def test_listing_paginates(client, make):
    for day in range(1, 8):  # STATEMENTS_PER_PAGE is 5 in tests
        make.publish(make.statement(slug=f"s{day}", title=f"Title {day}",
                                    statement_date=date(2026, 3, day)))
    first = client.get("/en/").get_data(as_text=True)
    second = client.get("/en/?page=2").get_data(as_text=True)
    assert "Title 7" in first and "Title 3" in first and "Title 2" not in first
    assert "Title 2" in second and "Title 1" in second and "Title 7" not in second
    assert 'rel="next" href="/en/?page=2"' in first
    assert client.get("/en/?page=3").status_code == 404
    assert client.get("/en/?page=0").status_code == 404


def test_listing_in_a_translation_shows_translated_titles(client, published):
    html = client.get("/es/").get_data(as_text=True)
    assert "[es] Migrants Day statement" in html


def test_listing_dates_are_formatted_for_the_language(client, published):
    assert "18 de diciembre de 2026" in client.get("/es/").get_data(as_text=True)
    assert "December 18, 2026" in client.get("/en/").get_data(as_text=True)


def test_enabled_language_without_content_lists_every_statement_in_its_source(
        app, client, published, make):
    make.language("fil")
    response = client.get("/fil/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert in_language(app, "fil", "Nothing has been translated into %(language)s yet. Here "
                       "are the statements in the languages they were written in.",
                       language="Filipino") in html
    assert '<article class="untranslated" lang="en" dir="ltr">' in html
    assert 'href="/fil/statements/migrants-day"' in html and "Migrants Day statement" in html


@pytest.fixture
def untranslated(make, published):
    """A newer call to action, released in its source language only."""
    statement = make.statement(slug="call-to-action", title="Join the action on Sunday",
                               statement_date=date(2026, 12, 20), targets=["es"])
    make.publish(statement)
    return statement


def test_listing_shows_untranslated_statements_marked_with_their_language(
        app, client, untranslated):
    html = client.get("/es/").get_data(as_text=True)
    # Newest first, whatever language each is shown in.
    assert html.index("Join the action on Sunday") < html.index("[es] Migrants Day statement")
    listed = html.split('<li>')
    call = next(item for item in listed if "Join the action" in item)
    assert '<article class="untranslated" lang="en" dir="ltr">' in call
    assert 'href="/es/statements/call-to-action"' in call
    assert in_language(app, "es", "Not yet in %(language)s: shown in %(shown)s",
                       language="Español", shown="English") in call
    with app.test_request_context():
        help_url = url_for("auth.login", next=url_for("desk.queue", language="es"))
    assert f'href="{escape(help_url)}"' in call
    assert in_language(app, "es", "Help translate it into %(language)s",
                       language="Español") in call
    translated_item = next(item for item in listed if "[es] Migrants Day" in item)
    assert "untranslated" not in translated_item and "Help translate" not in translated_item
    assert "Nothing has been translated" not in html


def test_untranslated_statements_in_rtl_listing_keep_their_own_direction(client, untranslated):
    html = client.get("/ar/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="untranslated" lang="en" dir="ltr">' in html
    # The marker and the links around the English text stay in the page's language.
    assert '<p class="meta" lang="ar" dir="rtl">' in html


def test_help_translate_leads_a_volunteer_to_the_queue_of_that_language(
        client, auth, make, untranslated):
    auth.login(make.user(translates=["es"]))
    html = client.get("/es/").get_data(as_text=True)
    href = re.search(r'class="help-translate" href="([^"]+)"', html).group(1)
    response = client.get(unescape(href))
    assert response.status_code in (302, 303)
    queue = client.get(response.headers["Location"])
    assert queue.status_code == 200
    assert "Join the action on Sunday" in queue.get_data(as_text=True)


# --- statement pages ------------------------------------------------------------------

def test_statement_page_in_a_published_language(client, published):
    response = client.get("/es/statements/migrants-day")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "[es] Migrants Day statement" in html
    assert "not yet available" not in html


def test_rtl_page_sets_lang_and_dir(client, published):
    result = page(client.get("/ar/statements/migrants-day"))
    assert result.html_attrs == {"lang": "ar", "dir": "rtl"}
    assert page(client.get("/es/statements/migrants-day")).html_attrs == {
        "lang": "es", "dir": "ltr"}


def test_alternates_are_absolute_with_x_default(client, published):
    alternates = page(client.get("/es/statements/migrants-day")).alternates()
    assert alternates == {
        "en": "http://portal.test/en/statements/migrants-day",
        "es": "http://portal.test/es/statements/migrants-day",
        "ar": "http://portal.test/ar/statements/migrants-day",
        "x-default": "http://portal.test/en/statements/migrants-day",
    }


def test_switcher_lists_only_available_languages_by_autonym(client, published):
    response = client.get("/en/statements/migrants-day")
    html = response.get_data(as_text=True)
    assert sorted(page(response).switcher) == ["ar", "es"]  # not fr, which is only queued
    assert ">العربية</a>" in html and ">Español</a>" in html
    assert "Français" not in html


def test_fallback_shows_source_text_with_a_notice_in_the_page_language(client, published):
    response = client.get("/fr/statements/migrants-day")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    result = page(response)
    assert result.html_attrs["lang"] == "fr"
    assert '<article class="statement" lang="en" dir="ltr">' in html
    assert "Migrants Day statement" in html and "[es]" not in html
    # The notice is in the page's language, from the interface catalog.
    assert "Cette déclaration n’est pas encore disponible en Français" in html
    hrefs = {anchor.get("href") for anchor in result.anchors}
    assert {"/en/statements/migrants-day", "/es/statements/migrants-day",
            "/ar/statements/migrants-day"} <= hrefs
    assert result.canonical() == "http://portal.test/en/statements/migrants-day"


def test_translation_older_than_the_source_carries_a_notice(app, client, published, make,
                                                            db):
    from portal.workflow.statements import new_source_revision

    new_source_revision(published, None, "Migrants Day statement", "A new summary.",
                        "A different body paragraph.")
    db.session.commit()
    make.publish(published)  # the new source goes public; Spanish stays on version 1
    html = client.get("/es/statements/migrants-day").get_data(as_text=True)
    assert "[es] Migrants Day statement" in html
    assert translated(app, "es", "The original text has changed since this translation was "
                      "published; an update is on its way.") in html


def test_hostile_markdown_is_rendered_harmless(client, make):
    statement = make.statement(
        slug="hostile", body="<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n"
        '<a href="https://evil.example" onclick="x">raw</a>')
    make.publish(statement)
    response = client.get("/en/statements/hostile")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "onclick" not in page(response).attribute_names
    assert "&lt;a href" in html  # the raw tag is shown as text, not made a link


# --- 404s and canonical tags -----------------------------------------------------------

def test_unknown_language_tag_is_404(client, published):
    assert client.get("/xx/").status_code == 404
    assert client.get("/de/").status_code == 404  # a real language, but not enabled
    assert client.get("/xx/statements/migrants-day").status_code == 404


def test_disabled_language_is_404(client, published, make):
    make.language("fil", enabled=False)
    assert client.get("/fil/").status_code == 404


def test_favicon_ico_is_the_portal_icon_on_the_first_visit(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = response.headers["Location"]
    assert icon.startswith("/static/favicon.svg?v=")  # fingerprinted: cached for a year
    with client.get(icon) as answer:  # a file response: closed when read
        assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"


@pytest.mark.parametrize("path", ["/favicon.ico", "/apple-touch-icon.png", "/wp-login.php",
                                  "/index.html", "/.well-known/security.txt"])
def test_paths_that_are_not_language_tags_are_never_taken_for_one(client, published, path):
    response = client.get(path)
    # Never a redirect to `<path>/` and a 404 in a made-up language.
    assert response.status_code in (301, 404)
    assert not response.headers.get("Location", "").endswith(path + "/")


def test_unknown_statement_is_404(client, published):
    assert client.get("/en/statements/no-such-thing").status_code == 404


def test_other_casing_redirects_permanently_to_canonical_tag(client, make):
    statement = make.statement(slug="brazil", targets=["pt-BR"])
    make.publish(statement, ["pt-BR"])
    response = client.get("/PT-br/statements/brazil")
    assert response.status_code == 301
    assert response.headers["Location"] == "/pt-BR/statements/brazil"
    assert client.get("/pt-br/?page=1").headers["Location"] == "/pt-BR/?page=1"


def test_unreleased_statement_is_404_and_never_leaks(client, make):
    make.statement(slug="draft-only", title="Secret draft title")
    response = client.get("/en/statements/draft-only")
    assert response.status_code == 404
    assert "Secret draft title" not in response.get_data(as_text=True)


# --- embargo ---------------------------------------------------------------------------

def test_embargoed_statement_is_invisible_everywhere(client, make):
    statement = make.statement(slug="embargoed", title="Embargoed title",
                               summary="Embargoed summary about harvests.", targets=["es"])
    make.publish(statement, ["es"], release_at=utcnow() + timedelta(days=7))
    visible = make.statement(slug="visible", title="Visible title")
    make.publish(visible)
    for url in ("/en/statements/embargoed", "/es/statements/embargoed",
                "/api/v1/statements/embargoed", "/api/v1/statements/embargoed/es"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Embargoed" not in response.get_data(as_text=True), url
    for url in ("/en/", "/es/", "/en/feed.atom", "/es/feed.atom", "/sitemap.xml",
                "/en/search?q=harvests", "/api/v1/statements?lang=en",
                "/api/v1/statements?lang=es", "/api/v1/languages"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "mbargoed" not in text, url
    assert "Visible title" in client.get("/en/").get_data(as_text=True)


def test_embargoed_translation_of_a_public_statement_is_invisible(client, make):
    statement = make.statement(slug="partly", targets=["es"])
    make.publish(statement)
    make.publish(statement, ["es"], release_at=utcnow() + timedelta(hours=1))
    html = client.get("/es/statements/partly").get_data(as_text=True)
    assert "[es]" not in html
    assert page(client.get("/en/statements/partly")).switcher == []


def test_embargo_lifts_by_itself_when_the_time_comes(client, make, db, monkeypatch):
    import portal.reader.routes

    statement = make.statement(slug="soon", title="Soon title")
    make.publish(statement, release_at=utcnow() + timedelta(hours=1))
    assert client.get("/en/statements/soon").status_code == 404
    # Time passes: nothing runs, the release time is simply behind us now.
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(portal.reader.routes, "utcnow", lambda: later)
    assert client.get("/en/statements/soon").status_code == 200
    assert "Soon title" in client.get("/en/").get_data(as_text=True)


def test_withdrawn_publication_is_invisible(app, client, make, db):
    statement = make.statement(slug="withdrawn", targets=["es"])
    make.publish(statement, ["es"])
    coordinator = make.user(Role.COORDINATOR)
    with app.test_request_context():
        unpublish(coordinator, statement, "es", "A mistranslated demand.")
        db.session.commit()
    html = client.get("/es/statements/withdrawn").get_data(as_text=True)
    assert "[es]" not in html
    assert translated(app, "es", "It can be read in:") in html


# --- feed and sitemap ------------------------------------------------------------------

def test_atom_feed(client, published):
    import xml.etree.ElementTree as ET

    response = client.get("/es/feed.atom")
    assert response.mimetype == "application/atom+xml"
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.data)
    entries = root.findall("atom:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("atom:title", ns).text == "[es] Migrants Day statement"
    assert entries[0].find("atom:link", ns).get("href") == \
        "http://portal.test/es/statements/migrants-day"
    assert "<h2>" in entries[0].find("atom:content", ns).text  # escaped HTML, parsed back


def test_atom_feed_carries_untranslated_statements_as_source_language_entries(
        client, untranslated):
    import xml.etree.ElementTree as ET

    ns = {"atom": "http://www.w3.org/2005/Atom"}
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    root = ET.fromstring(client.get("/es/feed.atom").data)
    first, second = root.findall("atom:entry", ns)
    assert first.get(xml_lang) == "en"
    assert first.find("atom:title", ns).text == "Join the action on Sunday"
    assert first.find("atom:id", ns).text == "http://portal.test/en/statements/call-to-action"
    link = first.find("atom:link", ns)
    assert link.get("href") == "http://portal.test/en/statements/call-to-action"
    assert link.get("hreflang") == "en"
    assert second.get(xml_lang) is None  # the feed's own language, xml:lang="es"
    assert second.find("atom:title", ns).text == "[es] Migrants Day statement"


SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
           "x": "http://www.w3.org/1999/xhtml"}


def _sitemap_urls(client, url: str) -> dict:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(client.get(url.removeprefix("http://portal.test")).data)
    return {node.find("s:loc", SITEMAP).text: node for node in root.findall("s:url", SITEMAP)}


def _alternates(node) -> dict[str, str]:
    return {link.get("hreflang"): link.get("href") for link in node.findall("x:link", SITEMAP)}


def test_sitemap_index_leads_to_every_page_with_alternates(client, published):
    import xml.etree.ElementTree as ET

    index = ET.fromstring(client.get("/sitemap.xml").data)
    files = [node.text for node in index.findall("s:sitemap/s:loc", SITEMAP)]
    # One block of statements, numbered by its ids (PostgreSQL's need not start at 1).
    assert len(files) == 2 and files[0] == "http://portal.test/sitemaps/languages.xml"
    block = int(re.fullmatch(r"http://portal\.test/sitemaps/statements-(\d+)\.xml",
                             files[1]).group(1))
    listings = _sitemap_urls(client, files[0])
    assert set(listings) == {f"http://portal.test/{tag}/" for tag in ("ar", "en", "es")}
    assert _alternates(listings["http://portal.test/es/"]) == {
        "ar": "http://portal.test/ar/", "en": "http://portal.test/en/",
        "es": "http://portal.test/es/", "x-default": "http://portal.test/"}
    pages = _sitemap_urls(client, files[1])
    page_url = "http://portal.test/ar/statements/migrants-day"
    assert set(_alternates(pages[page_url])) == {"en", "es", "ar", "x-default"}
    assert _alternates(pages[page_url])["x-default"] == \
        "http://portal.test/en/statements/migrants-day"
    assert "http://portal.test/fr/statements/migrants-day" not in pages
    assert client.get(f"/sitemaps/statements-{block + 1}.xml").status_code == 404


def test_sitemap_files_stay_under_the_protocol_limit(app, client, make, monkeypatch):
    """Blocks hold as many statements as fit MAX_URLS URLs in every enabled language."""
    import portal.reader.sitemaps as sitemaps

    monkeypatch.setattr(sitemaps, "MAX_URLS", 6)  # 3 languages: 2 statements a file
    for number in range(5):
        make.publish(make.statement(slug=f"s{number}", targets=["es", "fr"]), ["es", "fr"])
    with app.test_request_context():
        assert sitemaps.block_size() == 2
        blocks = sitemaps.sitemap_blocks(utcnow())
    sizes = [len(_sitemap_urls(client, f"/sitemaps/statements-{block}.xml"))
             for block in blocks]
    assert sum(sizes) == 15 and max(sizes) == 6  # ids need not start at 1 (PostgreSQL)
    # From the first readable statement's block to the last one's; others are not found.
    assert 3 <= len(blocks) <= 4 and min(sizes) > 0
    assert client.get(f"/sitemaps/statements-{blocks[-1] + 1}.xml").status_code == 404
    assert client.get(f"/sitemaps/statements-{blocks[0] - 1}.xml").status_code == 404


def test_page_weight_is_small(client, published):
    html = client.get("/ar/statements/migrants-day").get_data()
    # Readers load one style sheet; the desk's own styles are never part of a reader page.
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html.decode())
    assert len(sheets) == 1 and "/static/portal.css" in sheets[0]
    with client.get("/static/portal.css") as response:
        css = response.get_data()
    assert len(html) < 20_000 and len(css) < 12_000
    assert b"<script" not in html and not re.search(rb"https?://(?!portal\.test)", html)


def test_sitemap_blocks_stay_under_50_mb_with_many_languages(app, make):
    """With 30 languages each URL names 31 others: bytes, not URLs, bound the block."""
    import portal.reader.sitemaps as sitemaps

    tags = ["en", "es", "fr", "ar", "fil", "id", "pt-BR", "zh-Hans", "de", "it", "ru", "tr",
            "hi", "bn", "ur", "fa", "sw", "am", "ne", "ta", "th", "vi", "ko", "ja", "pl", "uk",
            "ro", "nl", "el", "he"]
    for tag in tags:
        make.language(tag)
    with app.test_request_context():
        size = sitemaps.block_size()
    longest_url = 200  # an absolute statement URL with a long slug, escaped
    per_url = (len(tags) + 1) * (longest_url + 60) + longest_url + 120
    assert size * len(tags) <= sitemaps.MAX_URLS
    assert size * len(tags) * per_url <= 50 * 1024 * 1024


# --- reporting a problem from the paragraph ------------------------------------------------

def test_each_paragraph_of_a_translation_has_its_own_report_link(app, client, published):
    html = client.get("/es/statements/migrants-day").get_data(as_text=True)
    links = re.findall(r'<a class="report-link" href="([^"]+)"[^>]*aria-label="([^"]+)"', html)
    # The summary and the body's six blocks (paragraph, heading, two items, quote, paragraph).
    assert [unescape(href) for href, _label in links] == [
        f"/es/statements/migrants-day/report?paragraph={position}" for position in range(1, 8)]
    label_es = in_language(app, "es", "Report a problem in this paragraph")
    assert label_es != "Report a problem in this paragraph"  # the page speaks Spanish
    assert all(unescape(label) == label_es for _href, label in links)
    assert "[es] The first paragraph of the statement, about migrant workers' rights. " \
           '<a class="report-link"' in html.replace("&#39;", "'")
    assert "<ul>\n<li>[es] Decent jobs at home <a" in html


def test_source_and_fallback_pages_have_no_report_links(client, published, make):
    make.language("fil")
    for url in ("/en/statements/migrants-day", "/fil/statements/migrants-day"):
        assert "report-link" not in client.get(url).get_data(as_text=True)


def test_the_report_form_quotes_the_paragraph_it_came_from(client, published):
    response = client.get("/es/statements/migrants-day/report?paragraph=6")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    quote = re.search(r'<blockquote class="quoted-paragraph"[^>]*>(.*?)</blockquote>', html,
                      re.S)
    assert quote and "[es] We are workers, not commodities." in quote.group(1)
    assert '<input type="hidden" name="paragraph" value="6">' in html
    assert "<select" not in html  # the paragraph is chosen already


def test_a_report_from_a_paragraph_names_that_paragraph(client, db, published):
    from portal.models import ProblemReport

    url = "/es/statements/migrants-day/report?paragraph=4"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "paragraph": "4",
                                      "message": "Typo here"})
    assert response.status_code == 303
    report = db.session.scalars(select(ProblemReport)).one()
    assert report.paragraph == "[es] Decent jobs at home"


def test_a_refused_report_keeps_the_quoted_paragraph(app, client, published):
    url = "/es/statements/migrants-day/report?paragraph=2"
    token = csrf_token(client, url)
    response = client.post(url, data={"csrf_token": token, "paragraph": "2", "message": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "quoted-paragraph" in html
    assert translated(app, "es", "Describe the problem, please.") in html


def test_a_paragraph_out_of_range_falls_back_to_the_choice(client, published):
    for value in ("99", "-1", "x"):
        html = client.get(f"/es/statements/migrants-day/report?paragraph={value}").get_data(
            as_text=True)
        assert "<select" in html and "quoted-paragraph" not in html


# --- credit to the volunteers ---------------------------------------------------------------

def _makers(db, statement, tag):
    from portal.models import Review, Translation, Version

    version = db.session.scalars(select(Version).join(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag)).one()
    return version.created_by, db.session.scalars(
        select(Review).where(Review.version_id == version.id)).one().reviewer


def _credits(client, url) -> str:
    html = client.get(url).get_data(as_text=True)
    found = re.search(r'<footer class="credits"[^>]*>(.*?)</footer>', html, re.S)
    return " ".join(found.group(1).split()) if found else ""


def test_translations_thank_the_volunteers_without_names_by_default(app, client, published):
    alliance = app.config["ALLIANCE_NAME"]
    credits = _credits(client, "/es/statements/migrants-day")
    thanks = translated(app, "es", "Translated by volunteers of %(alliance)s.",
                        alliance=alliance)
    assert credits == f"<p>{thanks}</p>"
    assert "Person" not in credits  # nobody named without their consent


def _consent(db, person_id: int) -> None:
    """What the profile does when a volunteer consents (cached pages are made afresh)."""
    from portal.models import User
    from portal.visibility import content_changed

    db.session.execute(update(User).where(User.id == person_id).values(credit_consent=True))
    content_changed()
    db.session.commit()


def test_volunteers_who_consent_are_named(app, client, db, published):
    translator, reviewer = _makers(db, published, "ar")
    people = (translator.id, translator.display_name, reviewer.id, reviewer.display_name)
    translator_id, translator_name, reviewer_id, reviewer_name = people
    _consent(db, translator_id)
    def said(message, **values):
        return in_language(app, "ar", message, **values)

    translated_by = said("Translated by %(names)s.", names=translator_name)
    others = said("With other volunteers of %(alliance)s.", alliance=app.config["ALLIANCE_NAME"])
    credits = _credits(client, "/ar/statements/migrants-day")
    assert translated_by in credits and others in credits
    assert reviewer_name not in credits  # the reviewer did not consent
    _consent(db, reviewer_id)
    credits = _credits(client, "/ar/statements/migrants-day")
    assert translated_by in credits and others not in credits
    assert said("Reviewed by %(names)s.", names=reviewer_name) in credits


def test_source_and_fallback_pages_name_no_translators(client, published, make):
    make.language("fil")
    assert _credits(client, "/en/statements/migrants-day") == ""
    assert _credits(client, "/fil/statements/migrants-day") == ""


def test_consent_given_in_the_profile_shows_at_once_on_cached_pages(
        client, db, auth, published):
    translator, _reviewer = _makers(db, published, "es")
    assert translator.display_name not in _credits(client, "/es/statements/migrants-day")
    auth.login(translator)
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'name="credit_consent"' in profile and "checked" not in profile.split(
        'name="credit_consent"')[0].rsplit("<input", 1)[1]
    token = csrf_token(client, "/account/profile")
    response = client.post("/account/profile", data={
        "csrf_token": token, "display_name": "Rosa Dela Cruz", "interface_language": "",
        "time_zone": "UTC", "credit_consent": "y"})
    assert response.status_code == 303
    auth.logout()
    credits = _credits(client, "/es/statements/migrants-day")
    assert "Rosa Dela Cruz" in credits
