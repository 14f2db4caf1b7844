"""Render Markdown to HTML that is safe to put on a page."""

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


def render_markdown(text: str) -> Markup:
    """Markdown → sanitized HTML: no raw HTML, links only to http, https and mailto."""
    html = _markdown.render(text)
    return Markup(
        nh3.clean(
            html,
            tags=_ALLOWED_TAGS,
            attributes=_ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
            filter_style_properties={"text-align"},
        )
    )
