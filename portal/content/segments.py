"""Split a statement into translatable segments and join translated segments back.

A statement is its title, its summary and a Markdown body. The body is cut into its
top-level blocks (paragraphs, headings, list items, quotes); each becomes a segment whose
key is a hash of its whitespace-normalized text, so re-saving a statement unchanged, or
with only its line breaks moved, yields the same keys and keeps every translation.
"""

import hashlib
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

from portal.content.render import render_markdown
from portal.models.statements import SegmentKind

_parser = MarkdownIt("commonmark", {"html": False}).enable("table")
_LIST_MARKER = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?: +|$)")
_QUOTE_MARKER = re.compile(r"^ {0,3}> ?")


def normalize_whitespace(text: str) -> str:
    """Collapse every run of whitespace, line breaks included, into one space."""
    return " ".join(text.split())


def segment_key(text: str) -> str:
    """A stable id for a segment's text, blind to whitespace-only changes."""
    return hashlib.sha256(normalize_whitespace(text).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Segment:
    """One translatable unit and the Markdown markup that precedes it."""

    kind: SegmentKind
    text: str
    markup: str = ""

    @property
    def key(self) -> str:
        return segment_key(self.text)


def split_statement(title: str, summary: str, body: str) -> list[Segment]:
    """Cut a statement into its title, summary and body-block segments."""
    segments = [
        Segment(SegmentKind.TITLE, normalize_whitespace(title)),
        Segment(SegmentKind.SUMMARY, summary.strip()),
    ]
    return segments + split_body(body)


def join_statement(segments: list[Segment]) -> tuple[str, str, str]:
    """Put segments back together as (title, summary, body Markdown)."""
    title = next((s.text for s in segments if s.kind == SegmentKind.TITLE), "")
    summary = next((s.text for s in segments if s.kind == SegmentKind.SUMMARY), "")
    blocks = [s for s in segments if s.kind not in (SegmentKind.TITLE, SegmentKind.SUMMARY)]
    return title, summary, join_body(blocks)


def split_body(body: str) -> list[Segment]:
    """Cut Markdown into one segment per top-level block (each list item on its own)."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens = _parser.parse("\n".join(lines))
    segments: list[Segment] = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        source = lines[start:end]
        if token.type == "paragraph_open":
            segments.append(Segment(SegmentKind.PARAGRAPH, _strip_block(source)))
        elif token.type == "heading_open":
            inline = tokens[index + 1].content
            segments.append(Segment(SegmentKind.HEADING, inline.strip(),
                                    "#" * int(token.tag[1]) + " "))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            segments.extend(_list_items(tokens, index, lines))
        elif token.type == "blockquote_open":
            quoted = [_QUOTE_MARKER.sub("", line, count=1) for line in source]
            segments.append(Segment(SegmentKind.QUOTE, _strip_block(quoted), "> "))
        else:
            segments.append(Segment(SegmentKind.VERBATIM, _strip_block(source)))
    return [s for s in segments if s.text]


def _list_items(tokens, list_index: int, lines: list[str]) -> list[Segment]:
    ordered = tokens[list_index].type == "ordered_list_open"
    items = []
    number = int(tokens[list_index].attrGet("start") or 1)
    for token in tokens[list_index + 1:]:
        if token.level == 0:  # the list's closing token
            break
        if token.type != "list_item_open" or token.level != 1:
            continue
        start, end = token.map
        first, *rest = lines[start:end]
        marker_width = len(_LIST_MARKER.match(first).group(0)) if _LIST_MARKER.match(first) else 0
        text_lines = [first[marker_width:]] + [_dedent(line, marker_width) for line in rest]
        markup = f"{number}. " if ordered else "- "
        number += 1
        items.append(Segment(SegmentKind.LIST_ITEM, _strip_block(text_lines), markup))
    return items


def _dedent(line: str, width: int) -> str:
    indent = len(line) - len(line.lstrip(" "))
    return line[min(indent, width):]


def _strip_block(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


def join_body(blocks: list[Segment]) -> str:
    """Join body segments into Markdown; consecutive list items stay one list."""
    parts: list[str] = []
    previous: Segment | None = None
    for block in blocks:
        rendered = _render_block(block)
        if parts and _same_list(previous, block):
            parts[-1] += "\n" + rendered
        else:
            parts.append(rendered)
        previous = block
    return "\n\n".join(parts)


def _same_list(previous: Segment | None, block: Segment) -> bool:
    if previous is None or previous.kind != block.kind or block.kind != SegmentKind.LIST_ITEM:
        return False
    return (previous.markup == "- ") == (block.markup == "- ")


def _render_block(block: Segment) -> str:
    if block.kind == SegmentKind.LIST_ITEM:
        first, *rest = block.text.split("\n")
        pad = " " * len(block.markup)
        return "\n".join([block.markup + first] + [pad + line if line else "" for line in rest])
    if block.kind == SegmentKind.QUOTE:
        return "\n".join(("> " + line) if line else ">" for line in block.text.split("\n"))
    return block.markup + block.text


def paragraphs_of(publication) -> list[tuple[str, str]]:
    """(short excerpt, full text) of each translatable part of a published text."""
    parts = split_statement(publication.title, publication.summary, publication.body)
    return [(_excerpt(part.text), part.text) for part in parts]


def _excerpt(text: str, length: int = 70) -> str:
    flat = normalize_whitespace(text)
    return flat if len(flat) <= length else flat[:length - 1].rstrip() + "…"


# The title and the summary come first in paragraphs_of: body blocks are numbered after them.
FIRST_BODY_POSITION = 2
_LAST_PARAGRAPH_END = re.compile(r"</p>(?:\s*</blockquote>)*$")


def render_with_report_links(body: str, link, position: int | None = None) -> Markup:
    """The body as safe HTML, each block followed by `link(position)`.

    `position` is the block's index in paragraphs_of, so a link can name the paragraph a
    reader means. Each block is rendered on its own; list items keep their list (and its
    numbering) with the link inside each item. Given a `position`, the text is one segment
    (the summary).
    """
    if position is not None:
        return Markup(_block_html(render_markdown(body), link(position)))
    parts: list[str] = []
    items: list[str] = []
    ordered_start: int | None = None
    for position, block in enumerate(split_body(body), start=FIRST_BODY_POSITION):
        if block.kind == SegmentKind.LIST_ITEM:
            ordered = block.markup != "- "
            if items and (ordered_start is not None) != ordered:
                parts.append(_list_html(items, ordered_start))
                items = []
            if not items:
                ordered_start = int(block.markup.rstrip(". ")) if ordered else None
            items.append(_item_html(render_markdown(block.text), link(position)))
            continue
        if items:
            parts.append(_list_html(items, ordered_start))
            items = []
        parts.append(_block_html(render_markdown(_render_block(block)), link(position)))
    if items:
        parts.append(_list_html(items, ordered_start))
    return Markup("\n".join(parts))


def _block_html(html: Markup, link: Markup) -> str:
    """A paragraph (quoted or not) takes the link at its end; other blocks are followed by it."""
    html = str(html).rstrip()
    last = _LAST_PARAGRAPH_END.search(html)
    if last and html.startswith(("<p>", "<blockquote>")):
        return f"{html[:last.start()]} {link}{html[last.start():]}"
    return f'{html}\n<p class="report-line">{link}</p>'


def _item_html(html: Markup, link: Markup) -> str:
    html = str(html).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]  # a tight list's item, as one paragraph would render inside it
        return f"<li>{html} {link}</li>"
    return f"<li>{_block_html(Markup(html), link)}</li>"


def _list_html(items: list[str], start: int | None) -> str:
    if start is None:
        return "<ul>\n" + "\n".join(items) + "\n</ul>"
    attribute = f' start="{start}"' if start != 1 else ""
    return f"<ol{attribute}>\n" + "\n".join(items) + "\n</ol>"
