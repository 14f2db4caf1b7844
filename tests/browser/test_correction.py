"""A correction in a real browser: from a reader's report to the fixed page readers see.

A statement is translated and released; a reader reports a mistake through the form on
the statement; the reviewer opens a correction from the report; the last translator fixes
the marked paragraph (a double click on "Submit for review" sends it once), the reviewer
asks for one more change beside that paragraph, then approves, and the fix is online at
once while the published text stayed readable all along. Screenshots of each page at
320 and 1280 px go to $SCREENSHOT_DIR when it is set.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BODY = "Migrant workers keep whole economies runing."


def shoot(page, folder, name):
    """The page at a phone's and a desktop's width."""
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def fill_and_wait(page, texts):
    boxes = page.locator("textarea[name^=text-]")
    for number, text in texts.items():
        boxes.nth(number).fill(text)
    for number in texts:
        expect(page.locator(".save-status").nth(number)).to_have_text("Saved", timeout=10_000)


def test_a_readers_report_becomes_a_fixed_page(browser, live_portal, tmp_path):
    folder = tmp_path
    if os.environ.get("SCREENSHOT_DIR"):
        folder = type(tmp_path)(os.environ["SCREENSHOT_DIR"])
        folder.mkdir(parents=True, exist_ok=True)

    coordinator, page = sign_in(browser, live_portal, "coordinator")
    page.goto(f"{live_portal}/coordinate/statements/new")
    page.select_option("select[name=source_language]", "en")
    page.fill("[name=title]", "Rights for migrant workers")
    page.fill("[name=summary]", "The Alliance speaks.")
    page.fill("[name=body]", BODY)
    page.fill("[name=statement_date]", "2026-12-18")
    page.get_by_role("button", name="Create statement").click()
    expect(page.locator(".flash-success")).to_be_visible()

    translator, tpage = sign_in(browser, live_portal, "translator")
    tpage.goto(f"{live_portal}/desk/queue")
    # The queue's button claims at once (its name says what it claims).
    tpage.get_by_role("button", name=re.compile("^Claim “")).first.click()
    fill_and_wait(tpage, {0: "Derechos para los trabajadores migrantes",
                          1: "La Alianza habla.",
                          2: "Los trabajadores migrantes mantienen economías entertas."})
    tpage.get_by_role("button", name="Submit for review").click()
    expect(tpage.locator(".flash-success")).to_be_visible()

    reviewer, rpage = sign_in(browser, live_portal, "reviewer")
    rpage.goto(f"{live_portal}/desk/")
    rpage.get_by_role("link", name="Rights for migrant workers").click()
    rpage.get_by_role("button", name="Approve").click()
    expect(rpage.locator(".flash-success")).to_be_visible()

    page.goto(f"{live_portal}/coordinate/")
    page.get_by_role("link", name="Release").first.click()
    page.get_by_role("button", name="Release").first.click()
    expect(page.locator(".flash-success")).to_be_visible()

    # A reader reports the mistake through the form on the statement, without JavaScript.
    reader = browser.new_context(locale="es-ES", java_script_enabled=False)
    page_r = reader.new_page()
    page_r.goto(f"{live_portal}/es/")
    page_r.get_by_role("link", name="Derechos para los trabajadores migrantes").first.click()
    statement_url = page_r.url
    page_r.locator("p.report a").click()
    page_r.select_option("select[name=paragraph]", "2")
    page_r.fill("textarea[name=message]", "«entertas» debería ser «enteras».")
    page_r.fill("input[name=email]", "lectora@example.org")
    page_r.locator("form.stacked button[type=submit]").click()
    expect(page_r.locator(".flash-success")).to_be_visible()

    # The reviewer opens a correction from the report on the desk.
    rpage.goto(f"{live_portal}/desk/")
    expect(rpage.locator(".report-message")).to_contain_text("entertas")
    shoot(rpage, folder, "desk-report")
    rpage.get_by_role("button", name="Open a correction").click()
    expect(rpage.locator(".flash-success")).to_contain_text("correction")
    # Readers still see the published text meanwhile.
    page_r.goto(statement_url)
    expect(page_r.locator("article")).to_contain_text("entertas")

    # The last translator claims it again; the reported paragraph is marked.
    tpage.goto(f"{live_portal}/desk/queue")
    # The queue's button claims at once (its name says what it claims).
    tpage.get_by_role("button", name=re.compile("^Claim “")).first.click()
    expect(tpage.locator(".segment.reported")).to_have_count(1)
    expect(tpage.locator(".segment.reported textarea")).to_have_value(
        "Los trabajadores migrantes mantienen economías entertas.")
    expect(tpage.locator(".correction-open")).to_contain_text("entertas")
    shoot(tpage, folder, "editor-correction")
    fill_and_wait(tpage, {2: "Los trabajadores migrantes mantienen economías enteras"})
    # A double click sends one submit: the page says it went to review, never a refusal.
    tpage.get_by_role("button", name="Submit for review").dblclick()
    expect(tpage.locator(".flash-success")).to_contain_text("waiting for a reviewer")
    expect(tpage.locator("body")).not_to_contain_text("Only the person who claimed")
    # The author re-reads what was submitted.
    tpage.get_by_role("link", name="Rights for migrant workers").first.click()
    expect(tpage.locator(".history")).to_contain_text("Version 2")
    shoot(tpage, folder, "version-read-only")

    # The reviewer asks for one more change, beside the paragraph.
    rpage.goto(f"{live_portal}/desk/")
    rpage.locator("#reviews").get_by_role("link", name="Rights for migrant workers").click()
    rpage.locator("#segment-3 details.paragraph-note summary").click()
    rpage.locator("#segment-3 textarea").fill("Falta el punto final.")
    rpage.fill("textarea[name=comment]", "Casi listo.")
    shoot(rpage, folder, "review-paragraph-comment")
    rpage.get_by_role("button", name="Request changes").click()
    expect(rpage.locator(".flash-success")).to_be_visible()

    tpage.goto(f"{live_portal}/desk/")
    tpage.get_by_role("link", name="Rights for migrant workers").first.click()
    expect(tpage.locator("#segment-3 .paragraph-comment")).to_contain_text("Falta el punto final.")
    shoot(tpage, folder, "editor-paragraph-comment")
    fill_and_wait(tpage, {2: "Los trabajadores migrantes mantienen economías enteras."})
    tpage.get_by_role("button", name="Submit for review").click()
    expect(tpage.locator(".flash-success")).to_be_visible()

    # Approved: online at once, the statement being public already.
    rpage.goto(f"{live_portal}/desk/")
    rpage.locator("#reviews").get_by_role("link", name="Rights for migrant workers").click()
    expect(rpage.locator(".history")).to_contain_text("Falta el punto final.")
    shoot(rpage, folder, "review-history")
    rpage.get_by_role("button", name="Approve").click()
    expect(rpage.locator(".flash-success")).to_contain_text("readers see it now")
    expect(rpage.locator("#reports")).to_have_count(0)  # the report closed with the fix

    # Pages are cached for a minute at most; a reload asks the portal again.
    page_r.goto(statement_url)
    page_r.reload()
    expect(page_r.locator("article")).to_contain_text(
        "Los trabajadores migrantes mantienen economías enteras.")
    expect(page_r.locator("article")).not_to_contain_text("entertas")
    shoot(page_r, folder, "reader-fixed")

    page.goto(f"{live_portal}/coordinate/progress")
    shoot(page, folder, "progress")
    for context in (coordinator, translator, reviewer, reader):
        context.close()
