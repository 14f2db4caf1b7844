"""Render Markdown to HTML that is safe to put on a page."""

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML is off in the parser, and whatever it produces is cleaned again by nh3.
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")

_ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "td": {"style"}, "th": {"style"}}
# Table alignment comes as a style attribute, which the Content-Security-Policy forbids
# (no inline styles); it becomes a class the style sheet knows, and any other style goes.
_ALIGNMENT = re.compile(r' style="text-align:\s*(left|right|center);?\s*"')
_STYLE = re.compile(r' style="[^"]*"')


# Published texts never change, and a feed renders thirty of them: the same texts are
# rendered once per process. Long texts are rendered each time, so that the memory kept
# stays bounded (at most REMEMBERED × REMEMBERED_LENGTH characters of Markdown, ~3× in HTML).
REMEMBERED, REMEMBERED_LENGTH = 1024, 16_000


def render_markdown(text: str) -> Markup:
    """Markdown → sanitized HTML: no raw HTML, links only to http, https and mailto."""
    if len(text) <= REMEMBERED_LENGTH:
        return _remembered_render(text)
    return _render(text)


@lru_cache(maxsize=REMEMBERED)
def _remembered_render(text: str) -> Markup:
    return _render(text)


def _render(text: str) -> Markup:
    html = nh3.clean(
        _markdown.render(text),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
    return Markup(_STYLE.sub("", _ALIGNMENT.sub(r' class="align-\1"', html)))
