"""The queue at the claim limit, and the progress matrix at 30 languages, in Chromium.

At 320 px (a cheap phone) and 1280 px: disabled claim buttons with their reason, desk
tables that keep "Time left" on screen, a matrix whose header and statement column stay
in view while it scrolls, cells that are links, and a per-language list for phones.
"""

import os
import re

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from portal import create_app
from portal.extensions import db
from portal.models import Role
from portal.workflow import claim_translation
from tests.browser.conftest import MIGRATIONS, serving
from tests.conftest import Factory

pytestmark = pytest.mark.browser

# 30 languages: English is the source, the others are targets of every statement.
TAGS = ["en", "es", "fr", "ar", "de", "it", "pt-BR", "zh-Hans", "fil", "id", "ru", "tr",
        "fa", "ur", "hi", "bn", "sw", "am", "ko", "ja", "vi", "th", "pl", "uk", "ro", "nl",
        "el", "he", "ne", "ta"]
LAST = max(TAGS)  # the matrix's last column: languages are in order of their tags
SHOTS = os.environ.get("SCREENSHOTS")  # a folder to keep screenshots in, when set
WIDTHS = (320, 1280)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A live portal with 30 statements × 30 languages and a translator at the claim limit."""
    folder = tmp_path_factory.mktemp("matrix")
    app = create_app({"SECRET_KEY": "browser", "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.sqlite3'}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        make = Factory(db.session)
        people = {
            "coordinator": make.user(role=Role.COORDINATOR, email="carmen@example.org",
                                     display_name="Carmen"),
            "busy": make.user(translates=["es"], email="tomas@example.org",
                              display_name="Tomás"),
        }
        statements = [make.statement(targets=TAGS[1:], title=f"Statement number {number}")
                      for number in range(1, 31)]
        for statement in statements[:3]:
            translation = next(t for t in _translations(statement) if t.language_tag == "es")
            claim_translation(people["busy"], translation)
        db.session.commit()
    with serving(app) as base_url:
        yield base_url


def _translations(statement):
    from sqlalchemy import select

    from portal.models import Translation
    return db.session.scalars(select(Translation).where(
        Translation.statement_id == statement.id)).all()


def sign_in(browser, base_url, email, width):
    """A new browser profile of the given width, signed in through the login form."""
    context = browser.new_context(locale="en-GB", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{base_url}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", Factory.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".work-nav")).to_be_visible()
    return context, page


def shoot(page, name):
    if SHOTS:
        height = min(1600, page.evaluate("document.documentElement.scrollHeight"))
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": page.viewport_size["width"],
                              "height": height})


def no_sideways_page(page, width):
    """Nothing makes the page itself wider than the screen (a table may scroll in its box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_at_the_claim_limit_the_queue_disables_claim_buttons(browser, portal, width):
    context, page = sign_in(browser, portal, "tomas@example.org", width)
    page.goto(f"{portal}/desk/queue")
    reason = page.locator("#claim-limit")
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("You hold 3 of 3 claims")
    button = page.get_by_role("button", name="Claim “Statement number 4” in Español")
    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description(
        "You hold 3 of 3 claims: submit or release one before claiming more. My claims")
    expect(button).to_be_in_viewport()
    no_sideways_page(page, width)
    shoot(page, f"queue-{width}")

    # The preview: the source, its length and deadline; the same disabled button and reason.
    page.get_by_role("link", name="Statement number 4").click()
    expect(page.locator(".source-preview")).to_contain_text("The first paragraph")
    expect(page.get_by_role("button", name="Claim and start translating into Español")) \
        .to_be_disabled()
    expect(page.locator("#claim-limit")).to_be_visible()
    no_sideways_page(page, width)
    shoot(page, f"preview-{width}")

    # My work: each claim's time left is on screen, not cut off at the edge.
    page.goto(f"{portal}/desk/")
    cells = page.locator("td.time-left")
    expect(cells).to_have_count(3)
    for index in range(3):
        expect(cells.nth(index)).to_be_in_viewport(ratio=1)
    no_sideways_page(page, width)
    shoot(page, f"desk-{width}")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_matrix_at_30_languages_keeps_its_bearings(browser, portal, width):
    context, page = sign_in(browser, portal, "carmen@example.org", width)
    page.goto(f"{portal}/coordinate/progress")
    matrix = page.locator(".matrix-scroll")
    first_column = page.locator("tbody tr").first.locator("th.sticky-col")
    header = page.locator("thead th").nth(3)
    expect(first_column).to_be_visible()
    no_sideways_page(page, width)
    shoot(page, f"matrix-{width}")

    # Scrolled to the last language and down: the statement and the header stay in view.
    before = first_column.bounding_box()
    header_before = header.bounding_box()
    matrix.evaluate("box => { box.scrollLeft = box.scrollWidth; box.scrollTop = 300; }")
    page.wait_for_timeout(100)
    after = first_column.bounding_box()
    assert abs(after["x"] - before["x"]) < 1
    # The caption scrolls away; the header row sticks to the top of the matrix's box.
    assert header.bounding_box()["y"] < header_before["y"]
    assert abs(header.bounding_box()["y"] - matrix.bounding_box()["y"]) < 2
    last_cell = page.locator("tbody tr").nth(6).locator(f'td[data-language="{LAST}"]')
    expect(last_cell).to_be_in_viewport()
    expect(page.locator("thead th").last).to_be_in_viewport()
    # The sticky column covers the cells scrolled under it, and leaves room for several.
    assert after["width"] <= (0.5 * width if width < 600 else 400)
    shoot(page, f"matrix-scrolled-{width}")

    # Every cell is a link to that translation.
    last_cell.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Statement number")
    expect(page).to_have_url(re.compile(r"/coordinate/translations/\d+$"))
    expect(page.locator(".translation-facts")).to_contain_text("中文")
    expect(page.locator(".translation-facts")).to_contain_text("Queued")
    no_sideways_page(page, width)
    shoot(page, f"translation-{width}")

    # One language: a list that fits the phone, every statement a row, states as links.
    page.goto(f"{portal}/coordinate/progress?language=es")
    rows = page.locator(".language-progress > li")
    expect(rows).to_have_count(25)
    expect(rows.first.locator(".language-state a")).to_be_in_viewport()
    no_sideways_page(page, width)
    shoot(page, f"matrix-es-{width}")
    context.close()
