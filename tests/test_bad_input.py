"""Bad input gets a clear 4xx and stores nothing; form errors never echo raw input.

Numbers past 64 bits, NUL and other control characters, bodies nested or sized to hurt,
text longer than a field allows, and markup posted where a choice was expected.
"""

import json
import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
from sqlalchemy import func, select

from portal.models import (
    DraftSegment,
    Organization,
    ProblemReport,
    Publication,
    Release,
    Review,
    Role,
    SourceRevision,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    VersionSegment,
)
from tests.conftest import csrf_token

BIG = "99999999999999999999999"  # past 2**64
LARGEST_ID = 2**31 - 1  # ids are INTEGER columns: 32 bits on PostgreSQL
SCRIPT = "<script>alert(1)</script>"
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# --- helpers ------------------------------------------------------------------------------

def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def post(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """POST a form as a browser would: with the CSRF token of the page it sits on."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)},
                       **kwargs)


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def translation_of(db, statement, tag: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def keys_of(statement) -> list[str]:
    return [segment.key for segment in statement.current_revision.segments]


def editor_url(translation) -> str:
    return f"/desk/translations/{translation.id}"


def autosave(client, translation, key: str, body, token: str | None = None,
             content_type: str = "application/json"):
    """The editor script's request; `body` is sent as JSON unless it is already bytes."""
    if token is None:
        token = _META_TOKEN.search(html_of(client.get(editor_url(translation)))).group(1)
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(f"{editor_url(translation)}/segments/{key}", data=data,
                       headers={"X-CSRFToken": token, "Accept": "application/json"},
                       content_type=content_type)


def statement_fields(**overrides) -> dict:
    return {"title": "Día del Migrante", "summary": "Our call for migrant workers' rights.",
            "body": "First paragraph.\n\nSecond paragraph.", "source_language": "en",
            "statement_date": "2026-12-18", "target_languages": ["es"], "deadline": "",
            "slug": "", **overrides}


@pytest.fixture
def coordinator(make):
    for tag in ("en", "es", "fr"):
        make.language(tag)
    return make.user(role=Role.COORDINATOR, display_name="Cora Coordinator")


@pytest.fixture
def signed_in(auth, coordinator):
    assert auth.login(coordinator).status_code in (302, 303)
    return coordinator


@pytest.fixture
def claimed(client, db, make, auth):
    """A statement with a Spanish translation claimed by the signed-in translator."""
    statement = make.statement(targets=["es"])
    translator = make.user(translates=["es"])
    auth.login(translator)
    translation = translation_of(db, statement, "es")
    url = f"/desk/translations/{translation.id}/claim"
    assert post(client, url, {}).status_code == 303
    return statement, translation


def in_review(db, make, statement) -> Version:
    """A Spanish version of `statement` waiting for a reviewer."""
    translation = translation_of(db, statement, "es")
    version = Version(number=1, source_revision=statement.current_revision,
                      created_by=make.user(translates=["es"]))
    version.segments = [VersionSegment(position=segment.position, segment_key=segment.key,
                                       text=f"[es] {segment.text}")
                        for segment in statement.current_revision.segments]
    translation.versions.append(version)
    translation.state = TranslationState.IN_REVIEW
    db.session.commit()
    return version


# --- 1. integers past 64 bits ----------------------------------------------------------------

def test_page_numbers_that_are_too_large_or_not_numbers_are_a_clear_400(client, make):
    make.publish(make.statement(slug="one"))
    for url in (f"/en/?page={BIG}", "/en/?page=abc"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "The page number must be a whole number" in text_of(response), url
    for url in (f"/api/v1/statements?lang=en&page={BIG}", "/api/v1/statements?lang=en&page=x"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "page number" in response.get_json()["error"]["detail"], url
    assert client.get("/en/?page=1").status_code == 200
    assert client.get("/en/?page=0").status_code == 404  # unchanged: no such page


def test_audit_log_page_and_filters_past_64_bits_are_a_clear_400(client, signed_in):
    for query in (f"page={BIG}", f"statement={BIG}", f"person={LARGEST_ID + 1}",
                  "person=someone"):
        response = client.get(f"/coordinate/audit?{query}")
        assert response.status_code == 400, query
        assert "whole number" in text_of(response) or "from the lists" in text_of(response)
    assert client.get(f"/coordinate/audit?person={signed_in.id}").status_code == 200


def test_every_int_route_answers_404_for_an_id_past_what_a_column_holds(app, client,
                                                                       signed_in):
    token = csrf_token(client, "/account/profile")
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) >= 15
    for rule in rules:
        for number in (BIG, str(2**63 - 1), str(LARGEST_ID + 1)):
            path = re.sub(r"<[^>]+>", "x", re.sub(r"<int:\w+>", number, rule.rule))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"csrf_token": token})
                assert response.status_code == 404, (method, path)
        if "GET" in rule.methods:  # the largest id there can be is simply not found
            path = re.sub(r"<[^>]+>", "x", re.sub(r"<int:\w+>", str(LARGEST_ID), rule.rule))
            assert client.get(path).status_code == 404, path


def test_autosave_revisions_out_of_range_are_refused(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    assert autosave(client, translation, key, {"text": "Primero", "revision": 0}).status_code \
        == 200
    for revision in (10**30, 1e30, 2**31, -1, "1", True):
        response = autosave(client, translation, key, {"text": "Otro", "revision": revision})
        assert response.status_code == 400, revision
        assert response.get_json()["error"]["detail"], revision
    draft = db.session.scalar(select(DraftSegment).where(DraftSegment.segment_key == key))
    db.session.refresh(draft)
    assert (draft.text, draft.revision) == ("Primero", 1)


def test_a_form_revision_past_64_bits_overwrites_nothing(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    autosave(client, translation, key, {"text": "Primero", "revision": 0})
    response = post(client, f"{editor_url(translation)}/save",
                    {f"text-{key}": "Otro", f"revision-{key}": BIG}, editor_url(translation))
    assert response.status_code < 500
    draft = db.session.scalar(select(DraftSegment).where(DraftSegment.segment_key == key))
    db.session.refresh(draft)
    assert (draft.text, draft.revision) == ("Primero", 1)


# --- 2. NUL and other control characters ---------------------------------------------------

def test_control_characters_in_url_paths_and_queries_are_a_clear_400(client, make):
    make.publish(make.statement(slug="migrants-day"))
    for url in ("/en/statements/migrants%00day", "/en/statements/migrants%01day",
                "/en/statements/migrants%00day/report", "/en/search?q=a%00b",
                "/choose/en?next=/en/%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "invisible control characters" in text_of(response), url
    response = client.get("/api/v1/statements/migrants%00day")
    assert response.status_code == 400
    assert "control characters" in response.get_json()["error"]["detail"]
    assert client.get("/en/statements/migrants-day").status_code == 200
    assert client.get("/en/search?q=tab%09ok").status_code == 200


def test_autosave_refuses_control_characters_in_the_text_and_the_key(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    for text in ("a\x00b", "a\x01b", "a\x1bb"):
        response = autosave(client, translation, key, {"text": text, "revision": 0})
        assert response.status_code == 400, repr(text)
        assert "control characters" in response.get_json()["error"]["detail"]
    response = autosave(client, translation, f"{key}%00", {"text": "Hola", "revision": 0})
    assert response.status_code == 400
    assert count(db, DraftSegment) == 0
    ok = autosave(client, translation, key, {"text": "Línea\tuno\nLínea dos", "revision": 0})
    assert ok.status_code == 200


def test_the_editor_form_drops_control_characters(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    response = post(client, f"{editor_url(translation)}/save",
                    {f"text-{key}": "Hola\x00 mun\x01do", f"revision-{key}": "0"},
                    editor_url(translation))
    assert response.status_code == 303
    draft = db.session.scalar(select(DraftSegment).where(DraftSegment.segment_key == key))
    assert draft.text == "Hola mundo"


def test_form_text_fields_drop_control_characters(client, db, signed_in):
    response = post(client, "/coordinate/statements/new", statement_fields(
        title="Día\x00 del\x01 Migrante", summary="Our\x0b call.",
        body="First\x00 paragraph.\n\nSecond\x1f paragraph.", slug="migrants\x00-day"))
    assert response.status_code == 303
    statement = db.session.scalar(select(Statement).where(Statement.slug == "migrants-day"))
    revision = statement.current_revision
    assert (revision.title, revision.summary, revision.body) == (
        "Día del Migrante", "Our call.", "First paragraph.\n\nSecond paragraph.")


def test_a_display_name_with_nul_is_stored_without_it(client, db, make, auth):
    user = make.user()
    auth.login(user)
    response = post(client, "/account/profile", {
        "display_name": "Ana\x00 María", "interface_language": "", "time_zone": "UTC"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Ana María"


def test_sign_in_and_reports_with_nul_do_not_fail(client, db, make):
    response = post(client, "/account/login", {"email": "a\x00b@example.org",
                                               "password": "whatever it is"})
    assert response.status_code < 500
    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    url = "/es/statements/reportable/report"
    response = post(client, url, {"paragraph": "0", "message": "Mal\x00 traducido",
                                  "email": ""})
    assert response.status_code == 303
    assert db.session.scalar(select(ProblemReport.message)) == "Mal traducido"


def test_feeds_stay_well_formed_with_control_characters_already_stored(client, make):
    make.publish(make.statement(
        slug="stored-badly", title="Bad\x01 title\ufffe", summary="A\x0b summary.",
        body="A paragraph\x1b with\x08 controls.\n\nAnother\x0c one."))
    response = client.get("/en/feed.atom")
    assert response.status_code == 200
    root = ET.fromstring(response.data)  # raises on any character XML cannot carry
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entry = root.find("atom:entry", ns)
    assert entry.find("atom:title", ns).text == "Bad title"
    assert entry.find("atom:summary", ns).text == "A summary."
    assert "A paragraph with controls." in entry.find("atom:content", ns).text


# --- 3. bodies nested or sized to hurt ---------------------------------------------------------

def test_an_autosave_body_nested_past_the_stack_is_a_400(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    for body in (b"[" * 50_000, b'{"text": "a", "revision": ' + b"[" * 50_000, b"\xff\xfe",
                 b"not json", b"[]"):
        response = autosave(client, translation, key, body)
        assert response.status_code == 400, body[:20]
        assert "cannot read" in response.get_json()["error"]["detail"]
    response = autosave(client, translation, key, b'{"text": "a", "revision": 0}',
                        content_type="text/plain")
    assert response.status_code == 400
    assert count(db, DraftSegment) == 0


def test_an_autosave_body_over_its_limit_is_a_413(client, db, claimed):
    statement, translation = claimed
    key = keys_of(statement)[1]
    response = autosave(client, translation, key, {"text": "a" * 400_000, "revision": 0})
    assert response.status_code == 413
    assert "at most 50000 characters" in response.get_json()["error"]["detail"]
    response = autosave(client, translation, key, {"text": "a" * 50_001, "revision": 0})
    assert response.status_code == 400
    assert "at most 50000 characters" in response.get_json()["error"]["detail"]
    assert count(db, DraftSegment) == 0


# --- 4. sizes: the whole request, and each field ----------------------------------------------

def test_a_request_past_max_content_length_is_a_413_with_a_clear_page(app, client, db,
                                                                      signed_in):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    before = count(db, Statement)
    huge = statement_fields(body="x" * 10_000_000)
    response = post(client, "/coordinate/statements/new", huge)
    assert response.status_code == 413
    assert "more than the portal accepts at once (2.1 MB)" in text_of(response)
    response = post(client, "/coordinate/statements/new", huge,
                    headers={"Accept": "application/json"})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["status"] == 413 and "more than the portal accepts" in error["detail"]
    assert count(db, Statement) == before


@pytest.mark.parametrize(("field", "limit"), [("title", 300), ("summary", 2_000),
                                              ("body", 100_000)])
def test_statement_fields_have_limits_and_the_form_keeps_what_was_typed(client, db, signed_in,
                                                                        field, limit):
    typed = ("ab " * limit)[:limit] + "z"
    response = post(client, "/coordinate/statements/new", statement_fields(**{field: typed}))
    assert response.status_code == 400
    assert f"Use at most {limit} characters." in text_of(response)
    assert typed.strip() in text_of(response)
    assert count(db, Statement) == 0


def test_editing_a_statement_past_a_limit_stores_nothing(client, db, signed_in, make):
    statement = make.statement(targets=["es"])
    url = f"/coordinate/statements/{statement.id}/edit"
    response = post(client, url, {"title": "T", "summary": "S", "body": "b" * 100_001,
                                  "statement_date": "2026-12-18", "deadline": "",
                                  "target_languages": ["es"]})
    assert response.status_code == 400
    assert "Use at most 100000 characters." in text_of(response)
    assert count(db, SourceRevision) == 1


def test_organization_name_release_note_and_unpublish_reason_have_limits(client, db,
                                                                         signed_in, make):
    draft, published = make.statement(targets=["es"]), make.statement(targets=["es"])
    make.publish(published)
    response = post(client, "/coordinate/organizations/new",
                    {"name": "N" * 201, "country": "CL", "contact_email": ""})
    assert response.status_code == 400
    assert "Use at most 200 characters." in text_of(response)
    assert count(db, Organization) == 0

    url = f"/coordinate/statements/{draft.id}/release"
    response = post(client, url, {"when": "now", "note": "n" * 2_001})
    assert response.status_code == 400
    assert "Use at most 2000 characters." in text_of(response)
    assert count(db, Release) == 1  # the other statement's

    url = f"/coordinate/statements/{published.id}/release"
    response = post(client, f"/coordinate/statements/{published.id}/unpublish",
                    {"language": "en", "reason": "r" * 2_001}, url)
    assert response.status_code == 400
    assert "Use at most 2000 characters." in text_of(response)
    db.session.expire_all()
    assert db.session.scalar(select(Publication.withdrawn_at)) is None


def test_a_review_comment_past_its_limit_comes_back_as_typed(client, db, make, auth):
    statement = make.statement(targets=["es"])
    version = in_review(db, make, statement)
    auth.login(make.user(reviews=["es"]))
    comment = "Revisa el párrafo. " * 264
    assert len(comment) > 5_000
    response = post(client, f"/desk/versions/{version.id}/decision",
                    {"decision": "changes", "comment": comment}, f"/desk/versions/{version.id}")
    assert response.status_code == 400
    assert "Use at most 5000 characters." in text_of(response)
    assert comment.strip() in text_of(response)
    assert count(db, Review) == 0
    assert translation_of(db, statement, "es").state == TranslationState.IN_REVIEW


def test_a_release_reason_and_a_report_have_limits(client, db, make, claimed):
    _statement, translation = claimed
    url = f"/desk/translations/{translation.id}/release"
    response = post(client, url, {"reason": "r" * 1_001})
    assert "Use at most 1000 characters." in text_of(response)
    db.session.expire_all()
    assert db.session.get(Translation, translation.id).claimed_by_id is not None

    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    url = "/es/statements/reportable/report"
    response = post(client, url, {"paragraph": "0", "message": "m" * 2_001,
                                  "email": "r" * 250 + "@example.org"})
    assert response.status_code == 400  # the page is in Spanish: the limits are numbers
    errors = re.findall(r'<p class="field-error">(.*?)</p>', html_of(response))
    assert "2000" in errors[0] and "254" in errors[1]
    assert count(db, ProblemReport) == 0


def test_a_display_name_past_its_limit_is_refused(client, db, make, auth):
    user = make.user(display_name="Ana")
    auth.login(user)
    response = post(client, "/account/profile", {
        "display_name": "N" * 121, "interface_language": "", "time_zone": "UTC"})
    assert "Use at most 120 characters." in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Ana"


def test_a_paragraph_past_its_limit_saves_nothing_and_comes_back_as_typed(client, db,
                                                                          claimed):
    statement, translation = claimed
    first, second = keys_of(statement)[1:3]
    long_text = "palabra " * 6_300
    for action in ("save", "submit"):
        response = post(client, f"{editor_url(translation)}/{action}", {
            f"text-{first}": "Un párrafo corto", f"revision-{first}": "0",
            f"text-{second}": long_text, f"revision-{second}": "0"}, editor_url(translation))
        assert response.status_code == 400, action
        page = text_of(response)
        assert "Nothing was saved: paragraph 3 is longer than 50000 characters." in page
        assert "Un párrafo corto" in page and long_text.strip() in page
    assert count(db, DraftSegment) == 0
    assert translation_of(db, statement, "es").state == TranslationState.IN_PROGRESS


# --- 5. form errors never echo raw input -------------------------------------------------------

def _refused_without_echo(response):
    page = html_of(response)
    assert response.status_code == 400
    assert SCRIPT not in page
    assert "Choose languages from the list." in text_of(response)


def test_a_language_that_is_markup_is_never_echoed(client, db, signed_in, make):
    _refused_without_echo(post(client, "/coordinate/statements/new",
                               statement_fields(target_languages=["es", SCRIPT])))
    assert count(db, Statement) == 0

    statement = make.statement(targets=["es"])
    _refused_without_echo(post(client, f"/coordinate/statements/{statement.id}/edit", {
        "title": "T", "summary": "S", "body": "B", "statement_date": "2026-12-18",
        "deadline": "", "target_languages": [SCRIPT]}))

    _refused_without_echo(post(client, "/coordinate/organizations/new", {
        "name": "Migrante", "country": "CL", "contact_email": "", "languages": [SCRIPT]}))
    assert count(db, Organization) == 0

    _refused_without_echo(post(client, "/coordinate/people/invite", {
        "email": "new@example.org", "role": "translator", "translates": [SCRIPT],
        "reviews": ["es", SCRIPT]}))

    person = make.user(translates=["es"])
    _refused_without_echo(post(client, f"/coordinate/people/{person.id}/edit", {
        "role": "translator", "translates": ["es", SCRIPT], "reviews": [SCRIPT]}))
    db.session.expire_all()
    assert [skill.language_tag for skill in db.session.get(User, person.id).skills] == ["es"]
