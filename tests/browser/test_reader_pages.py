"""Reader pages in Chromium with the demo content: the listing of every statement on a
phone, and a statement printed as a leaflet (one or two pages, with its QR code)."""

import io
import os
from datetime import date, timedelta

import pytest
import segno
from flask_migrate import upgrade
from playwright.sync_api import expect
from pypdf import PdfReader

from portal import create_app
from portal.content.qr import QR_ERROR, QR_SVG
from portal.extensions import db
from portal.models import utcnow
from portal.workflow import create_statement, release_statement
from tests.browser.conftest import MIGRATIONS, serving

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("SCREENSHOTS")  # a folder, to look at the pages by eye
ALLIANCE = "International Migrants Alliance"


@pytest.fixture(scope="module")
def demo_portal(tmp_path_factory):
    """The portal with `flask portal demo`'s content, served on a free port."""
    from portal.demo import load_demo

    folder = tmp_path_factory.mktemp("demo")
    app = create_app({"SECRET_KEY": "browser", "TESTING": False, "ALLIANCE_NAME": ALLIANCE,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite3'}"})
    with serving(app) as base_url:  # PORTAL_URL set before the demo makes its links
        with app.app_context():
            upgrade(directory=MIGRATIONS)
            load_demo()
            # An urgent call, released in English only: no reader may miss it.
            urgent = create_statement(
                None, slug="vigil-tonight", source_language="en",
                statement_date=date.today(), title="Urgent: join the vigil tonight",
                summary="Stand with the detained workers.",
                body="We gather at 7 pm in front of the detention centre.",
                target_languages=["ar", "fil"])
            release_statement(None, urgent, [], utcnow() - timedelta(minutes=1))
            db.session.commit()
        yield base_url


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def _fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("lang", ["fil", "ar"])
def test_every_statement_is_listed_with_the_untranslated_ones_marked(
        browser, demo_portal, lang, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{demo_portal}/en/")
    everything = page.locator(".statement-list > li").count()
    page.goto(f"{demo_portal}/{lang}/")
    _shot(page, f"listing-{lang}-{width}")
    items = page.locator(".statement-list > li")
    assert everything >= 5 and items.count() == everything
    untranslated = page.locator("article.untranslated")
    assert untranslated.count() >= 1
    first = untranslated.first
    # Shown in the language it can be read in, in that language's direction …
    assert first.get_attribute("lang") != lang and first.get_attribute("dir") == "ltr"
    # … with a way to help translate it, and a link that works.
    expect(first.locator(".help-translate")).to_be_visible()
    expect(first.locator(".text-language")).to_be_visible()
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert _fits_the_width(page)
    first.locator("h2 a").click()
    expect(page.locator("article.statement h1")).to_be_visible()
    assert page.url.startswith(f"{demo_portal}/{lang}/statements/")
    context.close()


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_a_statement_prints_as_a_leaflet_with_its_qr_code(browser, demo_portal, lang):
    url = f"{demo_portal}/{lang}/statements/migrants-day-2026"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    # On screen: report links beside the paragraphs, no leaflet parts.
    expect(page.locator(".report-link").first).to_be_visible()
    expect(page.locator(".leaflet-foot")).to_be_hidden()
    page.emulate_media(media="print")
    _shot(page, f"leaflet-{lang}")
    for hidden in (".site-header", ".site-footer", ".report-link", "p.report"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".leaflet-head")).to_have_text(ALLIANCE)
    expect(page.locator(".leaflet-foot")).to_be_visible()
    expect(page.locator(".leaflet-foot .qr-code")).to_be_visible()
    assert page.locator("article.statement").get_attribute("dir") == (
        "rtl" if lang == "ar" else "ltr")
    # The QR code is segno's own rendering of the page's URL on PORTAL_URL.
    served = context.request.get(url).text()
    assert segno.make(url, error=QR_ERROR).svg_inline(**QR_SVG) in served
    box = page.locator(".qr-code").bounding_box()
    assert box["width"] > 80 and abs(box["width"] - box["height"]) < 1  # about 28 mm
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert 1 <= len(pdf.pages) <= 2
    text = "".join(sheet.extract_text() for sheet in pdf.pages)
    assert ALLIANCE in text and url in text.replace("\n", "")
    context.close()
