"""HTTP caching and a rendered-page cache for what anonymous readers see.

Public pages (reader pages, feeds, the API) carry an ETag and Last-Modified and answer a
revalidation with 304; `Cache-Control: public, max-age` never outlives the next
scheduled release, so a statement released for 00:00 appears at 00:00 through every
cache. Rendered pages are kept (in this process, or in Redis with REDIS_URL) under a key
naming the readers' state: the generation of published content, raised by every
release, unpublish or language change, and the last release time that has passed.
Signed-in pages, forms and anything with a message to show are `private, no-store`.

A cache hit for a reader without a session is served by `PageCacheMiddleware`, ahead of
Flask: no request context, no database. The readers' state is read from the database at
most once per READER_STATE_SECONDS in each process (and at once when a release time
passes, or when this process changes what readers see), so a change made in another
process reaches readers within that second. For as long as it trusts the state, a
process also keeps the pages it fetched from a shared cache, so a hit needs no round
trip to Redis either.
"""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from http.cookies import CookieError, SimpleCookie

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    make_response,
    request,
    session,
)
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, is_resource_modified

from portal.extensions import db
from portal.models import ReaderState, Release, Statement, utcnow

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
    """A rendered public response, as kept in the cache, with the headers it was sent with,
    and (in a shared cache) the scope tokens and release stamp it was made under."""

    body: bytes
    status: int
    headers: list[tuple[str, str]]
    etag: str
    tokens: tuple = ()
    stamp: str = ""


# In a shared cache (Redis) a kept page belongs to scopes, each with a random token that
# every change of the scope replaces: a statement's pages to its own scope, every other
# public page (listings, feeds, search, API lists, sitemaps) to the collections. A release
# or unpublish of one statement makes its own pages and the collections afresh and leaves
# every other statement's pages kept; a language change makes everything afresh.
SCOPE_ALL, SCOPE_COLLECTIONS = "all", "collections"
STATEMENT_PAGES = {"reader.statement", "api.statement", "api.statement_text"}


@dataclass(frozen=True)
class Lookup:
    """Where a page is kept and what it must have been made under to be served."""

    key: str
    tokens: tuple = ()
    stamp: str = ""
    statement: str | None = None  # the slug, for a statement's own page in a shared cache


# Recomputed for every answer from the state and the clock, never replayed from the cache.
_PER_ANSWER = {"cache-control", "last-modified", "expires", "date", "content-length",
               "set-cookie", "etag"}
# Set on a public response to be kept; the middleware keeps it and removes the header.
_KEEP_HEADER = "X-Portal-Page-Key"


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


class _Remembered:
    """The readers' state as this process last read it, and until when it may be trusted."""

    state: State | None = None
    trusted_until = 0.0  # time.monotonic()
    derived: dict = {}  # {name: (generation, value)}: facts that change only with it
    pages: dict = {}  # {path: Page} fetched from a shared cache under this state


_remembered = _Remembered()


def current_state(now: datetime) -> State:
    """The readers' state at `now`: remembered for READER_STATE_SECONDS, unless a release
    time has passed (or the clock went back) since it was read."""
    state = _trusted_state(now)
    if state is None:
        state = reader_state(now)
        _remembered.state = state
        _remembered.pages = {}
        _remembered.trusted_until = (time.monotonic()
                                     + current_app.config["READER_STATE_SECONDS"])
    return state


def _trusted_state(now: datetime) -> State | None:
    state = _remembered.state
    if (state is None or time.monotonic() >= _remembered.trusted_until
            or (state.next_change is not None and now >= state.next_change)
            or (state.last_change is not None and now < state.last_change)):
        return None
    return state


def forget_state() -> None:
    """Read the readers' state afresh on the next request (this process changed it)."""
    _remembered.state = None
    _remembered.derived = {}
    _remembered.pages = {}


def per_generation(name: str, generation: int, compute: Callable[[], object]):
    """`compute()`, remembered until the generation of what readers see changes."""
    remembered = _remembered.derived.get(name)
    if remembered is None or remembered[0] != generation:
        remembered = (generation, compute())
        _remembered.derived = {**_remembered.derived, name: remembered}
    return remembered[1]


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    # Forgotten again once the change is committed: a request that read the state between
    # the change and the commit must not keep the old generation for a second. The scope
    # tokens are replaced only now, so no page is kept under them from uncommitted data.
    if session.info.pop("reader_state_changed", False):
        forget_state()
        _replace_tokens(session.info.pop("reader_scopes", set()))


def note_content_changed(slugs: list[str] | None = None) -> None:
    """Called with every change of what readers see, in the session making it: a change
    of these statements' publications, or of everything (None: a language, say)."""
    scopes = db.session.info.setdefault("reader_scopes", set())
    if slugs is None:
        scopes.add(SCOPE_ALL)
    else:
        scopes.update({SCOPE_COLLECTIONS, *(f"statement:{slug}" for slug in slugs)})
    db.session.info["reader_state_changed"] = True
    forget_state()


def is_shared(app: Flask) -> bool:
    """Whether kept pages are shared by every process (Redis), rather than one process's."""
    return app.config["CACHE_TYPE"] != "SimpleCache"


def find_page(app: Flask, environ: dict, state: State, endpoint: str | None,
              arguments: dict) -> tuple[Lookup, Page | None]:
    """The kept page for this request, if it is still true, and where to keep a new one.

    In one process's own cache the key names the generation of everything readers see:
    any change in any process makes every page afresh, as it must, since processes share
    nothing but the database. In a shared cache one round trip fetches the page with the
    tokens of its scopes; a page made under other tokens is not served.
    """
    backend = app.extensions["cache"][cache]
    path = _path(environ)
    if not is_shared(app):
        key = f"page:{state.generation}:{_stamp(state.last_change)}:{path}"
        return Lookup(key), backend.get(key)
    slug = arguments.get("slug") if endpoint in STATEMENT_PAGES else None
    scopes = (SCOPE_ALL, SCOPE_COLLECTIONS if slug is None else f"statement:{slug}")
    key = f"page:{path}"
    page, *tokens = backend.get_many(key, *(f"scope:{scope}" for scope in scopes))
    if None in tokens:  # made before rendering, so a change while rendering replaces it
        for scope, token in zip(scopes, tokens, strict=True):
            if token is None:
                backend.add(f"scope:{scope}", secrets.token_hex(8), timeout=0)
        page, *tokens = backend.get_many(key, *(f"scope:{scope}" for scope in scopes))
    # A statement's page is kept until its own next release time, not everyone's.
    lookup = Lookup(key, tuple(tokens), "" if slug else _stamp(state.last_change), slug)
    if page is None or page.tokens != lookup.tokens or page.stamp != lookup.stamp:
        return lookup, None
    return lookup, page


def _path(environ: dict) -> str:
    return (f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
            f"?{environ.get('QUERY_STRING', '')}")


# Pages fetched from a shared cache kept in the process, up to this many: the most read
# ones, as readers ask for them again within the second.
REMEMBERED_PAGES = 256


def _remembered_page(environ: dict, state: State) -> Page | None:
    """The page this process fetched for this URL under `state`, if it still trusts it."""
    return _remembered.pages.get(_path(environ)) if state is _remembered.state else None


def _remember_page(environ: dict, state: State, page: Page) -> None:
    if state is _remembered.state:
        if len(_remembered.pages) >= REMEMBERED_PAGES:
            _remembered.pages = {}
        _remembered.pages[_path(environ)] = page


def keep_page(app: Flask, lookup: Lookup, page: Page, timeout: int) -> None:
    """Keep `page` where `lookup` says, for `timeout` seconds."""
    page = Page(page.body, page.status, page.headers, page.etag, lookup.tokens, lookup.stamp)
    app.extensions["cache"][cache].set(lookup.key, page, timeout=timeout)


def _replace_tokens(scopes: set[str]) -> None:
    if not scopes or not has_app_context() or not is_shared(current_app):
        return
    current_app.extensions["cache"][cache].set_many(
        {f"scope:{scope}": secrets.token_hex(8) for scope in scopes}, timeout=0)


def public(view: Callable) -> Callable:
    """Serve `view` to anonymous readers from the page cache, with validators and 304s."""

    @wraps(view)
    def cached_view(*args, **kwargs):
        if not _cacheable_request():
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = PRIVATE
            return response
        now = utcnow()
        state = request.environ.get("portal.reader_state") or current_state(now)
        lookup, page = find_page(current_app, request.environ, state, request.endpoint,
                                 request.view_args or {})
        if page is not None:  # a reader with a session (a form's CSRF token, say)
            response = _response_of(page)
        else:
            response = make_response(view(*args, **kwargs))
        if session.modified:
            # The reader's own cookie is being set (Flask-Login marking a session not
            # fresh, say): never for a shared cache to keep.
            response.headers.pop(_KEEP_HEADER, None)
            response.headers["Cache-Control"] = PRIVATE
            return response
        _public_headers(response, state, now)
        if page is not None:
            return response.make_conditional(request)
        if response.is_streamed:
            # A sitemap written as it goes, validated by date. make_conditional() would
            # read the whole stream to count its length: answer the 304 by hand instead.
            if not is_resource_modified(request.environ, last_modified=state.last_change):
                return Response(status=304, headers=_validators(response.headers))
            return response
        if response.status_code == 200:
            response.set_etag(hashlib.blake2b(response.get_data(),
                                              digest_size=16).hexdigest())
            # PageCacheMiddleware keeps the page as sent, security headers and all.
            response.headers[_KEEP_HEADER] = str(_keep_seconds(lookup, state, now))
        return response.make_conditional(request)

    return cached_view


def _keep_seconds(lookup: Lookup, state: State, now: datetime) -> int:
    """How long a page may be kept: until the next release time — of its own statement
    for a statement's page in a shared cache, of any statement otherwise."""
    longest = current_app.config["PAGE_CACHE_SECONDS"]
    if lookup.statement is None:
        return _seconds_left(state, now, longest)
    own_next = db.session.scalar(
        select(func.min(Release.release_at)).join(Statement, Statement.id == Release.statement_id)
        .where(Statement.slug == lookup.statement, Release.release_at > now))
    return _seconds_left(State(state.generation, state.last_change, own_next), now, longest)


def _response_of(page: Page) -> Response:
    response = Response(page.body, page.status, headers=page.headers)
    response.set_etag(page.etag)
    return response


def _validators(headers: Headers) -> Headers:
    return Headers([(name, value) for name, value in headers.items()
                    if name.lower() in ("cache-control", "last-modified", "etag", "vary")])


class PageCacheMiddleware:
    """Serve kept public pages to readers without a session before Flask runs at all.

    Misses, signed-in readers (anyone with a session or remember-me cookie) and every
    method but GET and HEAD go on to the app; a public page the app marks as kept is
    stored here, exactly as it was sent.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.private_cookies = {app.config["SESSION_COOKIE_NAME"],
                                app.config.get("REMEMBER_COOKIE_NAME", "remember_token")}

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
                or self._has_private_cookie(environ.get("HTTP_COOKIE"))):
            return self.wsgi_app(environ, start_response)
        now = utcnow()
        state = _trusted_state(now)
        if state is None:  # read it from the database
            with self.app.app_context():
                state = current_state(now)
        environ["portal.reader_state"] = state
        page = _remembered_page(environ, state)
        if page is None:
            endpoint, arguments = self._route(environ)
            lookup, page = find_page(self.app, environ, state, endpoint, arguments)
            if page is None:
                return self._keeping(environ, start_response, lookup)
            if is_shared(self.app):
                _remember_page(environ, state, page)
        return self._serve(page, environ, start_response, state, now)

    def _route(self, environ) -> tuple[str | None, dict]:
        if not is_shared(self.app):
            return None, {}  # scopes are only needed in a shared cache
        adapter = self.app.url_map.bind("portal", script_name=environ.get("SCRIPT_NAME") or "/")
        try:
            return adapter.match(environ.get("PATH_INFO") or "/", method="GET")
        except HTTPException:  # not found, or redirected: the app answers
            return None, {}

    def _has_private_cookie(self, header: str | None) -> bool:
        if not header:
            return False
        try:
            return bool(self.private_cookies & SimpleCookie(header).keys())
        except CookieError:
            return True  # let the app make sense of it

    def _serve(self, page: Page, environ, start_response, state: State, now: datetime):
        headers = list(page.headers)
        headers.append(("ETag", f'"{page.etag}"'))
        headers.append(("Cache-Control",
                        f"public, max-age={_seconds_left(state, now, PUBLIC_MAX_AGE)}"))
        if state.last_change is not None:
            headers.append(("Last-Modified", http_date(state.last_change)))
        if not is_resource_modified(environ, etag=page.etag, last_modified=state.last_change):
            start_response("304 NOT MODIFIED", [(name, value) for name, value in headers
                                                if name.lower() != "content-type"])
            return []
        headers.append(("Content-Length", str(len(page.body))))
        start_response(f"{page.status} OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _keeping(self, environ, start_response, lookup: Lookup):
        kept: dict = {}

        def start_and_note(status, headers, exc_info=None):
            seconds = next((value for name, value in headers if name == _KEEP_HEADER), None)
            headers = [(name, value) for name, value in headers if name != _KEEP_HEADER]
            if seconds is not None and status.startswith("200"):
                kept.update(seconds=int(seconds), headers=headers)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start_and_note)
        if not kept or environ["REQUEST_METHOD"] != "GET":
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = Headers(kept["headers"])
        etag = (headers.get("ETag") or "").strip('"')
        keep_page(self.app, lookup, Page(data, 200, [
            (name, value) for name, value in headers.items()
            if name.lower() not in _PER_ANSWER], etag), kept["seconds"])
        return [data]


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
    app.config.setdefault("READER_STATE_SECONDS", 1.0)
    cache.init_app(app)
    app.wsgi_app = PageCacheMiddleware(app, app.wsgi_app)
    app.url_defaults(static_version(app))
    app.after_request(_immutable_static)
    app.after_request(_private_by_default)
