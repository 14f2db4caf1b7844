"""The translator's aids: memory suggestions, the glossary and its check, machine suggestions.

Machine suggestions are tested against a real HTTP server in a thread that speaks
LibreTranslate's documented API (POST /translate with q, source, target, format).
"""

import json
import re
import threading
import time
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.assist.glossary import (
    check_segments,
    contains_term,
    find_terms,
    glossary_warnings,
    mark_terms,
    save_term,
)
from portal.assist.memory import remember, suggestions_for
from portal.models import (
    DraftSegment,
    GlossaryTerm,
    MemoryEntry,
    Translation,
    Version,
)
from portal.workflow import (
    approve_version,
    claim_translation,
    save_draft_segment,
    submit_translation,
)
from tests.conftest import csrf_token

_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

BASE = ("The alliance calls on every government to protect migrant domestic workers and to "
        "ratify the conventions on decent work without delay.")


def translation_of(db, statement, tag):
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


# --- the memory ----------------------------------------------------------------------------

def test_exact_matches_come_before_fuzzy_ones_and_at_most_three(app, db, make):
    make.language("en"), make.language("es")
    with app.test_request_context():
        remember([(BASE, "exacta 1")], "en", "es")
        remember([(BASE, "exacta 2")], "en", "es")
        remember([(BASE.replace("every", "each"), "parecida 1"),
                  (BASE.replace("without delay", "now"), "parecida 2"),
                  (BASE.replace("domestic", "household"), "parecida 3")], "en", "es")
        found = suggestions_for([BASE], "en", "es")[BASE]
    assert len(found) == 3
    assert [item.exact for item in found] == [True, True, False]
    assert {found[0].text, found[1].text} == {"exacta 1", "exacta 2"}
    assert found[0].score == found[1].score == 100
    assert found[2].text.startswith("parecida") and 70 <= found[2].score < 100


def test_fuzzy_matches_are_ranked_by_score_and_cut_at_seventy(app, db, make):
    make.language("en"), make.language("es")
    near = BASE.replace("without delay", "at once")
    farther = BASE.replace("protect migrant domestic workers", "listen to its citizens")
    unrelated = ("A completely different sentence about the weather in the mountains, which "
                 "shares hardly anything with the other one.")
    with app.test_request_context():
        remember([(near, "cerca"), (farther, "más lejos"), (unrelated, "nada")], "en", "es")
        found = suggestions_for([BASE], "en", "es")[BASE]
        from rapidfuzz import fuzz
        scores = {text: fuzz.ratio(BASE, text) for text in (near, farther, unrelated)}
    assert scores[unrelated] < 70  # the threshold is what cuts it, not the word index
    assert [item.text for item in found] == [text for text, _ in sorted(
        [("cerca", scores[near]), ("más lejos", scores[farther])], key=lambda p: -p[1])
        if _ >= 70]
    assert all(item.score >= 70 and not item.exact for item in found)


def test_the_memory_is_per_language_pair(app, db, make):
    for tag in ("en", "es", "fr"):
        make.language(tag)
    with app.test_request_context():
        remember([(BASE, "en español")], "en", "es")
        remember([(BASE, "en français")], "en", "fr")
        remember([(BASE, "de l'espagnol")], "es", "fr")
        assert [item.text for item in suggestions_for([BASE], "en", "es")[BASE]] == \
            ["en español"]
        assert [item.text for item in suggestions_for([BASE], "en", "fr")[BASE]] == \
            ["en français"]


def test_an_approved_version_is_remembered_with_its_statement(app, db, make):
    statement = make.statement(slug="remembered", targets=["es"], title="Remember this")
    translator = make.user(translates=["es"])
    reviewer = make.user(reviews=["es"])
    translation = translation_of(db, statement, "es")
    with app.test_request_context():
        claim_translation(translator, translation)
        for segment in statement.current_revision.segments:
            save_draft_segment(translator, translation, segment.key, f"ES {segment.text}", 0)
        version = submit_translation(translator, translation)
        assert db.session.scalar(select(MemoryEntry.id)) is None  # not before approval
        approve_version(reviewer, version)
        db.session.commit()
        first = statement.current_revision.segments[-1].text
        found = suggestions_for([first], "en", "es")[first]
    assert found[0].exact and found[0].text == f"ES {first}"
    assert found[0].statement_title == "Remember this"
    assert found[0].statement_slug == "remembered"


def test_the_editor_shows_suggestions_with_score_and_origin(app, db, make, client, auth):
    statement = make.statement(slug="editor-memory", targets=["es"])
    older = make.statement(slug="older", targets=["es"], title="An older statement")
    translator = make.user(translates=["es"])
    translation = translation_of(db, statement, "es")
    paragraph = statement.current_revision.segments[2].text
    with app.test_request_context():
        claim_translation(translator, translation)
        remember([(paragraph, "El primer párrafo.")], "en", "es", statement_id=older.id)
        remember([(paragraph.replace("rights", "right"), "Casi el primer párrafo.")],
                 "en", "es")
        db.session.commit()
    auth.login(translator)
    page = text_of(client.get(f"/desk/translations/{translation.id}"))
    row = page[page.index('id="segment-3"'):page.index('id="segment-4"')]
    assert 'class="suggestions"' in row
    assert row.index("El primer párrafo.") < row.index("Casi el primer párrafo.")
    assert "Exact" in row and "An older statement" in row and "imported" in row
    assert re.search(r"9\d\s?%", row)
    assert row.count("data-suggestion=") == 2


def test_fill_exact_matches_fills_only_empty_paragraphs_and_never_overwrites(
        app, db, make, client, auth):
    statement = make.statement(slug="fill", targets=["es"])
    translator = make.user(translates=["es"])
    translation = translation_of(db, statement, "es")
    segments = statement.current_revision.segments
    with app.test_request_context():
        claim_translation(translator, translation)
        remember([(segment.text, f"memoria: {segment.text}") for segment in segments],
                 "en", "es")
        save_draft_segment(translator, translation, segments[0].key, "Mi título", 0)
        db.session.commit()
    auth.login(translator)
    url = f"/desk/translations/{translation.id}"
    token = csrf_token(client, url)
    # The page was loaded when paragraph 2 was empty; then another tab saved it.
    with app.test_request_context():
        save_draft_segment(translator, translation, segments[1].key,
                           "Guardado en otra pestaña", 0)
        db.session.commit()
    form = {"csrf_token": token, f"revision-{segments[0].key}": "1",
            f"revision-{segments[1].key}": "0"}
    response = client.post(f"{url}/fill-exact", data=form)
    assert response.status_code == 303
    db.session.expire_all()
    drafts = {draft.segment_key: draft.text for draft in db.session.scalars(
        select(DraftSegment).where(DraftSegment.translation_id == translation.id))}
    assert drafts[segments[0].key] == "Mi título"
    assert drafts[segments[1].key] == "Guardado en otra pestaña"
    assert drafts[segments[2].key] == f"memoria: {segments[2].text}"
    page = text_of(client.get(url))
    assert "were filled with their exact matches" in page
    # A second click: nothing left to fill, and it says so.
    client.post(f"{url}/fill-exact", data={"csrf_token": token})
    assert "Nothing to fill" in text_of(client.get(url))


# --- the glossary ----------------------------------------------------------------------------

class Term:
    """A stand-in glossary row for the pure matching functions."""

    def __init__(self, term, translation, ident=1):
        self.term, self.translation, self.id = term, translation, ident


def test_terms_match_whole_words_whatever_the_case():
    term = Term("wage theft", "robo de salario")
    assert contains_term("Stop WAGE THEFT now", "wage theft", "en")
    assert contains_term("Stop wage\ntheft now", "wage theft", "en")
    assert contains_term("against wage thefts", "wage theft", "en")  # a plural
    assert not contains_term("the sewage theftless", "wage theft", "en")
    assert not contains_term("wages theft", "wage theft", "en")
    matches = find_terms("Wage theft is theft.", [term, Term("theft", "robo", 2)], "en")
    assert [(m.start, m.end, m.term.term) for m in matches] == [
        (0, 10, "wage theft"), (14, 19, "theft")]


def test_arabic_terms_match_with_joined_article_and_conjunction():
    assert contains_term("نطالب بحماية والعمال المهاجرين", "عمال", "ar")
    assert contains_term("العمال", "عمال", "ar")
    assert not contains_term("أعمال", "عمال", "ar")  # another word that contains it


def test_chinese_terms_match_without_word_boundaries():
    assert contains_term("我们要求保护移民工人的权利", "移民工人", "zh-Hans")
    assert not contains_term("我们要求保护工人的权利", "移民工人", "zh-Hans")
    warnings = glossary_warnings("Protect migrant workers.", "保护工人", [
        Term("migrant workers", "移民工人")], "en", "zh-Hans")
    assert warnings and "移民工人" in warnings[0]
    assert not glossary_warnings("Protect migrant workers.", "保护移民工人",
                                 [Term("migrant workers", "移民工人")], "en", "zh-Hans")


def test_the_check_warns_when_the_agreed_translation_is_missing(app):
    terms = [Term("domestic workers", "trabajadoras del hogar")]
    with app.test_request_context():
        assert glossary_warnings("Protect domestic workers.", "Proteger a las empleadas.",
                                 terms, "en", "es") == [
            "“domestic workers” should be translated as “trabajadoras del hogar”."]
        assert not glossary_warnings("Protect domestic workers.",
                                     "Proteger a las Trabajadoras del Hogar.", terms, "en", "es")
        assert not glossary_warnings("Protect domestic workers.", "", terms, "en", "es")


def test_check_segments_returns_warnings_per_segment(app, db, make):
    make.language("en"), make.language("es")
    with app.test_request_context():
        save_term(None, "en", "es", "migrant", "migrante")
        result = check_segments([("a", "Every migrant counts.", "Cada persona cuenta."),
                                 ("b", "Every migrant counts.", "Cada migrante cuenta."),
                                 ("c", "Nothing here.", "Nada.")], "en", "es")
    assert list(result) == ["a"] and "migrante" in result["a"][0]


def test_marks_carry_the_agreed_translation_and_leave_tags_alone(app):
    from markupsafe import Markup
    terms = [Term("migrant", "migrante")]
    with app.test_request_context():
        html = mark_terms(Markup('<p><a href="/migrant">Migrant</a> & <em>x</em></p>'), terms,
                          "en")
        text = mark_terms("<b>migrant</b>", terms, "en")
    assert 'href="/migrant"' in html
    assert '<mark class="term" tabindex="0" title="migrante">Migrant' in html
    assert "(glossary: migrante)" in html and "&amp;" in html
    assert text.startswith("&lt;b&gt;<mark")


def test_the_editor_marks_terms_and_lists_warnings(app, db, make, client, auth):
    statement = make.statement(slug="glossed", targets=["es"])
    translator = make.user(translates=["es"])
    translation = translation_of(db, statement, "es")
    paragraph = statement.current_revision.segments[2]
    with app.test_request_context():
        claim_translation(translator, translation)
        save_draft_segment(translator, translation, paragraph.key,
                           "Los derechos de las personas.", 0)
        save_term(None, "en", "es", "migrant workers", "personas trabajadoras migrantes",
                  note="Inclusive form.")
        db.session.commit()
    auth.login(translator)
    page = text_of(client.get(f"/desk/translations/{translation.id}"))
    row = page[page.index('id="segment-3"'):page.index('id="segment-4"')]
    assert '<mark class="term" tabindex="0" title="personas trabajadoras migrantes">' \
           "migrant workers" in row
    assert "should be translated as “personas trabajadoras migrantes”" in row
    assert "Inclusive form." in row


def test_reviewers_keep_the_glossary_and_translators_read_it(app, db, make, client, auth):
    make.language("en"), make.language("es")
    translator = make.user(translates=["es"])
    reviewer = make.user(reviews=["es"])
    auth.login(translator)
    assert client.get("/desk/glossaries/en/es").status_code == 200
    token = csrf_token(client, "/desk/glossaries/en/es")
    refused = client.post("/desk/glossaries/en/es", data={
        "csrf_token": token, "term": "claim", "translation": "reclamo",
        "part_of_speech": "noun"})
    assert refused.status_code == 403
    auth.logout()
    auth.login(reviewer)
    token = csrf_token(client, "/desk/glossaries/en/es")
    for _twice in range(2):  # a repeat updates the same term
        response = client.post("/desk/glossaries/en/es", data={
            "csrf_token": token, "term": "Claim", "translation": "reclamo",
            "part_of_speech": "noun", "note": ""})
        assert response.status_code == 303
    assert db.session.scalar(select(GlossaryTerm.translation).where(
        GlossaryTerm.term_key == "claim")) == "reclamo"
    assert len(db.session.scalars(select(GlossaryTerm)).all()) == 1
    empty = client.post("/desk/glossaries/en/es", data={
        "csrf_token": token, "term": "", "translation": "x", "part_of_speech": "noun"})
    assert empty.status_code == 400


# --- machine suggestions -----------------------------------------------------------------------

class LibreTranslate(BaseHTTPRequestHandler):
    """The documented LibreTranslate API, enough of it: POST /translate."""

    mode = "ok"
    requests: list = []

    def do_POST(self):  # noqa: N802 (the http.server name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.path != "/translate":
            return self._answer(404, {"error": "Not Found"})
        if self.mode == "slow":
            time.sleep(2.5)
        if self.mode == "error":
            return self._answer(500, {"error": "Translation engine crashed"})
        if not body.get("q") or not body.get("source") or not body.get("target"):
            return self._answer(400, {"error": "Invalid request: missing q parameter"})
        self._answer(200, {"translatedText": f"MT[{body['target']}] {body['q']}"})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def mt_server(app, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), LibreTranslate)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    LibreTranslate.mode, LibreTranslate.requests = "ok", []
    monkeypatch.setitem(app.config, "MT_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setitem(app.config, "MT_TIMEOUT", 1)
    yield LibreTranslate
    server.shutdown()
    server.server_close()


@pytest.fixture
def claimed(app, db, make):
    statement = make.statement(slug="machine", targets=["es"])
    translator = make.user(translates=["es"])
    translation = translation_of(db, statement, "es")
    with app.test_request_context():
        claim_translation(translator, translation)
        db.session.commit()
    return translator, translation, statement.current_revision.segments


def _token(page: str) -> str:
    return _META_TOKEN.search(page).group(1)


def test_without_mt_url_nothing_about_machines_appears(app, db, client, auth, claimed,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "MT_URL", None)
    translator, translation, segments = claimed
    auth.login(translator)
    page = text_of(client.get(f"/desk/translations/{translation.id}"))
    assert "machine" not in page.lower()
    token = _token(page)
    response = client.post(f"/desk/translations/{translation.id}/segments/{segments[2].key}"
                           "/machine", json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 404


def test_a_machine_suggestion_is_labelled_and_never_filled_silently(app, db, client, auth,
                                                                    claimed, mt_server):
    translator, translation, segments = claimed
    key = segments[2].key
    auth.login(translator)
    url = f"/desk/translations/{translation.id}"
    page = text_of(client.get(url))
    assert "Ask for a machine suggestion" in page
    assert mt_server.requests == []  # nothing is asked before the translator asks
    # Without JavaScript: the form posts, the page comes back with the suggestion shown.
    response = client.post(f"{url}/segments/{key}/machine", data={
        "csrf_token": csrf_token(client, url), f"text-{key}": "", f"revision-{key}": "0"})
    shown = text_of(response)
    assert response.status_code == 200
    assert mt_server.requests == [{"q": segments[2].text, "source": "en", "target": "es",
                                   "format": "text"}]
    row = shown[shown.index('id="segment-3"'):shown.index('id="segment-4"')]
    assert "Machine translation" in row and "not written by a person" in row
    assert f"MT[es] {segments[2].text}" in row
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", row, re.S).group(1)
    assert textarea.strip() == ""
    assert db.session.scalar(select(DraftSegment).where(
        DraftSegment.translation_id == translation.id)) is None
    # With the script: JSON in, JSON out, still nothing saved.
    answer = client.post(f"{url}/segments/{key}/machine", json={},
                         headers={"X-CSRFToken": _token(page)})
    assert answer.get_json() == {"text": f"MT[es] {segments[2].text}",
                                 "label": "Machine translation"}
    assert db.session.scalar(select(DraftSegment).where(
        DraftSegment.translation_id == translation.id)) is None


def test_a_used_machine_suggestion_is_recorded_on_the_version(app, db, make, client, auth,
                                                              claimed, mt_server):
    translator, translation, segments = claimed
    auth.login(translator)
    url = f"/desk/translations/{translation.id}"
    token = _token(text_of(client.get(url)))
    machine_key = segments[2].key
    used = client.post(f"{url}/segments/{machine_key}/machine/use",
                       json={"text": "MT[es] texto", "revision": 0},
                       headers={"X-CSRFToken": token})
    assert used.status_code == 200 and used.get_json()["revision"] == 1
    # Edited afterwards, it still started from a machine suggestion.
    with app.test_request_context():
        save_draft_segment(translator, translation, machine_key, "Texto corregido", 1)
        for segment in segments:
            if segment.key != machine_key:
                save_draft_segment(translator, translation, segment.key, "Hecho a mano", 0)
        db.session.commit()
    # A use over a paragraph saved meanwhile is refused with the current text, like any save.
    stale = client.post(f"{url}/segments/{segments[3].key}/machine/use",
                        json={"text": "x", "revision": 0}, headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and stale.get_json()["current_text"] == "Hecho a mano"
    assert client.post(f"{url}/submit", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    version = db.session.scalar(select(Version).where(Version.translation_id == translation.id))
    marks = {part.segment_key: part.machine for part in version.segments}
    assert marks[machine_key] is True
    assert [key for key, machine in marks.items() if machine] == [machine_key]
    auth.logout()
    auth.login(make.user(reviews=["es"]))
    review = text_of(client.get(f"/desk/versions/{version.id}"))
    assert review.count("Started from a machine suggestion") == 1
    assert review.index("Started from a machine suggestion") > review.index("Texto corregido")


def test_machine_timeouts_and_errors_give_a_clear_message(app, db, client, auth, claimed,
                                                          mt_server):
    translator, translation, segments = claimed
    auth.login(translator)
    url = f"/desk/translations/{translation.id}"
    token = _token(text_of(client.get(url)))
    target = f"{url}/segments/{segments[2].key}/machine"
    mt_server.mode = "error"
    failed = client.post(target, json={}, headers={"X-CSRFToken": token})
    assert failed.status_code == 502
    assert "refused (HTTP 500): Translation engine crashed" in failed.get_json()["error"][
        "detail"]
    mt_server.mode = "slow"
    slow = client.post(target, json={}, headers={"X-CSRFToken": token})
    assert slow.status_code == 502
    assert "did not answer within 1 seconds" in slow.get_json()["error"]["detail"]
    page = text_of(client.post(target, data={"csrf_token": csrf_token(client, url)}))
    assert "did not answer within 1 seconds" in page


def test_the_migration_remembers_versions_approved_before_it(tmp_path):
    """Upgrading a database that already holds approved work fills the memory from it."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db as _db
    from tests.conftest import MIGRATIONS, Factory

    other = create_app({"SECRET_KEY": "migration", "TESTING": True,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with other.app_context():
        upgrade(directory=MIGRATIONS)
        make = Factory(_db.session)
        statement = make.statement(slug="before", targets=["es", "fr"])
        make.approved_version(statement, "es")
        texts = {segment.text for segment in statement.current_revision.segments}
        _db.session.remove()
        downgrade(directory=MIGRATIONS, revision="d3f8a61c0b27")  # just before the memory
        upgrade(directory=MIGRATIONS)
        with _db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT source_language_tag, target_language_tag, source_text, target_text, "
                "statement_id FROM memory_entries")).all()
            shingles = connection.scalar(text("SELECT count(*) FROM memory_shingles"))
        _db.engine.dispose()
    assert {row.source_text for row in rows} == texts  # fr was never approved
    assert {(row.source_language_tag, row.target_language_tag) for row in rows} == \
        {("en", "es")}
    assert all(row.target_text == f"[es] {row.source_text}" for row in rows)
    assert all(row.statement_id == statement.id for row in rows)
    assert shingles >= len(rows)
