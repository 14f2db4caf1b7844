"""Re-reading one's work: read-only versions, the review conversation, paragraph comments."""

import re

from portal.models import Role, Translation
from tests.test_desk import (
    claim,
    editor_url,
    fill_all,
    post_form,
    reload,
    text_of,
    translation_of,
)


def submit(client, translation):
    return post_form(client, editor_url(translation),
                     f"/desk/translations/{translation.id}/submit")


def decide(client, version, data):
    return post_form(client, f"/desk/versions/{version.id}",
                     f"/desk/versions/{version.id}/decision", data)


def test_authors_reread_their_versions_with_the_whole_conversation(
        db, client, auth, translator, reviewer, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill_all(client, translation, statement, text="[es] first")
    submit(client, translation)
    # In review: the editor is read-only for its author, not 403, and links the version.
    page = text_of(client.get(editor_url(translation)))
    assert "Read only" in page and 'name="text-' not in page
    first = reload(db, Translation, translation.id).versions[0]
    assert f"/desk/versions/{first.id}" in page
    read = text_of(client.get(f"/desk/versions/{first.id}"))
    assert "[es] first" in read and 'value="approve"' not in read
    auth.logout()

    # The reviewer asks for changes, with a comment on paragraph 3 alone.
    auth.login(reviewer)
    position = statement.current_revision.segments[2].position
    decide(client, first, {"decision": "changes", "comment": "Mostly fine; see paragraph 3.",
                           f"note-{position}": "Use «trabajadores migrantes» here."})
    auth.logout()

    # The translator sees the comment beside that paragraph in the editor, and only there.
    auth.login(translator)
    editor = text_of(client.get(editor_url(translation)))
    rows = editor.split('id="history-title"')[0].split('<div class="segments">')[1]
    segments = dict(re.findall(r'id="segment-(\d+)"(.*?)(?=<div class="segment[ "]|$)', rows,
                               re.S))
    beside = [number for number, html in segments.items()
              if "Use «trabajadores migrantes» here." in html]
    assert beside == ["3"]
    assert 'class="paragraph-comment"' in segments["3"]
    post_form(client, editor_url(translation), f"/desk/translations/{translation.id}/submit",
              {f"text-{statement.current_revision.segments[2].key}": "[es] trabajadores",
               f"revision-{statement.current_revision.segments[2].key}": "1"})
    second = reload(db, Translation, translation.id).versions[-1]
    assert second.number == 2

    # Version 2's page shows the comment that asked for it, in order, and the history.
    page = text_of(client.get(f"/desk/versions/{second.id}"))
    history = page.split('id="history-title"')[1]
    order = [history.index(text) for text in (
        "Version 1", "Rita Reviewer asked for changes to version 1:",
        "Mostly fine; see paragraph 3.", "Paragraph 3:", "Use «trabajadores migrantes» here.",
        "Version 2")]
    assert order == sorted(order)
    assert f'href="/desk/versions/{first.id}"' in history
    auth.logout()

    # The reviewer sees the same conversation on the review page, with the form.
    auth.login(reviewer)
    review = text_of(client.get(f"/desk/versions/{second.id}"))
    assert 'value="approve"' in review and "Mostly fine; see paragraph 3." in review
    auth.logout()


def test_coordinators_read_versions_and_strangers_do_not(db, client, auth, make, translator,
                                                         statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill_all(client, translation, statement)
    submit(client, translation)
    version = reload(db, Translation, translation.id).versions[0]
    auth.logout()
    auth.login(make.user(role=Role.COORDINATOR))
    assert client.get(f"/desk/versions/{version.id}").status_code == 200
    auth.logout()
    auth.login(make.user(translates=["es"]))  # another translator of the language
    assert client.get(f"/desk/versions/{version.id}").status_code == 403
    assert client.get(editor_url(translation)).status_code == 403
