"""A translator in a real browser inserts a memory suggestion and sees a glossary term's
agreed translation; the editor at 320 px and 1280 px wide is saved as screenshots."""

import os
import threading
from datetime import date
from http.server import ThreadingHTTPServer

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from portal import create_app
from portal.assist.glossary import save_term
from portal.assist.memory import remember
from portal.extensions import db
from portal.models import DraftSegment, Language, LanguageSkill, Role, Translation, User
from portal.workflow import claim_translation, create_statement
from tests.browser.conftest import MIGRATIONS, PASSWORD
from tests.test_assist import LibreTranslate

pytestmark = pytest.mark.browser

PARAGRAPH = "Migrant workers keep whole economies running, and they deserve decent work."
SCREENSHOTS = os.environ.get("SCREENSHOTS")


@pytest.fixture(scope="module")
def portal_with_memory(tmp_path_factory):
    """A live portal where Tomás holds a claim, with a memory and a glossary for en → es."""
    folder = tmp_path_factory.mktemp("assist")
    app = create_app({"SECRET_KEY": "browser", "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}"})
    with app.test_request_context():
        upgrade(directory=MIGRATIONS)
        db.session.add_all([Language(tag="en"), Language(tag="es")])
        translator = User(email="tomas@example.org", display_name="Tomás",
                          role=Role.TRANSLATOR)
        translator.set_password(PASSWORD)
        translator.skills = [LanguageSkill(language_tag="es", can_translate=True)]
        db.session.add(translator)
        db.session.flush()
        statement = create_statement(
            None, slug="decent-work", source_language="en", statement_date=date(2026, 12, 18),
            title="Decent work for migrant workers", summary="A call for decent work.",
            body=PARAGRAPH + "\n\nJoin us on 18 December.", target_languages=["es"])
        translation = db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id))
        claim_translation(translator, translation)
        remember([(PARAGRAPH, "Las personas trabajadoras migrantes sostienen economías "
                   "enteras y merecen trabajo decente.")], "en", "es")
        save_term(None, "en", "es", "migrant workers", "personas trabajadoras migrantes",
                  note="Forma inclusiva.")
        db.session.commit()
        translation_id = translation.id
    machine = ThreadingHTTPServer(("127.0.0.1", 0), LibreTranslate)
    threading.Thread(target=machine.serve_forever, daemon=True).start()
    app.config["MT_URL"] = f"http://127.0.0.1:{machine.server_port}"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}", translation_id, app
    server.shutdown()
    machine.shutdown()
    machine.server_close()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


def test_translator_inserts_a_memory_suggestion_and_reads_the_glossary(
        browser, portal_with_memory, tmp_path):
    base, translation_id, app = portal_with_memory
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/account/login")
    page.fill("input[name=email]", "tomas@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/desk/translations/{translation_id}")

    row = page.locator(".segment", has_text="keep whole economies")
    term = row.locator("mark.term").first
    expect(term).to_have_attribute("title", "personas trabajadoras migrantes")
    expect(term).to_contain_text("(glossary: personas trabajadoras migrantes)")
    term.focus()
    expect(row.locator(".terms")).to_contain_text("personas trabajadoras migrantes")

    suggestion = row.locator(".suggestions [data-suggestion]").first
    expect(row.locator(".suggestions .score").first).to_have_text("Exact")
    expect(suggestion).to_be_visible()
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "assist-1280.png"), full_page=True)
    suggestion.click()
    box = row.locator("textarea")
    expect(box).to_have_value("Las personas trabajadoras migrantes sostienen economías "
                              "enteras y merecen trabajo decente.")
    expect(row.locator(".save-status")).to_have_text("Saved", timeout=10_000)
    with app.app_context():
        saved = db.session.scalars(select(DraftSegment.text)).all()
    assert any(text.startswith("Las personas trabajadoras") for text in saved)

    # A machine suggestion: asked for, shown labelled, put in the box only when chosen.
    LibreTranslate.mode = "ok"
    last = page.locator(".segment", has_text="Join us on 18 December")
    last.get_by_role("button", name="Ask for a machine suggestion").click()
    expect(last.locator(".machine-suggestion")).to_contain_text("Machine translation")
    expect(last.locator(".machine-suggestion")).to_contain_text("MT[es] Join us on 18 December.")
    expect(last.locator("textarea")).to_have_value("")
    if SCREENSHOTS:
        last.screenshot(path=os.path.join(SCREENSHOTS, "assist-machine-1280.png"))
    last.get_by_role("button", name="Use the machine suggestion").click()
    expect(last.locator("textarea")).to_have_value("MT[es] Join us on 18 December.")
    with app.app_context():
        marked = db.session.scalars(select(DraftSegment.text).where(DraftSegment.machine)).all()
    assert marked == ["MT[es] Join us on 18 December."]

    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    row = page.locator(".segment", has_text="keep whole economies")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the editor scrolls sideways at 320 px ({width} px)"
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "assist-320.png"), full_page=True)
    page.goto(f"{base}/desk/glossaries/en/es")
    expect(page.locator("table")).to_contain_text("personas trabajadoras migrantes")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "glossary-320.png"), full_page=True)
    context.close()
