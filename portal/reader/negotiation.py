"""Choosing a reader's language: explicit choice, then the browser, then the default."""

from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, url_for

from portal.caching import current_state, per_generation, utcnow
from portal.models.languages import InvalidLanguageTag, best_match, canonical_tag
from portal.visibility import enabled_languages, languages_with_content

LANGUAGE_COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def interface_languages() -> list[str]:
    """Tags of the enabled languages: read once per generation of what readers see (every
    change of a language raises it), so most requests need no query for them."""
    if "enabled_tags" not in g:
        g.enabled_tags = per_generation(
            "enabled_tags", current_state(utcnow()).generation,
            lambda: [language.tag for language in enabled_languages()])
    return g.enabled_tags


def negotiate_reader_language(now) -> str:
    """The language `/` sends a reader to."""
    with_content = languages_with_content(now)
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in interface_languages():
        return chosen
    return (best_match(accepted_languages(), with_content)
            or current_app.config["DEFAULT_LANGUAGE"])


def accepted_languages() -> list[str]:
    """The browser's Accept-Language tags, most wanted first."""
    return [value for value, quality in request.accept_languages if quality > 0 and value != "*"]


def resolve_url_language(endpoint: str, values: dict) -> None:
    """Set g.language from the URL; 404 for unknown tags, 301 to the canonical casing."""
    raw = values.get("lang")
    try:
        tag = canonical_tag(raw)
    except InvalidLanguageTag:
        abort(404)
    if tag not in interface_languages():
        abort(404)
    if tag != raw:
        arguments = {**values, "lang": tag, **request.args.to_dict()}
        abort(redirect(url_for(endpoint, **arguments), 301))
    g.language = tag


def safe_next(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback` (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target
