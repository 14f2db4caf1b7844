"""The JSON API: the same visibility rules as the reader pages."""

from flask import abort, current_app, jsonify, request

from portal.api import bp
from portal.caching import public
from portal.content import render_markdown
from portal.extensions import csrf, db
from portal.inputs import page_number
from portal.models import Publication, utcnow
from portal.models.languages import (
    InvalidLanguageTag,
    autonym,
    canonical_tag,
    direction,
    english_name,
)
from portal.urls import absolute_url
from portal.visibility import (
    availability_for,
    enabled_languages,
    languages_with_content,
    statement_availability,
    statement_listing,
)

csrf.exempt(bp)
MAX_PER_PAGE = 100


def _language(tag: str) -> dict:
    return {"tag": tag, "name": english_name(tag), "autonym": autonym(tag),
            "direction": direction(tag)}


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _availability(slug: str, rows) -> list[dict]:
    return [
        {**_language(row.language_tag), "updated_at": _iso(row.released_at),
         "url": absolute_url("reader.statement", lang=row.language_tag, slug=slug),
         "api_url": absolute_url("api.statement_text", slug=slug, lang=row.language_tag)}
        for row in rows
    ]


def _requested_language(raw: str) -> str:
    try:
        tag = canonical_tag(raw)
    except InvalidLanguageTag:
        abort(404, description=f"Unknown language tag: {raw}")
    if tag not in {language.tag for language in enabled_languages()}:
        abort(404, description=f"Language not enabled: {tag}")
    return tag


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
@public
def statements():
    """Statements published in `lang` (default: the portal's default language)."""
    tag = _requested_language(request.args.get("lang", current_app.config["DEFAULT_LANGUAGE"]))
    page = page_number()
    per_page = min(request.args.get("per_page", 20, type=int), MAX_PER_PAGE)
    if page < 1 or per_page < 1:
        abort(400, description="page and per_page must be positive integers")
    now = utcnow()
    rows, total = statement_listing(tag, now, page, per_page)
    languages_by_statement = availability_for([row.Statement.id for row in rows], now)
    return jsonify(
        language=tag, page=page, per_page=per_page, total=total,
        statements=[
            {"slug": row.Statement.slug, "title": row.Publication.title,
             "summary": row.Publication.summary,
             "date": row.Statement.statement_date.isoformat(),
             "source_language": row.Statement.source_language_tag,
             "updated_at": _iso(row.released_at),
             "languages": _availability(row.Statement.slug,
                                        languages_by_statement[row.Statement.id])}
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
