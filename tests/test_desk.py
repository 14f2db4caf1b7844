"""The volunteers' desk, through real requests: queue, claims, editor, autosave, reviews."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.models import (
    AuditEvent,
    DraftSegment,
    Organization,
    ProblemReport,
    Review,
    ReviewDecision,
    Translation,
    TranslationState,
    Version,
    VersionSegment,
    utcnow,
)
from portal.workflow import revise_source
from tests.conftest import Factory, csrf_token

# --- helpers ---------------------------------------------------------------------------

_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def translation_of(db, statement, tag: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def reload(db, model, ident):
    """The row as the database now holds it (requests commit through their own session)."""
    db.session.expire_all()
    return db.session.get(model, ident)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def post_form(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    """POST a form as a browser would: with the CSRF token of the page it sits on."""
    return client.post(url, data={"csrf_token": csrf_token(client, page_url), **(data or {})},
                       **kwargs)


def editor_url(translation) -> str:
    return f"/desk/translations/{translation.id}"


def autosave(client, translation, key: str, text: str, revision: int, token: str | None = None):
    """The editor script's request: JSON body, X-CSRFToken header from the page's meta tag."""
    if token is None:
        html = client.get(editor_url(translation)).get_data(as_text=True)
        token = _META_TOKEN.search(html).group(1)
    return client.post(f"{editor_url(translation)}/segments/{key}",
                       data=json.dumps({"text": text, "revision": revision}),
                       headers={"X-CSRFToken": token, "Accept": "application/json"},
                       content_type="application/json")


def claim(client, translation):
    url = f"/desk/translations/{translation.id}/claim"
    return post_form(client, url, url)


def keys_of(statement) -> list[str]:
    return [segment.key for segment in statement.current_revision.segments]


def fill_all(client, translation, statement, text="[es] translated"):
    """Type every paragraph in the plain form and press "Save all"."""
    data = {}
    for key in dict.fromkeys(keys_of(statement)):
        data[f"text-{key}"] = f"{text} {key}"
        data[f"revision-{key}"] = "0"
    return post_form(client, editor_url(translation), f"{editor_url(translation)}/save", data)


def flashed(response) -> list[str]:
    return [unescape(m) for m in re.findall(r'<p class="flash flash-[^"]*"[^>]*>(.*?)</p>',
                                            response.get_data(as_text=True), re.S)]


def submitted_version(db, client, auth, translator, statement) -> Version:
    """Claim, fill and submit as the translator; returns the version waiting for review."""
    auth.login(translator)
    translation = translation_of(db, statement, "es")
    claim(client, translation)
    fill_all(client, translation, statement)
    post_form(client, editor_url(translation), f"{editor_url(translation)}/submit")
    auth.logout()
    translation = reload(db, Translation, translation.id)
    assert translation.state == TranslationState.IN_REVIEW
    return translation.versions[-1]


# --- sign-in -----------------------------------------------------------------------------

def test_every_desk_page_needs_sign_in(client, db, statement):
    translation = translation_of(db, statement, "es")
    for url in ("/desk/", "/desk/queue", f"/desk/translations/{translation.id}/claim",
                f"/desk/translations/{translation.id}", "/desk/versions/1"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response.headers["Location"]).path == "/account/login", url


# --- the queue ---------------------------------------------------------------------------

def test_queue_lists_only_my_languages_by_deadline_then_demand_then_age(client, db, make,
                                                                         auth):
    volunteer = make.user(translates=["es", "fil"])
    for number, tags in enumerate((["fil"], ["fil"], ["es"])):
        organization = Organization(name=f"Org {number}", country="PH")
        organization.languages = [make.language(tag) for tag in tags]
        db.session.add(organization)
    # fil is needed by two organizations, es by one.
    newer = make.statement(targets=["es"], title="Undated, es, newer")
    older = make.statement(targets=["es"], title="Undated, es, older")
    translation_of(db, newer, "es").created_at = datetime(2026, 2, 1, tzinfo=UTC)
    translation_of(db, older, "es").created_at = datetime(2026, 1, 1, tzinfo=UTC)
    make.statement(targets=["fil"], title="Undated, fil, in demand")
    later = make.statement(targets=["es"], title="Due in June")
    later.deadline = datetime(2026, 6, 1, 12, tzinfo=UTC)
    sooner = make.statement(targets=["es", "fr"], title="Due in May")
    sooner.deadline = datetime(2026, 5, 1, 12, tzinfo=UTC)
    other_language = make.statement(targets=["fr"], title="French only")
    taken = make.statement(targets=["es"], title="Somebody has it")
    busy = translation_of(db, taken, "es")
    busy.state, busy.claimed_by_id = TranslationState.IN_PROGRESS, make.user(translates=["es"]).id
    busy.claim_expires_at = utcnow() + timedelta(hours=5)
    lapsed = make.statement(targets=["es"], title="Claim ran out")
    lapsed.deadline = datetime(2026, 7, 1, tzinfo=UTC)
    expired = translation_of(db, lapsed, "es")
    expired.state, expired.claimed_by_id = TranslationState.IN_PROGRESS, busy.claimed_by_id
    expired.claim_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    auth.login(volunteer)
    html = text_of(client.get("/desk/queue"))

    titles = re.findall(r'<td class="queue-title"><a [^>]*>([^<]+)</a></td>', html)
    assert titles == ["Due in May", "Due in June", "Claim ran out", "Undated, fil, in demand",
                      "Undated, es, older", "Undated, es, newer"]
    assert other_language.current_revision.title not in html
    assert "Somebody has it" not in html
    assert "English → Español" in html and "English → Filipino" in html
    words = sum(len(segment.text.split()) for segment in sooner.current_revision.segments)
    row = html[html.index("Due in May"):html.index("Due in June")]
    assert f'<td data-label="Words">{words}</td>' in row  # labelled for narrow screens
    assert "May 1, 2026" in row
    assert "You hold 0 of 3 claims." in html
    assert f'/desk/translations/{translation_of(db, sooner, "es").id}/claim' in row


# --- claiming ----------------------------------------------------------------------------

def test_claim_confirmation_names_the_target_language_large(client, db, make, auth):
    volunteer = make.user(translates=["ar"])
    statement = make.statement(targets=["ar"], title="Stop deportations")
    auth.login(volunteer)
    response = client.get(f"/desk/translations/{translation_of(db, statement, 'ar').id}/claim")
    assert response.status_code == 200
    big = re.search(r'<p class="big-language">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert big and "العربية" in big.group(1) and "Arabic" in big.group(1)
    assert 'dir="rtl"' in big.group(1)
    html = text_of(response)
    assert "Stop deportations" in html and "English → العربية" in html
    assert "3 days" in html  # CLAIM_HOURS = 72


def test_claim_page_refuses_other_languages(client, db, make, auth, statement):
    auth.login(make.user(translates=["fr"]))
    response = client.get(f"/desk/translations/{translation_of(db, statement, 'es').id}/claim")
    assert response.status_code == 403


def test_claim_then_a_second_translator_is_told_who_has_it(client, db, make, auth, translator,
                                                            statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    response = claim(client, translation)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(editor_url(translation))
    assert reload(db, Translation, translation.id).claimed_by_id == translator.id
    auth.logout()

    second = make.user(translates=["es"])
    auth.login(second)
    response = claim(client, translation)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    messages = " ".join(flashed(page))
    assert "Ana Translator is already working on this translation, until" in messages
    translation = reload(db, Translation, translation.id)
    assert (translation.state, translation.claimed_by_id) == (TranslationState.IN_PROGRESS,
                                                              translator.id)


def test_claims_beyond_max_claims_are_refused(client, db, make, auth, translator):
    statements = [make.statement(targets=["es"]) for _ in range(4)]
    auth.login(translator)
    for statement in statements[:3]:
        assert claim(client, translation_of(db, statement, "es")).status_code == 303
    last = translation_of(db, statements[3], "es")
    response = claim(client, last)
    page = client.get(response.headers["Location"])
    assert "You already hold 3 claims" in " ".join(flashed(page))
    assert reload(db, Translation, last.id).state == TranslationState.QUEUED
    queue = text_of(client.get("/desk/queue"))
    assert "You hold 3 of 3 claims: submit or release one before claiming more." in queue


def test_at_the_claim_limit_claim_buttons_are_disabled_with_the_reason(client, db, make, auth,
                                                                        translator):
    statements = [make.statement(targets=["es"], title=f"Statement {n}") for n in range(5)]
    auth.login(translator)
    html = client.get("/desk/queue").get_data(as_text=True)
    buttons = re.findall(r"<button [^>]*>Claim</button>", html)
    assert len(buttons) == 5 and not any("disabled" in button for button in buttons)
    for statement in statements[:3]:
        assert claim(client, translation_of(db, statement, "es")).status_code == 303

    html = client.get("/desk/queue").get_data(as_text=True)
    buttons = re.findall(r"<button [^>]*>Claim</button>", html)
    assert len(buttons) == 2
    assert all(" disabled " in button and 'aria-describedby="claim-limit"' in button
               for button in buttons)
    reason = re.search(r'<p class="notice claim-limit" id="claim-limit">(.*?)</p>', html, re.S)
    assert reason and "You hold 3 of 3 claims: submit or release one" in unescape(reason[1])

    # The preview says the same, and its button is disabled too.
    html = client.get(f"/desk/translations/{translation_of(db, statements[3], 'es').id}"
                      "/claim").get_data(as_text=True)
    button = re.search(r"<button [^>]*>Claim and start translating[^<]*</button>", html)[0]
    assert " disabled " in button and 'aria-describedby="claim-limit"' in button
    assert 'id="claim-limit"' in html


def test_queue_claim_buttons_say_what_they_claim_and_claim_from_the_queue(client, db, make,
                                                                          auth):
    volunteer = make.user(translates=["es", "ar"])
    statement = make.statement(targets=["es", "ar"], title="Papers for all")
    auth.login(volunteer)
    html = text_of(client.get("/desk/queue"))
    names = re.findall(r'<button type="submit" aria-label="([^"]+)"[^>]*>Claim</button>', html)
    assert sorted(names) == ["Claim “Papers for all” in Español",
                             "Claim “Papers for all” in العربية"]
    # Each row is its own form, posting to that translation's claim, and back to the queue.
    translation = translation_of(db, statement, "ar")
    form = re.search(rf'<form method="post" action="/desk/translations/{translation.id}/claim">'
                     r'(.*?)</form>', html, re.S)[1]
    assert 'name="back" value="/desk/queue"' in form
    response = post_form(client, "/desk/queue", f"/desk/translations/{translation.id}/claim",
                         {"back": "/desk/queue"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(editor_url(translation))
    assert reload(db, Translation, translation.id).claimed_by_id == volunteer.id


def test_preview_shows_the_source_before_claiming(client, db, make, auth, translator):
    statement = make.statement(targets=["es"], title="Decent work for all")
    statement.deadline = datetime(2026, 5, 1, 12, tzinfo=UTC)
    db.session.commit()
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    queue = client.get("/desk/queue").get_data(as_text=True)
    assert (f'<a href="/desk/translations/{translation.id}/claim" '
            'title="Read the text before claiming">Decent work for all</a>') in queue
    response = client.get(f"/desk/translations/{translation.id}/claim")
    html = text_of(response)
    preview = html[html.index('<section class="source-preview"'):]
    for segment in statement.current_revision.segments:
        assert segment.text.split()[0] in preview
    assert '<article lang="en" dir="ltr">' in preview
    words = sum(len(segment.text.split()) for segment in statement.current_revision.segments)
    assert f"{words} words" in html
    assert '<time datetime="2026-05-01T12:00:00Z">' in html
    assert "Claim and start translating into Español" in html
    # Reading changes nothing.
    assert reload(db, Translation, translation.id).state == TranslationState.QUEUED


def test_someone_else_holds_the_claim_page_has_a_way_back(client, db, make, auth, translator,
                                                          statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    auth.logout()
    auth.login(make.user(translates=["es"]))
    html = text_of(client.get(f"/desk/translations/{translation.id}/claim"))
    assert "Ana Translator is already working on this translation" in html
    assert '<a href="/desk/queue">Back to the queue</a>' in html
    assert '<a href="/desk/">My work</a>' in html


def test_release_with_a_reason_returns_it_to_the_queue_and_keeps_drafts(client, db, auth,
                                                                          translator,
                                                                          statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    key = keys_of(statement)[0]
    assert autosave(client, translation, key, "Trabajo decente", 0).status_code == 200
    url = f"/desk/translations/{translation.id}/release"
    response = post_form(client, url, url, {"reason": "Travelling this week"})
    assert response.status_code == 303

    translation = reload(db, Translation, translation.id)
    assert (translation.state, translation.claimed_by_id) == (TranslationState.QUEUED, None)
    assert [draft.text for draft in translation.drafts] == ["Trabajo decente"]
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "translation.release_claim"))
    assert event.detail == "Travelling this week"
    assert "Decent work for all" in text_of(client.get("/desk/queue"))


# --- the editor --------------------------------------------------------------------------

def test_editor_shows_each_segment_with_its_draft_box(client, db, make, auth):
    volunteer = make.user(translates=["ar"])
    statement = make.statement(targets=["ar"])
    translation = translation_of(db, statement, "ar")
    auth.login(volunteer)
    claim(client, translation)
    response = client.get(editor_url(translation))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    segments = statement.current_revision.segments
    for segment in segments:
        assert f'name="text-{segment.key}"' in html
        assert f'name="revision-{segment.key}" value="0"' in html
    assert html.count('lang="ar" dir="rtl" rows=') == len(segments)
    assert f"0 of {len(segments)} translated" in html
    assert "<h2>Our demands</h2>" in html  # the source's Markdown is rendered
    assert _META_TOKEN.search(html)
    assert re.search(r'<script src="/static/editor\.js\?v=[0-9a-f]+" defer>', html)


def test_editor_is_only_for_the_claimant(client, db, make, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    auth.logout()
    auth.login(make.user(translates=["es"]))
    assert client.get(editor_url(translation)).status_code == 403


def test_autosave_returns_the_new_revision_and_progress(client, db, auth, translator,
                                                         statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    key, total = keys_of(statement)[2], len(keys_of(statement))

    first = autosave(client, translation, key, "El primer párrafo", 0)
    assert first.status_code == 200
    saved = first.get_json()
    assert {name: saved[name] for name in ("revision", "translated", "total")} == \
        {"revision": 1, "translated": 1, "total": total}
    second = autosave(client, translation, key, "El primer párrafo, corregido", 1)
    assert second.get_json()["revision"] == 2
    draft = db.session.scalar(select(DraftSegment).where(DraftSegment.segment_key == key))
    assert (draft.text, draft.revision) == ("El primer párrafo, corregido", 2)


def test_stale_autosave_gets_409_with_the_current_text_and_overwrites_nothing(
        client, db, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    key = keys_of(statement)[2]
    autosave(client, translation, key, "Texto de la otra pestaña", 0)

    response = autosave(client, translation, key, "Texto viejo", 0)
    assert response.status_code == 409
    body = response.get_json()
    assert (body["current_text"], body["current_revision"]) == ("Texto de la otra pestaña", 1)
    assert "changed elsewhere" in body["error"]["detail"]
    db.session.expire_all()
    draft = db.session.scalar(select(DraftSegment).where(DraftSegment.segment_key == key))
    assert (draft.text, draft.revision) == ("Texto de la otra pestaña", 1)


def test_autosave_from_someone_who_did_not_claim_is_forbidden(client, db, make, auth,
                                                               translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    auth.logout()
    auth.login(make.user(translates=["es"]))
    token = csrf_token(client, "/desk/queue")
    response = autosave(client, translation, keys_of(statement)[0], "Intruso", 0, token=token)
    assert response.status_code == 403
    assert response.get_json()["error"]["status"] == 403
    assert db.session.scalar(select(DraftSegment)) is None


def test_save_all_works_without_javascript_and_never_overwrites_a_newer_text(
        client, db, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    title, summary, first = keys_of(statement)[:3]
    autosave(client, translation, title, "Trabajo decente para todos", 0)   # revision 1
    autosave(client, translation, first, "Guardado en otra pestaña", 0)     # revision 1

    # The form was loaded before those saves: every revision in it is 0.
    url = f"{editor_url(translation)}/save"
    response = post_form(client, editor_url(translation), url, {
        f"text-{title}": "Trabajo decente para todos", f"revision-{title}": "1",  # unchanged
        f"text-{summary}": "Resumen\r\nen dos líneas", f"revision-{summary}": "0",
        f"text-{first}": "Lo que escribí sin conexión", f"revision-{first}": "0",  # stale
    })
    assert response.status_code == 200
    html = text_of(response)
    assert any("Paragraph 3 was not saved" in message for message in flashed(response))
    assert "Lo que escribí sin conexión" in html      # what the person typed
    assert "Guardado en otra pestaña" in html         # and what was saved elsewhere

    db.session.expire_all()
    drafts = {d.segment_key: (d.text, d.revision) for d in db.session.scalars(
        select(DraftSegment))}
    assert drafts[first] == ("Guardado en otra pestaña", 1)
    assert drafts[summary] == ("Resumen\nen dos líneas", 1)
    assert drafts[title] == ("Trabajo decente para todos", 1)  # no revision bump


def test_save_all_without_conflicts_redirects_to_the_editor(client, db, auth, translator,
                                                            statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    response = fill_all(client, translation, statement)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    total = len(keys_of(statement))
    assert f"{total} of {total} translated" in text_of(page)
    assert "Saved." in flashed(page)


def test_submit_is_refused_while_a_paragraph_is_empty_then_goes_to_review(
        client, db, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    autosave(client, translation, keys_of(statement)[0], "Trabajo decente", 0)
    submit_url = f"{editor_url(translation)}/submit"

    response = post_form(client, editor_url(translation), submit_url)
    # back to the editor, the first empty paragraph in focus
    assert response.headers["Location"].endswith("?focus=2#segment-2")
    page = client.get(response.headers["Location"])
    total = len(keys_of(statement))
    assert flashed(page)[0].startswith(
        f"{total - 1} of {total} paragraphs are not translated yet: 2 (“Summary number ")
    assert "4 (“Our demands”)" in flashed(page)[0]
    assert 'id="segment-2"' in page.text
    focused = page.text.split('id="segment-2"')[1].split("</textarea>")[0]
    assert "autofocus" in focused
    assert reload(db, Translation, translation.id).state == TranslationState.IN_PROGRESS

    fill_all(client, translation, statement)
    response = post_form(client, editor_url(translation), submit_url)
    assert response.status_code == 303
    translation = reload(db, Translation, translation.id)
    assert translation.state == TranslationState.IN_REVIEW
    assert [version.number for version in translation.versions] == [1]


def test_submit_from_the_form_saves_what_was_typed_first(client, db, auth, translator,
                                                        statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    data = {f"text-{key}": f"texto {key}" for key in keys_of(statement)}
    data |= {f"revision-{key}": "0" for key in keys_of(statement)}
    post_form(client, editor_url(translation), f"{editor_url(translation)}/submit", data)
    translation = reload(db, Translation, translation.id)
    assert translation.state == TranslationState.IN_REVIEW
    assert translation.versions[0].segments[0].text == f"texto {keys_of(statement)[0]}"


# --- reviews -----------------------------------------------------------------------------

def test_reviewer_sees_the_version_and_approves_it(client, db, auth, translator, reviewer,
                                                   statement):
    version = submitted_version(db, client, auth, translator, statement)
    auth.login(reviewer)
    home = text_of(client.get("/desk/"))
    assert f"/desk/versions/{version.id}" in home

    page = client.get(f"/desk/versions/{version.id}")
    assert page.status_code == 200
    html = text_of(page)
    version = reload(db, Version, version.id)
    assert version.segments[2].text in html
    assert version.source_revision.segments[2].text in html
    assert 'value="approve"' in html and 'value="changes"' in html

    url = f"/desk/versions/{version.id}/decision"
    response = post_form(client, f"/desk/versions/{version.id}", url, {"decision": "approve"})
    assert response.status_code == 303
    assert reload(db, Translation, version.translation_id).state == TranslationState.APPROVED


def test_review_page_is_for_reviewers_of_the_language(client, db, make, auth, translator,
                                                      statement):
    version = submitted_version(db, client, auth, translator, statement)
    auth.login(make.user(reviews=["fr"], translates=["es"]))
    assert client.get(f"/desk/versions/{version.id}").status_code == 403


def test_request_changes_needs_a_comment_and_sends_it_back_to_the_translator(
        client, db, auth, translator, reviewer, statement):
    version = submitted_version(db, client, auth, translator, statement)
    auth.login(reviewer)
    review_url = f"/desk/versions/{version.id}"
    url = f"{review_url}/decision"

    response = post_form(client, review_url, url, {"decision": "changes", "comment": "  "})
    page = client.get(response.headers["Location"])
    assert any("Say what should change" in message for message in flashed(page))
    assert reload(db, Translation, version.translation_id).state == TranslationState.IN_REVIEW

    post_form(client, review_url, url, {"decision": "changes",
                                        "comment": "Use “trabajo digno” in the title."})
    translation = reload(db, Translation, version.translation_id)
    assert (translation.state, translation.claimed_by_id) == (TranslationState.IN_PROGRESS,
                                                              translator.id)
    auth.logout()

    auth.login(translator)
    home = text_of(client.get("/desk/"))
    assert "Sent back to you" in home and "Use “trabajo digno” in the title." in home
    editor = text_of(client.get(editor_url(translation)))
    assert "Rita Reviewer asked for changes to version 1:" in editor
    assert "Use “trabajo digno” in the title." in editor


def test_the_author_can_never_approve_their_own_version(client, db, make, auth, statement):
    author = make.user(translates=["es"], reviews=["es"])
    version = submitted_version(db, client, auth, author, statement)
    auth.login(author)

    home = text_of(client.get("/desk/"))
    assert "you wrote this — another reviewer must review it" in home
    # Among reviews waiting, no link to review it; it is listed to re-read as one's own.
    waiting = home.split('id="reviews"')[1]
    assert f"/desk/versions/{version.id}\"" not in waiting
    assert f"/desk/versions/{version.id}\"" in home.split('id="submitted"')[1]
    page = text_of(client.get(f"/desk/versions/{version.id}"))
    assert "You wrote this version; another reviewer must approve it" in page
    assert 'value="approve"' not in page

    token = csrf_token(client, "/desk/queue")
    response = client.post(f"/desk/versions/{version.id}/decision",
                           data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 403  # a refusal of the person: said on the page itself
    assert "You wrote this version, so someone else must review it." in text_of(response)
    assert reload(db, Translation, version.translation_id).state == TranslationState.IN_REVIEW
    assert db.session.scalar(select(Review).where(Review.version_id == version.id)) is None


# --- source changes ----------------------------------------------------------------------

def test_editor_marks_exactly_the_changed_segment_after_the_source_changes(
        client, db, auth, translator, reviewer, statement):
    version = submitted_version(db, client, auth, translator, statement)
    auth.login(reviewer)
    post_form(client, f"/desk/versions/{version.id}", f"/desk/versions/{version.id}/decision",
              {"decision": "approve"})
    auth.logout()
    revision = statement.current_revision
    old_last = revision.segments[-1]
    body = Factory.BODY.replace("join the actions", "join the actions on 18 December")
    assert revise_source(None, statement, revision.title, revision.summary, body)
    db.session.commit()
    translation = translation_of(db, statement, "es")
    assert translation.state == TranslationState.NEEDS_UPDATE

    auth.login(translator)
    claim(client, translation)
    html = client.get(editor_url(translation)).get_data(as_text=True)
    changed = re.findall(r'<div class="segment changed"[^>]*>(.*?)<p class="save-status"',
                         html, re.S)
    assert len(changed) == 1
    assert "<ins> on 18 December</ins>" in changed[0]
    new_last = statement.current_revision.segments[-1]
    assert f'name="text-{new_last.key}"' in changed[0]
    # The earlier translation of that paragraph is there to start from.
    assert f"[es] translated {old_last.key}" in changed[0]
    # Unchanged paragraphs kept their drafts: only the changed one starts empty.
    assert re.findall(r'name="revision-(\w+)" value="0"', html) == [new_last.key]


def test_review_shows_what_changed_since_the_previous_version(client, db, make, auth,
                                                              translator, reviewer,
                                                              statement):
    first = make.approved_version(statement, "es", author=translator)
    translation = translation_of(db, statement, "es")
    second = Version(number=2, source_revision=statement.current_revision, created_by=translator)
    second.segments = [VersionSegment(position=part.position, segment_key=part.segment_key,
                                      text=part.text.replace("rights", "derechos"))
                       for part in first.segments]
    translation.versions.append(second)
    translation.state = TranslationState.IN_REVIEW
    db.session.commit()

    auth.login(reviewer)
    html = client.get(f"/desk/versions/{second.id}").get_data(as_text=True)
    assert "<del>rights</del><ins>derechos</ins>" in html


# --- my work -----------------------------------------------------------------------------

def test_my_work_shows_claims_with_progress_and_time_left(client, db, make, auth, translator):
    running, lapsed = make.statement(targets=["es"]), make.statement(targets=["es"])
    auth.login(translator)
    for statement in (running, lapsed):
        claim(client, translation_of(db, statement, "es"))
    autosave(client, translation_of(db, running, "es"), keys_of(running)[0], "Título", 0)
    expired = translation_of(db, lapsed, "es")
    db.session.expire_all()
    expired.claim_expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()

    html = text_of(client.get("/desk/"))
    total = len(keys_of(running))
    assert f"1 of {total}" in html and f"0 of {total}" in html
    assert "3 days left" in html
    assert "expired — anyone may take it; your drafts are kept" in html
    assert editor_url(translation_of(db, running, "es")) in html


def test_problem_reports_wait_for_reviewers_until_resolved(client, db, make, auth, reviewer,
                                                           statement):
    report = ProblemReport(statement_id=statement.id, language_tag="es",
                           paragraph="Trabajo decente para todos", message="Typo: 'decnte'")
    db.session.add(report)
    db.session.commit()

    auth.login(make.user(reviews=["fr"]))
    assert "Typo: 'decnte'" not in text_of(client.get("/desk/"))
    auth.logout()

    auth.login(reviewer)
    html = text_of(client.get("/desk/"))
    assert "Typo: 'decnte'" in html and "Trabajo decente para todos" in html
    response = post_form(client, "/desk/", f"/desk/reports/{report.id}/resolve")
    assert response.status_code == 303
    report = reload(db, ProblemReport, report.id)
    assert report.resolved_at is not None and report.resolved_by_id == reviewer.id
    page = client.get("/desk/")
    assert "Typo: 'decnte'" not in text_of(page)
    assert "Report marked as resolved." in flashed(page)


# --- a fixed number of queries -----------------------------------------------------------

def _busy_desk(db, make, me, other, numbers: range) -> None:
    """Per statement: open es and fil work, my sent-back claim, a review, a report."""
    for number in numbers:
        open_work = make.statement(targets=["es", "fil"], title=f"Open {number}")
        open_work.deadline = datetime(2026, 5, 1, tzinfo=UTC) if number % 2 else None
        mine = make.statement(targets=["es", "fil"], title=f"Mine {number}")
        version = make.approved_version(mine, "es", author=me)
        db.session.add(Review(version=version, reviewer=other,
                              decision=ReviewDecision.CHANGES_REQUESTED, comment="Fix it"))
        claimed = translation_of(db, mine, "es")
        claimed.state, claimed.claimed_by_id = TranslationState.IN_PROGRESS, me.id
        claimed.claim_expires_at = utcnow() + timedelta(hours=number + 1)
        db.session.add(DraftSegment(translation=claimed, segment_key=keys_of(mine)[0],
                                    text="Mío"))
        make.approved_version(mine, "fil", author=other)
        translation_of(db, mine, "fil").state = TranslationState.IN_REVIEW
        db.session.add(ProblemReport(statement_id=mine.id, language_tag="fil",
                                     message=f"Problem {number}"))
        db.session.add(Organization(name=f"Org {number}", country="PH",
                                    languages=[make.language("fil")]))
        db.session.commit()


def test_queue_and_my_work_run_the_same_queries_for_2_and_20_rows(client, db, make, auth,
                                                                   count_queries):
    me = make.user(translates=["es", "fil"], reviews=["fil"])
    other = make.user(translates=["fil"], reviews=["es"])
    _busy_desk(db, make, me, other, range(2))
    auth.login(me)

    def counts() -> dict[str, int]:
        db.session.remove()  # start cold, like a request: nothing from the set-up cached
        result = {}
        for url in ("/desk/queue", "/desk/"):
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            result[url] = counter.count
        return result

    with_2 = counts()
    _busy_desk(db, make, me, other, range(2, 20))
    with_20 = counts()
    assert with_2 == with_20, (with_2, with_20)
    assert max(with_2.values()) <= 8, with_2  # with the readers' state read afresh
    home = text_of(client.get("/desk/"))
    assert home.count("Fix it") == 20 and home.count("Problem ") == 20
    # 40 open translations: the queue shows them 25 to a page.
    assert len(re.findall(r">Open \d+<", text_of(client.get("/desk/queue")))) == 25
    assert len(re.findall(r">Open \d+<", text_of(client.get("/desk/queue?page=2")))) == 15
