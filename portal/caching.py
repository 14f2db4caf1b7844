"""HTTP caching and a rendered-page cache for what anonymous readers see.

Public pages (reader pages, feeds, the API) carry an ETag and Last-Modified and answer a
revalidation with 304; `Cache-Control: public, max-age` never outlives the next
scheduled release, so a statement released for 00:00 appears at 00:00 through every
cache. Rendered pages are kept (in this process, or in Redis with REDIS_URL) under a key
naming the readers' state: the generation of published content, raised by every
release, unpublish or language change, and the last release time that has passed.
Signed-in pages, forms and anything with a message to show are `private, no-store`.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ReaderState, Release, utcnow

cache = Cache()
# The longest any cache may keep a public page without asking again; an unpublished
# translation leaves shared caches within this time.
PUBLIC_MAX_AGE = 60
PRIVATE = "private, no-store"


@dataclass(frozen=True)
class State:
    """What readers see is determined by the content generation and the clock."""

    generation: int
    last_change: datetime | None  # the last release time that has passed
    next_change: datetime | None  # the next release time still ahead


@dataclass(frozen=True)
class Page:
    """A rendered public response, as kept in the cache."""

    body: bytes
    status: int
    mimetype: str
    etag: str


def reader_state(now: datetime) -> State:
    """The readers' state at `now`, in one round trip of three indexed lookups."""
    row = db.session.execute(select(
        select(ReaderState.generation).where(ReaderState.id == 1).scalar_subquery(),
        select(func.max(Release.release_at)).where(Release.release_at <= now)
        .scalar_subquery(),
        select(func.min(Release.release_at)).where(Release.release_at > now)
        .scalar_subquery(),
    )).one()
    return State(row[0] or 0, row[1], row[2])


def public(view: Callable) -> Callable:
    """Serve `view` to anonymous readers from the page cache, with validators and 304s."""

    @wraps(view)
    def cached_view(*args, **kwargs):
        if not _cacheable_request():
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = PRIVATE
            return response
        now = utcnow()
        state = reader_state(now)
        key = f"page:{state.generation}:{_stamp(state.last_change)}:{request.full_path}"
        page = cache.get(key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed:
                # Not kept (a redirect, a sitemap written as it goes): validated by date.
                return _public_headers(response, state, now).make_conditional(request)
            body = response.get_data()
            page = Page(body, response.status_code, response.mimetype,
                        hashlib.blake2b(body, digest_size=16).hexdigest())
            cache.set(key, page, timeout=_seconds_left(state, now, current_app.config[
                "PAGE_CACHE_SECONDS"]))
        response = Response(page.body, page.status, mimetype=page.mimetype)
        response.set_etag(page.etag)
        return _public_headers(response, state, now).make_conditional(request)

    return cached_view


def _cacheable_request() -> bool:
    # A signed-in person's pages name them; a pending message belongs to one reader.
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and not session.get("_flashes"))


def _stamp(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "-"


def _seconds_left(state: State, now: datetime, longest: int) -> int:
    """Seconds until the next release time, at most `longest` (and at least one)."""
    if state.next_change is None:
        return longest
    return max(1, min(longest, int((state.next_change - now).total_seconds())))


def _public_headers(response: Response, state: State, now: datetime) -> Response:
    response.headers["Cache-Control"] = \
        f"public, max-age={_seconds_left(state, now, PUBLIC_MAX_AGE)}"
    if state.last_change is not None:
        response.last_modified = state.last_change
    g.public_response = True
    return response


def _private_by_default(response: Response) -> Response:
    """Whatever was not served as public is private: forms, desks, coordination, errors."""
    if request.endpoint == "static":
        return response
    if not getattr(g, "public_response", False):
        response.headers["Cache-Control"] = PRIVATE
    return response


def static_version(app: Flask) -> Callable[[str, dict], None]:
    """A url_defaults hook adding `?v=<content hash>` to static URLs (fingerprinting)."""
    hashes: dict[str, str] = {}

    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        filename = values["filename"]
        if filename not in hashes or app.debug:
            path = app.static_folder and f"{app.static_folder}/{filename}"
            try:
                with open(path, "rb") as handle:
                    hashes[filename] = hashlib.blake2b(handle.read(),
                                                       digest_size=6).hexdigest()
            except OSError:
                return
        values["v"] = hashes[filename]

    return add_version


def _immutable_static(response: Response) -> Response:
    """Fingerprinted static files never change under their URL: cache them for a year."""
    if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def init_app(app: Flask) -> None:
    """Bind the page cache (Redis with REDIS_URL) and the caching headers to `app`."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "portal:")
    app.config.setdefault("CACHE_THRESHOLD", 2000)  # pages kept in one process
    cache.init_app(app)
    app.url_defaults(static_version(app))
    app.after_request(_immutable_static)
    app.after_request(_private_by_default)
