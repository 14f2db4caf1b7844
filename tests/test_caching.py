"""HTTP caching and the page cache: fast for readers, never stale past a change."""

import os
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

import portal.caching
import portal.reader.routes
from portal import create_app
from portal.caching import cache, forget_state
from portal.extensions import db as _db
from portal.models import Publication, ReaderState, Role, Statement, utcnow
from portal.visibility import content_changed
from portal.workflow import unpublish

PUBLIC = ["/en/", "/en/statements/cached", "/en/feed.atom", "/api/v1/statements?lang=en",
          "/api/v1/statements/cached", "/api/v1/languages", "/en/search?q=statement"]


@pytest.fixture
def cached(make):
    statement = make.statement(slug="cached", title="A cached statement", targets=["es"])
    make.publish(statement, ["es"])
    return statement


def _later(monkeypatch, moment):
    """Move the clock the reader and the cache read, as time passing would."""
    monkeypatch.setattr(portal.reader.routes, "utcnow", lambda: moment)
    monkeypatch.setattr(portal.caching, "utcnow", lambda: moment)


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_carry_validators_and_answer_304(client, cached, path):
    response = client.get(path)
    assert response.status_code == 200
    assert re.fullmatch(r"public, max-age=\d+", response.headers["Cache-Control"])
    assert int(response.headers["Cache-Control"].split("=")[1]) <= portal.caching.PUBLIC_MAX_AGE
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "Set-Cookie" not in response.headers and "csrf" not in response.get_data(as_text=True)
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(path, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def test_max_age_never_outlives_the_next_scheduled_release(client, cached, make):
    make.publish(make.statement(slug="soon"), release_at=utcnow() + timedelta(seconds=20))
    max_age = int(client.get("/en/").headers["Cache-Control"].split("=")[1])
    assert 0 < max_age <= 20


def test_a_cached_page_costs_no_query(client, cached, count_queries):
    first = client.get("/en/statements/cached")
    with count_queries(remembered=True) as counter:
        response = client.get("/en/statements/cached")
    assert response.status_code == 200 and "A cached statement" in response.get_data(True)
    # Served ahead of Flask from the page cache, with the readers' state this process
    # remembers: the same page, headers and all, without one query.
    assert counter.count == 0
    assert response.data == first.data and response.headers["ETag"] == first.headers["ETag"]
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert response.headers[name] == first.headers[name], name
    assert "X-Portal-Page-Key" not in first.headers and "X-Portal-Page-Key" not in response.headers


def test_a_reader_with_a_session_gets_the_same_cached_page(client, cached):
    first = client.get("/en/statements/cached")
    form = client.get("/account/login")  # the reader now has a session (a CSRF token)
    assert any(cookie.startswith("session=") for cookie in form.headers.getlist("Set-Cookie"))
    for _ in range(2):
        response = client.get("/en/statements/cached")
        assert response.data == first.data
        # A response setting the reader's own cookie is never for a shared cache.
        if "Set-Cookie" in response.headers:
            assert response.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.headers["ETag"] == first.headers["ETag"]


def test_a_change_made_by_another_process_reaches_readers_within_a_second(
        app, client, cached, db, monkeypatch):
    client.get("/en/")
    # Another worker releases something: this process learns it only from the database.
    db.session.execute(update(ReaderState).values(generation=ReaderState.generation + 1))
    db.session.execute(update(Publication).where(Publication.statement_id == cached.id)
                       .values(title="A retitled statement"))
    db.session.commit()
    assert "A retitled statement" not in client.get("/en/").get_data(as_text=True)
    later = time.monotonic() + app.config["READER_STATE_SECONDS"]
    monkeypatch.setattr(portal.caching.time, "monotonic", lambda: later)
    assert "A retitled statement" in client.get("/en/").get_data(as_text=True)


def test_a_release_shows_at_once_despite_the_cache(client, cached, make):
    assert "Fresh news" not in client.get("/en/").get_data(as_text=True)
    make.publish(make.statement(slug="fresh", title="Fresh news"))
    assert "Fresh news" in client.get("/en/").get_data(as_text=True)


def test_an_unpublished_translation_leaves_the_cache_at_once(app, client, cached, make, db):
    assert client.get("/es/statements/cached").status_code == 200
    assert "[es]" in client.get("/es/statements/cached").get_data(as_text=True)
    coordinator = make.user(Role.COORDINATOR)
    with app.test_request_context():
        unpublish(coordinator, db.session.get(Statement, cached.id), "es", "Wrong wording")
        db.session.commit()
    assert "[es]" not in client.get("/es/statements/cached").get_data(as_text=True)


def test_a_statement_scheduled_for_midnight_appears_at_midnight(client, cached, make,
                                                                monkeypatch):
    midnight = (utcnow() + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                      microsecond=0)
    make.publish(make.statement(slug="at-midnight", title="Midnight statement"),
                 release_at=midnight)
    _later(monkeypatch, midnight - timedelta(seconds=1))
    before = client.get("/en/")
    assert "Midnight statement" not in before.get_data(as_text=True)
    assert int(before.headers["Cache-Control"].split("=")[1]) <= 1
    _later(monkeypatch, midnight)
    assert "Midnight statement" in client.get("/en/").get_data(as_text=True)
    assert client.get("/en/statements/at-midnight").status_code == 200


def test_signed_in_pages_are_private(client, cached, make, auth):
    auth.login(make.user(Role.COORDINATOR))
    for path in ["/en/", "/en/statements/cached", "/desk/", "/coordinate/"]:
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "ETag" not in response.headers


def test_forms_are_private(client, cached):
    for path in ["/account/login", "/es/statements/cached/report"]:
        assert client.get(path).headers["Cache-Control"] == "private, no-store", path


def test_static_files_are_fingerprinted_and_kept_for_a_year(client, cached):
    html = client.get("/en/").get_data(as_text=True)
    url = re.search(r'href="(/static/portal\.css\?v=[0-9a-f]+)"', html).group(1)
    with client.get(url) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_sitemaps_are_public_and_revalidated_by_date(client, cached):
    response = client.get("/sitemap.xml")
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    block = re.search(r"/sitemaps/statements-\d+\.xml", response.get_data(as_text=True))
    since = client.get(block.group(),
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


# --- a shared page cache (Redis), as several processes use it -----------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(scope="module")
def shared_app(app):
    """The same portal with its pages kept in Redis, as a deployment with REDIS_URL."""
    shared = create_app({**app.config, "REDIS_URL": REDIS_URL, "CACHE_TYPE": "RedisCache",
                         "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": "portal-test:"})
    return shared


@pytest.fixture
def shared(shared_app, db):
    """A reader of the Redis-backed portal, with its kept pages and tokens emptied."""
    with shared_app.app_context():
        cache.clear()
    forget_state()
    return shared_app.test_client()


def _in_context(app, change):
    """A change made in a request of `app` (the tokens live in its cache)."""
    with app.test_request_context():
        change()
        _db.session.commit()


def test_a_shared_cache_serves_kept_pages_without_a_query(shared, cached, count_queries):
    first = shared.get("/en/statements/cached")
    with count_queries(remembered=True) as counter:
        again = shared.get("/en/statements/cached")
    assert again.data == first.data and counter.count == 0
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_shared_cache_hit_is_served_from_the_process_within_the_second(
        app, shared_app, shared, cached, db, monkeypatch):
    """Within READER_STATE_SECONDS a process serves the page it fetched again without a
    round trip to Redis; a change another process made is served after that second."""
    first = shared.get("/en/statements/cached")
    shared.get("/en/statements/cached")  # fetched from Redis, now kept by this process too
    backend = shared_app.extensions["cache"][cache]
    asked = []
    fetch = backend.get_many
    monkeypatch.setattr(backend, "get_many", lambda *keys: asked.append(keys) or fetch(*keys))
    assert shared.get("/en/statements/cached").data == first.data
    assert asked == []
    # Another worker retitles and releases it: a new generation, a new statement token.
    db.session.execute(update(ReaderState).values(generation=ReaderState.generation + 1))
    db.session.execute(update(Publication).where(Publication.statement_id == cached.id)
                       .values(title="A retitled statement"))
    db.session.commit()
    backend.set("scope:statement:cached", "another-process", timeout=0)
    assert "A retitled statement" not in shared.get("/en/statements/cached").get_data(
        as_text=True)
    later = time.monotonic() + app.config["READER_STATE_SECONDS"]
    monkeypatch.setattr(portal.caching.time, "monotonic", lambda: later)
    assert "A retitled statement" in shared.get("/en/statements/cached").get_data(
        as_text=True)
    assert asked  # asked Redis again, and made the page afresh under the new token


def test_a_release_leaves_other_statements_pages_kept(shared_app, shared, cached, make,
                                                     count_queries):
    page = shared.get("/en/statements/cached")
    shared.get("/en/")
    other = make.statement(slug="other", title="Another statement")
    _in_context(shared_app, lambda: make.publish(other))
    with count_queries(remembered=True) as counter:
        again = shared.get("/en/statements/cached")
    # Kept, as its statement is unchanged: only the readers' state is read again.
    assert again.data == page.data and counter.count == 1
    assert "Another statement" in shared.get("/en/").get_data(as_text=True)  # list made anew
    assert shared.get("/en/statements/other").status_code == 200


def test_an_unpublish_makes_only_that_statements_pages_afresh(shared_app, shared, cached,
                                                              make, db):
    other = make.statement(slug="other", title="Another statement", targets=["es"])
    make.publish(other, ["es"])
    shared.get("/es/statements/cached")
    kept = shared.get("/es/statements/other")
    coordinator = make.user(Role.COORDINATOR)
    _in_context(shared_app, lambda: unpublish(
        coordinator, db.session.get(Statement, cached.id), "es", "Wrong wording"))
    assert "[es]" not in shared.get("/es/statements/cached").get_data(as_text=True)
    assert shared.get("/es/statements/other").data == kept.data


def test_a_language_change_makes_every_page_afresh(shared_app, shared, cached,
                                                   count_queries):
    shared.get("/en/statements/cached")
    before = _token(shared_app, "all")
    _in_context(shared_app, lambda: content_changed(None))
    assert _token(shared_app, "all") not in (None, before)
    with count_queries(remembered=True) as counter:
        assert shared.get("/en/statements/cached").status_code == 200
    assert counter.count > 1  # made afresh, not only the readers' state read again


def test_a_release_time_passing_keeps_other_statements_pages(shared, cached, make,
                                                             monkeypatch, count_queries):
    midnight = (utcnow() + timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                      microsecond=0)
    make.publish(make.statement(slug="at-midnight", title="Midnight statement"),
                 release_at=midnight)
    _later(monkeypatch, midnight - timedelta(minutes=5))
    page = shared.get("/en/statements/cached")
    assert "Midnight statement" not in shared.get("/en/").get_data(as_text=True)
    _later(monkeypatch, midnight)
    with count_queries(remembered=True) as counter:
        assert shared.get("/en/statements/cached").data == page.data
    assert counter.count == 1  # the readers' state, read again as the release time passed
    assert "Midnight statement" in shared.get("/en/").get_data(as_text=True)


def _token(app, scope):
    with app.app_context():
        return app.extensions["cache"][cache].get(f"scope:{scope}")
