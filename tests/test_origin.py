"""One canonical origin: absolute links come from PORTAL_URL, other hosts are refused."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.models import OutboxMessage
from tests.conftest import csrf_token

ORIGIN = "http://portal.test"


@pytest.fixture
def published(make):
    statement = make.statement(slug="migrants-day", statement_date=date(2026, 12, 18))
    make.publish(statement, ["es"])
    return statement


@pytest.fixture
def alias(app, monkeypatch):
    """The portal also answers as www.portal.test, as behind a second DNS name."""
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["portal.test", "www.portal.test"])
    return "www.portal.test"


@pytest.mark.parametrize("path", ["/en/", "/en/feed.atom", "/sitemap.xml",
                                  "/account/password/forgot", "/api/v1/languages"])
def test_a_forged_host_is_refused(client, published, path):
    """A request naming a host that is not the portal's gets 400, whatever the page."""
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_a_forged_host_cannot_send_a_reset_link(client, db, make):
    """The reset form posted with a forged Host queues no e-mail pointing anywhere."""
    user = make.user()
    token = csrf_token(client, "/account/password/forgot")
    response = client.post("/account/password/forgot", headers={"Host": "evil.example"},
                           data={"email": user.email, "csrf_token": token})
    assert response.status_code == 400
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_reset_links_use_the_configured_origin_even_through_an_alias(client, db, make,
                                                                    alias):
    user = make.user()
    form = client.get("/account/password/forgot", headers={"Host": alias})
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.get_data(as_text=True))
    response = client.post("/account/password/forgot", headers={"Host": alias},
                           data={"email": user.email, "csrf_token": token.group(1)})
    assert response.status_code in (302, 303)
    body = db.session.scalar(select(OutboxMessage.body))
    links = re.findall(r"https?://[^\s]+", body)
    assert links and all(link.startswith(f"{ORIGIN}/account/password/reset/") for link in links)


@pytest.mark.parametrize("path", ["/en/statements/migrants-day", "/en/", "/en/feed.atom",
                                  "/sitemap.xml", "/api/v1/statements?lang=en",
                                  "/api/v1/statements/migrants-day"])
def test_absolute_links_never_follow_the_host_header(client, published, alias, path):
    """Canonical, hreflang, feed, sitemap and API links name PORTAL_URL, not the alias."""
    direct = client.get(path).get_data(as_text=True)
    through_alias = client.get(path, headers={"Host": alias}).get_data(as_text=True)
    assert alias not in through_alias
    assert f"{ORIGIN}/" in through_alias
    assert through_alias == direct  # so a shared cache cannot be poisoned, ids never change


def test_atom_entry_ids_are_the_same_however_the_site_is_reached(client, published, alias):
    def ids(response):
        return re.findall(r"<id>([^<]+)</id>", response.get_data(as_text=True))

    assert ids(client.get("/es/feed.atom", headers={"Host": alias})) == \
        ids(client.get("/es/feed.atom")) == \
        [f"{ORIGIN}/es/", f"{ORIGIN}/es/statements/migrants-day"]


def test_trusted_hosts_are_derived_from_the_portal_url(app):
    from portal import create_app

    demo = create_app({"TESTING": True, "SECRET_KEY": "x", "PORTAL_URL": "http://127.0.0.1:5000",
                       "TRUSTED_HOSTS": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert demo.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    real = create_app({"TESTING": True, "SECRET_KEY": "x", "TRUSTED_HOSTS": None,
                       "PORTAL_URL": "https://statements.example.org/portal",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert real.config["TRUSTED_HOSTS"] == ["statements.example.org"]
    with real.app_context():
        from portal.urls import absolute_url

        assert absolute_url("reader.statements", lang="es") == \
            "https://statements.example.org/portal/es/"


def test_links_made_in_bulk_are_the_links_absolute_url_makes():
    """Sitemaps and the API build thousands of links around a marker: the same URLs."""
    from portal import create_app
    from portal.urls import absolute_url, links_to

    real = create_app({"TESTING": True, "SECRET_KEY": "x", "TRUSTED_HOSTS": None,
                       "PORTAL_URL": "https://statements.example.org/portal",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with real.app_context():
        page, text = links_to("reader.statement", "slug"), links_to("api.statement_text",
                                                                    "slug")
        for lang in ("es", "zh-Hans", "ar"):
            for slug in ("migrants-day", "día del migrante", "a/b?c#d", "100%"):
                assert page(lang=lang, slug=slug) == \
                    absolute_url("reader.statement", lang=lang, slug=slug)
                assert text(slug=slug, lang=lang) == \
                    absolute_url("api.statement_text", slug=slug, lang=lang)
