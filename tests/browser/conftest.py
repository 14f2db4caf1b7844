"""A live portal on a free port, with its own database, and Debian's Chromium to drive it."""

import contextlib
import os
import shutil
import threading

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from portal.models import Language, LanguageSkill, Organization, Role, User

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
PASSWORD = "browser test password"
PEOPLE = {
    "coordinator": ("carmen@example.org", "Carmen", Role.COORDINATOR, ["en"], []),
    "translator": ("tomas@example.org", "Tomás", Role.TRANSLATOR, ["es"], []),
    "reviewer": ("rosa@example.org", "Rosa", Role.REVIEWER, ["es"], ["es"]),
    "arabic": ("amira@example.org", "Amira", Role.TRANSLATOR, ["ar"], []),
}


@contextlib.contextmanager
def serving(app):
    """Serve `app` in a thread on a free port, PORTAL_URL set to it (links in e-mails,
    feeds); yields its base URL, and stops the server and closes the database after."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PORTAL_URL"] = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app.config["PORTAL_URL"]
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


def sign_in(browser, base_url, who, width=1280, **options):
    """A new browser profile at a given width, signed in as one of PEOPLE through the
    login form; `options` go to the browser context (accept_downloads, say)."""
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 900},
                                  **options)
    page = context.new_page()
    page.goto(f"{base_url}/account/login")
    page.fill("input[name=email]", PEOPLE[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=PEOPLE[who][1])).to_be_visible()
    return context, page


@pytest.fixture(scope="module")
def live_portal(tmp_path_factory):
    """Serve a fresh portal in a thread; yields its base URL."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app({"SECRET_KEY": "browser", "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.session.add_all([Language(tag="en"), Language(tag="es"), Language(tag="ar")])
        db.session.flush()
        db.session.add(Organization(name="Red de Migrantes", country="ES",
                                    languages=[db.session.get(Language, "es")]))
        for email, name, role, translates, reviews in PEOPLE.values():
            person = User(email=email, display_name=name, role=role)
            person.set_password(PASSWORD)
            person.skills = [LanguageSkill(language_tag=tag, can_translate=True,
                                           can_review=tag in reviews) for tag in translates]
            db.session.add(person)
        db.session.commit()
    with serving(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright; a clear failure when it is not installed."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package "
                    "(CI's .ci/run does), or set CHROMIUM to its path.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
