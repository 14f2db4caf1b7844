"""The JSON API: the same visibility rules as the reader pages.

Its contract is the OpenAPI document beside this module, served at /api/v1/openapi.json
(tests/test_openapi.py checks every route's answers against it). Fields are only ever
added: consumers rely on the ones there are.
"""

import json
import math
from functools import wraps
from importlib import resources

from flask import Response, abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.api import bp
from portal.caching import public
from portal.content import render_markdown
from portal.extensions import csrf, db
from portal.inputs import MAX_PAGE, refuse
from portal.models import Publication, utcnow
from portal.models.languages import (
    InvalidLanguageTag,
    autonym,
    canonical_tag,
    direction,
    english_name,
)
from portal.urls import absolute_url, links_to
from portal.visibility import (
    availability_for,
    enabled_languages,
    languages_with_content,
    statement_availability,
    statement_listing,
)

csrf.exempt(bp)
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# The pagination links, in the order the Link header lists them.
LINK_RELATIONS = ("self", "first", "prev", "next", "last")
OPENAPI = json.loads(resources.files(__package__).joinpath("openapi.json")
                     .read_text(encoding="utf-8"))


def _language(tag: str) -> dict:
    return {"tag": tag, "name": english_name(tag), "autonym": autonym(tag),
            "direction": direction(tag)}


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _availability(slug: str, rows, links: dict | None = None) -> list[dict]:
    """Each visible language of a statement, with its reader and API URLs; `links`, made
    by `_links()` once per response, builds those faster for a list of statements."""
    links = links or _links()
    return [
        {**_language(row.language_tag), "updated_at": _iso(row.released_at),
         "url": links["page"](lang=row.language_tag, slug=slug),
         "api_url": links["text"](slug=slug, lang=row.language_tag)}
        for row in rows
    ]


def _links() -> dict:
    return {"page": links_to("reader.statement", "slug"),
            "text": links_to("api.statement_text", "slug")}


def _requested_language(raw: str) -> str:
    try:
        tag = canonical_tag(raw)
    except InvalidLanguageTag:
        abort(404, description=f"Unknown language tag: {raw}")
    if tag not in {language.tag for language in enabled_languages()}:
        abort(404, description=f"Language not enabled: {tag}")
    return tag


def _whole_number(name: str, default: int, largest: int, message) -> int:
    """The query parameter `name`: `default` when absent, else 1 to `largest` or a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    # ASCII digits only (int() would take "+5", "1_0" or "٥"), and never a number so long
    # that int() itself refuses it.
    digits = raw.isascii() and raw.isdigit() and len(raw.lstrip("0")) <= len(str(largest))
    if not digits or not 1 <= int(raw) <= largest:
        refuse(400, message)
    return int(raw)


def _link_header(view):
    """Add an RFC 8288 `Link` header built from the body's `links` (cached pages too)."""

    @wraps(view)
    def with_link_header(*args, **kwargs):
        response = view(*args, **kwargs)
        if response.status_code == 200 and response.is_json:
            links = response.get_json()["links"]
            response.headers["Link"] = ", ".join(
                f'<{links[relation]}>; rel="{relation}"'
                for relation in LINK_RELATIONS if relation in links)
        return response

    return with_link_header


def _pagination_links(tag: str, page: int, pages: int, per_page: int) -> dict[str, str]:
    """Absolute URLs of this page, the first, the last and its neighbours (where they are)."""
    def url(number: int) -> str:
        return absolute_url("api.statements", lang=tag, page=number, per_page=per_page)

    links = {"self": url(page), "first": url(1), "last": url(pages)}
    if page > 1:
        links["prev"] = url(page - 1)
    if page < pages:
        links["next"] = url(page + 1)
    return links


@bp.get("/openapi.json")
@public
def openapi():
    """This API described in OpenAPI 3.1, its server named on the portal's own origin."""
    document = {**OPENAPI, "servers": [{
        "url": absolute_url("api.openapi").removesuffix("/openapi.json"),
        "description": OPENAPI["servers"][0]["description"]}]}
    return Response(json.dumps(document, ensure_ascii=False, indent=2),
                    mimetype="application/json")


@bp.get("/languages")
@public
def languages():
    """Enabled languages, and whether anything is published in each."""
    with_content = set(languages_with_content(utcnow()))
    return jsonify(languages=[
        {**_language(language.tag), "has_content": language.tag in with_content}
        for language in enabled_languages()
    ])


@bp.get("/statements")
@_link_header
@public
def statements():
    """Every readable statement, in `lang` (default: the portal's default language) where
    it is translated, else in its source language; a page at a time, with page links."""
    tag = _requested_language(request.args.get("lang", current_app.config["DEFAULT_LANGUAGE"]))
    # Lazy: choosing the interface language costs a query, only worth it for an error.
    page = _whole_number("page", 1, MAX_PAGE, _l(
        "The page number must be a whole number from 1 to %(max)d.", max=MAX_PAGE))
    per_page = _whole_number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, _l(
        "per_page, the number of statements on a page, must be a whole number from 1 to "
        "%(max)d.", max=MAX_PER_PAGE))
    now = utcnow()
    rows, total = statement_listing(tag, now, page, per_page)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        refuse(404, _("There is no page %(page)d: the last page is %(last)d.",
                      page=page, last=pages))
    languages_by_statement = availability_for([row.Statement.id for row in rows], now)
    links = _links()
    return jsonify(
        language=tag, page=page, per_page=per_page, total=total, pages=pages,
        links=_pagination_links(tag, page, pages, per_page),
        statements=[
            {"slug": row.Statement.slug, "title": row.Publication.title,
             "summary": row.Publication.summary,
             "date": row.Statement.statement_date.isoformat(),
             "source_language": row.Statement.source_language_tag,
             "updated_at": _iso(row.released_at),
             "translated": row.translated, "text_language": row.Publication.language_tag,
             "languages": _availability(row.Statement.slug,
                                        languages_by_statement[row.Statement.id], links)}
            for row in rows
        ],
    )


@bp.get("/statements/<slug>")
@public
def statement(slug):
    """One statement and the languages it can be read in."""
    found, available = statement_availability(slug, utcnow())
    if found is None:
        abort(404, description=f"No published statement: {slug}")
    return jsonify(
        slug=found.slug, date=found.statement_date.isoformat(),
        source_language=found.source_language_tag,
        updated_at=_iso(max(row.released_at for row in available.values())),
        languages=_availability(found.slug, [available[tag] for tag in sorted(available)]),
    )


@bp.get("/statements/<slug>/<lang>")
@public
def statement_text(slug, lang):
    """The full text of one statement in one language."""
    tag = _requested_language(lang)
    found, available = statement_availability(slug, utcnow())
    if found is None:
        abort(404, description=f"No published statement: {slug}")
    if tag not in available:
        abort(404, description=f"{slug} is not published in {tag}")
    row = available[tag]
    publication = db.session.get(Publication, row.publication_id)
    return jsonify(
        slug=found.slug, language=_language(tag), date=found.statement_date.isoformat(),
        source_language=found.source_language_tag, updated_at=_iso(row.released_at),
        source_changed=row.source_revision_id != row.current_source_revision_id,
        title=publication.title, summary=publication.summary,
        body_markdown=publication.body, body_html=str(render_markdown(publication.body)),
        url=absolute_url("reader.statement", lang=tag, slug=slug),
    )
