"""Segmenting statements, putting them back together, and rendering them safely."""

from portal.content.render import render_markdown
from portal.content.segments import (
    Segment,
    join_statement,
    normalize_whitespace,
    paragraphs_of,
    render_with_report_links,
    segment_key,
    split_statement,
)

__all__ = [
    "Segment", "join_statement", "normalize_whitespace", "paragraphs_of", "render_markdown",
    "render_with_report_links", "segment_key", "split_statement",
]
