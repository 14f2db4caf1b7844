"""Segmenting, joining and rendering statements."""

import string
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.content import join_statement, render_markdown, segment_key, split_statement
from portal.models import SegmentKind

BODY = """First paragraph
over two lines.

## A heading

- one
- two
  continued

1. first
2. second

> A quote
> on two lines.

Last paragraph."""


def test_split_gives_title_summary_and_each_block():
    segments = split_statement("The title", "The summary.", BODY)
    assert [s.kind for s in segments] == [
        SegmentKind.TITLE, SegmentKind.SUMMARY, SegmentKind.PARAGRAPH, SegmentKind.HEADING,
        SegmentKind.LIST_ITEM, SegmentKind.LIST_ITEM, SegmentKind.LIST_ITEM,
        SegmentKind.LIST_ITEM, SegmentKind.QUOTE, SegmentKind.PARAGRAPH,
    ]
    assert segments[3].text == "A heading" and segments[3].markup == "## "
    assert segments[5].text == "two\ncontinued"
    assert segments[8].text == "A quote\non two lines."


def test_join_restores_the_markdown():
    title, summary, body = join_statement(split_statement("The title", "The summary.", BODY))
    assert (title, summary) == ("The title", "The summary.")
    assert body == BODY


def test_line_breaks_inside_a_paragraph_keep_the_segment_key():
    before = split_statement("T", "S", "Workers of the world\nunite.\n\nSecond.")
    after = split_statement("T", "S", "Workers of the world unite.\n\n\n\nSecond.  ")
    assert [s.key for s in before] == [s.key for s in after]


def test_a_changed_word_changes_only_its_segment():
    before = split_statement("T", "S", "Alpha paragraph.\n\nBeta paragraph.")
    after = split_statement("T", "S", "Alpha paragraph.\n\nBeta paragraph, changed.")
    assert before[2].key == after[2].key
    assert before[3].key != after[3].key


def test_segment_key_ignores_whitespace_only():
    assert segment_key("a  b\nc") == segment_key(" a b c ")
    assert segment_key("a b c") != segment_key("a b d")


def test_setext_heading_becomes_atx():
    segments = split_statement("T", "S", "Heading\n=======\n\nText.")
    assert (segments[2].kind, segments[2].markup, segments[2].text) == (
        SegmentKind.HEADING, "# ", "Heading")


def test_render_escapes_raw_html():
    html = render_markdown("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_render_drops_dangerous_links():
    html = render_markdown(
        "[a](javascript:alert(1)) [b](data:text/html,hi) [c](vbscript:x) "
        "[d](https://example.org) [e](mailto:info@example.org) [f](ftp://example.org)"
    )
    for scheme in ("javascript", "data", "vbscript", "ftp"):
        assert f'href="{scheme}:' not in html
    assert 'href="https://example.org"' in html
    assert 'href="mailto:info@example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_render_leaves_no_event_handler_attributes():
    html = render_markdown('[<b onclick="x">hi</b>](https://example.org "t\\" onmouseover=")')
    elements = _elements(html)
    assert [tag for tag, _attrs in elements] == ["p", "a"]
    assert {name for _tag, attrs in elements for name, _value in attrs} <= {"href", "title", "rel"}


def _elements(html: str) -> list[tuple[str, list]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(str(html))
    return found


def test_render_keeps_formatting():
    html = render_markdown("**bold** and *emphasis*\n\n- item")
    assert "<strong>bold</strong>" in html and "<em>emphasis</em>" in html
    assert "<li>item</li>" in html


# Words that cannot start a Markdown block or carry inline syntax by themselves.
_word = st.text(string.ascii_letters + string.digits + "áéñçشعب", min_size=1, max_size=8)
_line = st.lists(_word, min_size=1, max_size=8).map(" ".join)
_paragraph = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_block = st.one_of(
    _paragraph,
    _line.map(lambda text: "## " + text),
    _line.map(lambda text: "> " + text),
    st.lists(_line, min_size=1, max_size=4).map(lambda items: "\n".join("- " + i for i in items)),
    st.lists(_line, min_size=1, max_size=4).map(
        lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
)


def _separated(blocks: list[str]) -> str:
    # Two lists of one kind in a row would merge into one; a paragraph keeps them apart.
    return "\n\n".join(blocks)


@settings(max_examples=150, deadline=None)
@given(title=_line, summary=_paragraph, blocks=st.lists(_block, max_size=8))
def test_split_then_join_keeps_every_segment(title, summary, blocks):
    body = _separated(blocks)
    segments = split_statement(title, summary, body)
    rejoined = split_statement(*join_statement(segments))
    assert [(s.kind, s.key) for s in rejoined] == [(s.kind, s.key) for s in segments]


@settings(max_examples=100, deadline=None)
@given(blocks=st.lists(_paragraph, min_size=1, max_size=6))
def test_rewrapping_paragraphs_changes_no_key(blocks):
    wrapped = "\n\n".join(blocks)
    unwrapped = "\n\n".join(" ".join(block.split("\n")) for block in blocks)
    assert [s.key for s in split_statement("T", "S", wrapped)] == [
        s.key for s in split_statement("T", "S", unwrapped)
    ]
