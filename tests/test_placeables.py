"""Inline markup as placeables: source → tokens → translation → Markdown → rendered."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from portal.content.placeables import (
    draft_markdown,
    draft_tokens,
    source_tokens,
    to_markdown,
    to_tokens,
)
from portal.content.render import render_markdown
from portal.models.statements import SegmentKind

SOURCE = ("Read [our full report](https://example.org/report_2025 \"Report\") and *act* "
          "**now**: `#migrants`  \nsee <https://example.org/a> or https://example.org/b.")


def test_source_becomes_numbered_tokens():
    text, placeables = to_tokens(SOURCE)
    assert text == ("Read [1]our full report[/1] and [2]act[/2] [3]now[/3]: {4}{5}\n"
                    "see {6} or {7}.")
    assert [p.kind for p in placeables] == ["link", "em", "strong", "code", "br", "autolink",
                                            "url"]
    assert placeables[0].target == "https://example.org/report_2025"


def test_source_round_trip_renders_the_same():
    text, placeables = to_tokens(SOURCE)
    assert render_markdown(to_markdown(text, placeables)) == render_markdown(SOURCE)


@pytest.mark.parametrize("translation, expected", [
    ("Lee [1]nuestro informe completo[/1] y [2]actúa[/2] [3]ya[/3]: {4}{5}\nmira {6} o {7}.",
     '<a href="https://example.org/report_2025" title="Report"'),
    ("اقرأ [1]تقريرنا الكامل[/1] و[2]تحرك[/2] [3]الآن[/3]: {4}{5}\nانظر {6} أو {7}.",
     "<em>تحرك</em>"),
    ("阅读[1]我们的完整报告[/1]，[2]行动[/2][3]现在[/3]：{4}{5}\n见{6}或{7}。",
     "<strong>现在</strong>"),
    ("[1]हमारी पूरी रिपोर्ट[/1] पढ़ें और [3]अभी[/3] [2]कार्य करें[/2]: {4}{5}\nदेखें {6} या {7}।",
     "<code>#migrants</code><br>"),
])
def test_translation_tokens_become_markdown_with_the_sources_targets(translation, expected):
    _, placeables = to_tokens(SOURCE)
    markdown = to_markdown(translation, placeables)
    assert "https://example.org/report_2025" in markdown  # carried over, never typed
    html = render_markdown(markdown)
    assert expected in html
    assert "[1]" not in html and "{4}" not in html
    # …and shown again in the editor exactly as typed
    assert draft_tokens(markdown, placeables) == translation


def test_a_moved_placeable_keeps_its_target():
    _, placeables = to_tokens("Go to [the site](https://a.org) and [the shop](https://b.org).")
    markdown = to_markdown("Ve a [2]la tienda[/2] y a [1]la web[/1].", placeables)
    assert markdown == "Ve a [la tienda](https://b.org) y a [la web](https://a.org)."


def test_unknown_unpaired_and_crossed_tokens_stay_as_typed():
    _, placeables = to_tokens("*a* and **b** and [c](https://c.org)")
    assert to_markdown("[1]x [2]y[/1] z[/2]", placeables) == "[1]x [2]y[/1] z[/2]"
    assert to_markdown("[9]x[/9] [3]y", placeables) == "[9]x[/9] [3]y"
    assert to_markdown("{1}", placeables) == "{1}"  # a paired placeable used alone


def test_literal_brackets_and_asterisks_in_the_source_are_not_tokens():
    text, placeables = to_tokens(r"Footnote \[1\] costs 5 \* 3 and *more* {2}")
    assert text == r"Footnote \[1\] costs 5 \* 3 and [1]more[/1] \{2}"
    assert render_markdown(to_markdown(text, placeables)) == render_markdown(
        r"Footnote \[1\] costs 5 \* 3 and *more* {2}")


def test_markup_typed_by_hand_still_works():
    _, placeables = to_tokens("Read *this*.")
    assert draft_markdown("Lee *esto* y [más](https://x.org).", placeables) == \
        "Lee *esto* y [más](https://x.org)."
    # shown with the source's number where it matches, as Markdown where it does not
    assert draft_tokens("Lee *esto* y [más](https://x.org).", placeables) == \
        "Lee [1]esto[/1] y [más](https://x.org)."


def test_titles_summaries_and_blocks_have_no_placeables():
    assert source_tokens("A *title*", SegmentKind.TITLE) == ("A *title*", [])
    assert source_tokens("| a | b |\n|---|---|\n| *1* | 2 |", SegmentKind.VERBATIM)[1] == []
    assert draft_markdown("[1]x[/1]", []) == "[1]x[/1]"


def test_whitespace_around_a_translation_is_kept_for_the_checks():
    _, placeables = to_tokens("A *b*")
    assert draft_tokens("  Una *b* ", placeables) == "  Una [1]b[/1] "


@given(st.text(alphabet=st.sampled_from(list("ab *_[]`{}1\\<>()!:. ا中")), max_size=30))
@example(source="\\>1")  # an escaped ">" before a word: a quote needs no space after it
def test_any_source_round_trips_to_the_same_rendering(source):
    text, placeables = to_tokens(source)
    assert render_markdown(to_markdown(text, placeables)) == render_markdown(source)
