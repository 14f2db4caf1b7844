"""The translator's craft through real requests: placeables in and out of the editor,
checks on every save and on the review page, a submit that names what blocks it,
guidance for translators, and the editor without JavaScript."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from portal.models import DraftSegment, Role, Statement, Translation, TranslationState
from tests.test_desk import (
    autosave,
    claim,
    editor_url,
    flashed,
    post_form,
    reload,
    text_of,
    translation_of,
)

BODY = ("Read [our full report](https://example.org/report) and *act now*.\n\n"
        "Join us on 18 December.")
TOKENS = "Read [1]our full report[/1] and [2]act now[/2]."
TRANSLATED = "Lee [1]nuestro informe[/1] y [2]actúa ya[/2]."
STORED = "Lee [nuestro informe](https://example.org/report) y *actúa ya*."


@pytest.fixture
def statement(make):
    return make.statement(targets=["es"], title="Act now", body=BODY,
                          summary="The Alliance calls for action.")


def paragraph(statement, number: int):
    return statement.current_revision.segments[number - 1]


def stored(db, key: str) -> str:
    db.session.expire_all()
    return db.session.scalar(select(DraftSegment.text).where(DraftSegment.segment_key == key))


def box(html: str, key: str) -> str:
    """The text in a segment's textarea, as the browser shows it."""
    match = re.search(rf'<textarea id="text-{key}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return unescape(match.group(1))


def fill(client, translation, statement, texts: dict[int, str], revision: int = 0):
    """The plain form (no JavaScript): type into boxes by segment number, "Save all"."""
    data = {}
    for number, text in texts.items():
        key = paragraph(statement, number).key
        data[f"text-{key}"] = text
        data[f"revision-{key}"] = str(revision)
    return post_form(client, editor_url(translation), f"{editor_url(translation)}/save", data)


COMPLETE = {1: "Actúa ya", 2: "La Alianza llama a la acción.", 3: TRANSLATED,
            4: "Únete el 18 de diciembre."}


def test_the_editor_shows_the_source_markup_as_placeables(client, db, auth, translator,
                                                          statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    html = client.get(editor_url(translation)).get_data(as_text=True)
    segment = html.split('id="segment-3"')[1].split('id="segment-4"')[0]
    assert "<em>act now</em>" in segment  # the source, rendered
    assert unescape(re.sub(r"<[^>]+>", "", re.search(
        r'<p class="source-tokens">(.*?)</p>', segment, re.S).group(1))) == TOKENS
    assert 'data-placeable="1" data-paired="1"' in segment
    assert "https://example.org/report" in segment  # the link's target, visible
    assert unescape(re.search(r'data-source="([^"]*)"', segment).group(1)) == TOKENS


def test_token_text_from_the_plain_form_is_stored_as_markdown(client, db, auth, translator,
                                                               statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    response = fill(client, translation, statement, {3: TRANSLATED})
    assert response.status_code == 303
    key = paragraph(statement, 3).key
    assert stored(db, key) == STORED
    html = client.get(editor_url(translation)).get_data(as_text=True)
    assert box(html, key) == TRANSLATED  # shown with the same numbers again
    preview = html.split('id="segment-3"')[1].split('id="segment-4"')[0]
    assert ('<a href="https://example.org/report" rel="noopener noreferrer nofollow">'
            'nuestro informe</a>') in preview
    assert 'class="rendered" lang="es" dir="ltr"' in preview
    # Saving the same tokens again changes nothing (no revision bump to trip another tab).
    fill(client, translation, statement, {3: TRANSLATED}, 1)
    db.session.expire_all()
    assert db.session.scalar(select(DraftSegment.revision).where(
        DraftSegment.segment_key == key)) == 1


def test_autosave_converts_tokens_and_answers_with_the_checks(client, db, auth, translator,
                                                              statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    key = paragraph(statement, 3).key
    answer = autosave(client, translation, key, "Lee [1]nuestro informe[/1] y actúa ya", 0)
    assert answer.status_code == 200
    assert stored(db, key) == "Lee [nuestro informe](https://example.org/report) y actúa ya"
    codes = {problem["code"]: problem["severity"] for problem in answer.get_json()["problems"]}
    assert codes == {"missing-placeable": "warning", "ending": "warning"}
    feedback = answer.get_json()["feedback"]
    assert 'class="check warning" data-code="ending"' in feedback
    assert 'href="https://example.org/report"' in feedback  # the preview

    fixed = autosave(client, translation, key, TRANSLATED, 1)
    assert fixed.get_json()["problems"] == []
    assert stored(db, key) == STORED


def test_a_stale_autosave_gets_the_current_text_as_tokens(client, db, auth, translator,
                                                          statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    key = paragraph(statement, 3).key
    autosave(client, translation, key, TRANSLATED, 0)
    stale = autosave(client, translation, key, "Otra cosa", 0)
    assert stale.status_code == 409
    assert stale.get_json()["current_text"] == TRANSLATED


def test_submit_is_refused_for_a_lost_link_naming_the_paragraph(client, db, auth, translator,
                                                                statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill(client, translation, statement, {**COMPLETE, 3: "Lee nuestro informe y [2]actúa[/2]."})
    response = post_form(client, editor_url(translation), f"{editor_url(translation)}/submit")
    assert response.headers["Location"].endswith("?focus=3#segment-3")
    page = client.get(response.headers["Location"])
    assert flashed(page) == ["Paragraph 3 (“Read our full report and act…”): The link 1 "
                             "(https://example.org/report) is missing."]
    assert reload(db, Translation, translation.id).state == TranslationState.IN_PROGRESS

    # A warning (here a missing full stop) does not block.
    fill(client, translation, statement, {3: "Lee [1]nuestro informe[/1] y [2]actúa[/2]"}, 1)
    response = post_form(client, editor_url(translation), f"{editor_url(translation)}/submit")
    assert reload(db, Translation, translation.id).state == TranslationState.IN_REVIEW


def test_one_empty_paragraph_is_named(client, db, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill(client, translation, statement, {1: "Actúa", 2: "Resumen.", 4: "Únete."})
    response = post_form(client, editor_url(translation), f"{editor_url(translation)}/submit")
    page = client.get(response.headers["Location"])
    assert flashed(page) == ["Paragraph 3 (“Read our full report and act…”) is empty."]
    assert "autofocus" in box_tag(page.get_data(as_text=True), paragraph(statement, 3).key)


def box_tag(html: str, key: str) -> str:
    return re.search(rf'<textarea id="text-{key}"[^>]*>', html).group(0)


def test_the_review_shows_both_sides_rendered_the_markdown_and_the_warnings(
        client, db, auth, translator, reviewer, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill(client, translation, statement, {**COMPLETE, 4: "Únete el 19 de diciembre."})
    post_form(client, editor_url(translation), f"{editor_url(translation)}/submit")
    auth.logout()
    version = reload(db, Translation, translation.id).versions[-1]
    auth.login(reviewer)
    html = client.get(f"/desk/versions/{version.id}").get_data(as_text=True)
    third = html.split('id="segment-3"')[1].split('id="segment-4"')[0]
    assert '<a href="https://example.org/report" rel="noopener noreferrer nofollow">our full ' \
           'report</a>' in third
    assert '<div class="rendered" lang="es" dir="ltr"><p>Lee <a href="https://example.org/' \
           'report" rel="noopener noreferrer nofollow">nuestro informe</a> y <em>actúa ya</em>' \
           in third
    assert f'<details class="raw"><summary>Markdown</summary><pre lang="es" dir="ltr">' \
           f'{STORED}</pre></details>' in third
    assert "The checks found something in 1 paragraph: see the warnings beside it " \
           "(paragraph 4)." in unescape(html)
    fourth = html.split('id="segment-4"')[1]
    assert 'class="check warning" data-code="numbers"' in fourth
    assert "The numbers or dates differ from the original (18)." in unescape(fourth)


def test_guidance_written_by_a_coordinator_is_shown_in_the_editor(client, db, auth, make,
                                                                  translator, statement):
    coordinator = make.user(role=Role.COORDINATOR)
    auth.login(coordinator)
    url = f"/coordinate/statements/{statement.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'name="guidance"' in form
    revision = statement.current_revision
    response = post_form(client, url, url, {
        "title": revision.title, "summary": revision.summary, "body": revision.body,
        "statement_date": statement.statement_date.isoformat(), "target_languages": ["es"],
        "guidance": "Use the informal *tú*. Keep “Alliance” in English."})
    assert response.status_code == 303, text_of(response)
    assert reload(db, Statement, statement.id).guidance.startswith("Use the informal *tú*.")
    auth.logout()

    auth.login(translator)
    translation = translation_of(db, statement, "es")
    claim(client, translation)
    html = client.get(editor_url(translation)).get_data(as_text=True)
    assert "Guidance for translators" in html
    assert "Use the informal <em>tú</em>." in html


def test_without_javascript_the_editor_says_autosave_is_off(client, db, auth, translator,
                                                            statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    html = text_of(client.get(editor_url(translation)))
    notice = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert "your text is not saved as you type" in notice
    assert "Use “Save all” before you leave this page." in notice
    # The keyboard help, in the interface language, for the script to open.
    keys = re.search(r'<dialog id="keys".*?</dialog>', html, re.S).group(0)
    for label in ("Next / previous paragraph", "Insert placeable 1 to 9",
                  "Insert suggestion 1 to 9", "Save now", "Submit for review"):
        assert label in keys
