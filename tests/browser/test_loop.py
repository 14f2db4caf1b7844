"""The whole loop in a real browser, as four people and a reader.

A coordinator writes a statement, a translator claims it and translates it paragraph by
paragraph (autosaved as typed), a reviewer approves it, the coordinator releases it, and
a reader reads it in Spanish.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BODY = """Migrant workers keep whole economies running.

## Our demands

- Decent work at home
- An end to deportations

Join us on 18 December."""


def test_statement_goes_from_coordinator_to_reader(browser, live_portal, tmp_path):
    # The coordinator writes the statement; Spanish is pre-selected from member demand.
    coordinator, page = sign_in(browser, live_portal, "coordinator")
    page.goto(f"{live_portal}/coordinate/statements/new")
    page.select_option("select[name=source_language]", "en")
    page.fill("[name=title]", "Workers of the world, unite")
    page.fill("[name=summary]", "The Alliance calls for action on Migrants Day.")
    page.fill("[name=body]", BODY)
    page.fill("[name=statement_date]", "2026-12-18")
    expect(page.locator("input[name=target_languages][value=es]")).to_be_checked()
    page.get_by_role("button", name="Create statement").click()
    expect(page.locator(".flash-success")).to_contain_text("workers-of-the-world-unite")

    # The translator reads it first; the page names the language large and clear.
    translator, page = sign_in(browser, live_portal, "translator")
    page.goto(f"{live_portal}/desk/queue")
    page.get_by_role("link", name="Workers of the world, unite").click()
    expect(page.locator(".big-language")).to_contain_text("Español")
    page.get_by_role("button", name=re.compile("Claim and start translating")).click()

    # Each paragraph is saved as it is typed, without pressing any button.
    boxes = page.locator("textarea[name^=text-]")
    count = boxes.count()
    assert count == 7  # title, summary, paragraph, heading, two list items, paragraph
    for number in range(count):
        boxes.nth(number).fill(f"Texto {number + 1} en español")
    for number in range(count):
        expect(page.locator(".save-status").nth(number)).to_have_text("Saved", timeout=10_000)
    expect(page.locator("#progress")).to_contain_text(f"{count} of {count}")
    page.reload()
    expect(boxes.nth(0)).to_have_value("Texto 1 en español")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # The reviewer approves it from their desk.
    reviewer, page = sign_in(browser, live_portal, "reviewer")
    page.goto(f"{live_portal}/desk/")
    page.get_by_role("link", name="Workers of the world, unite").click()
    expect(page.locator("body")).to_contain_text("Texto 3 en español")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # The coordinator releases the source and the translation together, now.
    page = coordinator.pages[0]
    page.goto(f"{live_portal}/coordinate/")
    page.get_by_role("link", name="Release").first.click()
    expect(page.locator("input[name=versions]")).to_be_checked()
    page.get_by_role("button", name="Release").click()
    expect(page.locator(".flash-success")).to_be_visible()

    # A Spanish-speaking reader finds it from the front page.
    reader = browser.new_context(locale="es-ES", java_script_enabled=False)
    page = reader.new_page()
    page.goto(f"{live_portal}/")
    assert page.url.endswith("/es/")
    page.get_by_role("link", name="Texto 1 en español").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("article h1")).to_have_text("Texto 1 en español")
    # The paragraph, and its small "report" link.
    expect(page.locator("article li").first).to_have_text(re.compile(r"^Texto 5 en español\b"))
    page.screenshot(path=str(tmp_path / "reader.png"))
    for context in (coordinator, translator, reviewer, reader):
        context.close()
