"""The translator's craft in a real browser: placeables, checks, keys, and the review.

A translator translates a paragraph with a link and emphasis by inserting placeables (one
by a click, one by a key) without typing a URL or an asterisk, sees a check's warning and
fixes it; the reviewer sees both sides rendered, with the Markdown one click away. An
Arabic translator's editor is looked at too (right to left), at 320 and 1280 px wide.
"""

import os
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BODY = """Read [our full report](https://example.org/report) and *act now*.

Join us on 18 December."""
GUIDANCE = "Use the informal *tú*; keep the alliance's name in English."
WIDTHS = (320, 1280)


def shots(page, folder, name):
    """Full-page screenshots at each width, for a person to look at."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # let the new layout paint before the picture
        page.screenshot(path=os.path.join(folder, f"{name}-{width}.png"), full_page=True)
        # Nothing may stick out sideways at any width.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def claim(page, base_url):
    """Claim the one statement in the queue (each translator has one language here)."""
    page.goto(f"{base_url}/desk/queue")
    # The queue's button claims at once (its name says what it claims).
    page.get_by_role("button", name=re.compile("^Claim “")).first.click()
    expect(page.locator("textarea").first).to_be_visible()


def test_placeables_checks_and_review(browser, live_portal, tmp_path):
    folder = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)
    coordinator, page = sign_in(browser, live_portal, "coordinator")
    page.goto(f"{live_portal}/coordinate/statements/new")
    page.select_option("select[name=source_language]", "en")
    page.fill("[name=title]", "Act now")
    page.fill("[name=summary]", "The Alliance calls for action.")
    page.fill("[name=body]", BODY)
    page.fill("[name=guidance]", GUIDANCE)
    page.fill("[name=statement_date]", "2026-12-18")
    page.check("input[name=target_languages][value=ar]")
    page.get_by_role("button", name="Create statement").click()
    expect(page.locator(".flash-success")).to_be_visible()

    translator, page = sign_in(browser, live_portal, "translator")
    claim(page, live_portal)
    expect(page.locator(".guidance")).to_contain_text("Use the informal tú")
    expect(page.locator(".guidance em")).to_have_text("tú")

    # The source paragraph shows its markup as numbered placeables, the link's address too.
    row = page.locator(".segment", has=page.locator("button[data-placeable]"))
    expect(row.locator(".source-tokens")).to_have_text(
        "Read [1]our full report[/1] and [2]act now[/2].")
    expect(row.locator("button[data-placeable='1']")).to_contain_text("example.org/report")

    # The help lists the keys.
    page.locator("h1").click()
    page.keyboard.press("?")
    expect(page.locator("dialog#keys")).to_be_visible()
    expect(page.locator("dialog#keys")).to_contain_text("Insert placeable 1 to 9")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        page.wait_for_timeout(300)
        page.screenshot(path=os.path.join(folder, f"keys-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Escape")
    expect(page.locator("dialog#keys")).to_be_hidden()

    boxes = page.locator("textarea[name^=text-]")
    # Keys: copy the source into a box, move to the next box, insert suggestion 1 (the
    # suggestion buttons come from translation memory; one stands in for them here).
    boxes.nth(0).click()
    page.keyboard.press("Alt+c")
    expect(boxes.nth(0)).to_have_value("Act now")
    page.keyboard.press("Alt+ArrowDown")
    expect(boxes.nth(1)).to_be_focused()
    page.evaluate("""() => {
        const row = document.querySelectorAll('.segment')[1];
        const box = row.querySelector('textarea');
        const list = document.createElement('div');
        list.className = 'suggestions';
        list.innerHTML = '<button type="button" data-suggestion>uno</button>' +
                         '<button type="button" data-suggestion>dos</button>';
        list.querySelectorAll('button').forEach(b => b.addEventListener('click', () => {
            box.value = b.textContent; }));
        row.querySelector('.target').appendChild(list);
    }""")
    page.keyboard.press("Alt+Shift+Digit2")
    expect(boxes.nth(1)).to_have_value("dos")
    page.keyboard.press("Alt+ArrowUp")
    expect(boxes.nth(0)).to_be_focused()

    simple = {0: "Actúa ya", 1: "La Alianza llama a la acción.", 3: "Únete el 18 de diciembre."}
    for number, text in simple.items():
        boxes.nth(number).fill(text)

    # Link by a click, emphasis by a key; the words typed, never a URL or an asterisk.
    box = row.locator("textarea")
    box.click()
    box.press_sequentially("Lee ")
    row.locator("button[data-placeable='1']").click()  # [1]|[/1], caret inside
    box.press_sequentially("nuestro informe completo")
    box.press("End")
    box.press_sequentially(" y ")
    box.press("Alt+2")
    box.press_sequentially("actúa ya")
    box.press("End")
    expect(box).to_have_value("Lee [1]nuestro informe completo[/1] y [2]actúa ya[/2]")
    # Autosaved; the checks notice the missing full stop, and the preview shows the link.
    # (an autosave may land mid-typing: wait for the one after the last key)
    warning = row.locator(".check.warning[data-code=ending]")
    expect(warning).to_contain_text("ends with “.”", timeout=10_000)
    expect(row.locator(".check")).to_have_count(1, timeout=10_000)
    preview = row.locator(".preview .rendered")
    expect(preview.locator("a[href='https://example.org/report']")).to_have_text(
        "nuestro informe completo")
    expect(preview.locator("em")).to_have_text("actúa ya")
    shots(page, folder, "editor-es-warning")

    box.press_sequentially(".")
    expect(row.locator(".save-status")).to_have_text("Saved", timeout=10_000)
    expect(row.locator(".check")).to_have_count(0)
    for number in range(boxes.count()):
        expect(page.locator(".save-status").nth(number)).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(box).to_have_value("Lee [1]nuestro informe completo[/1] y [2]actúa ya[/2].")
    # Leaving with text not yet saved asks first.
    boxes.nth(3).press_sequentially(" ")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    with pytest.raises(PlaywrightError):  # staying on the page aborts the navigation
        page.goto(f"{live_portal}/desk/")
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/desk/translations/"))
    # Submitted from the keyboard (the box's text goes with it).
    boxes.nth(3).focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator(".flash-success")).to_be_visible()

    # The reviewer sees both sides rendered, and the Markdown on request.
    reviewer, page = sign_in(browser, live_portal, "reviewer")
    page.goto(f"{live_portal}/desk/")
    page.get_by_role("link", name="Act now").click()
    segment = page.locator(".segment", has_text="nuestro informe completo")
    expect(segment.locator(".source a[href='https://example.org/report']")).to_have_text(
        "our full report")
    rendered = segment.locator(".target .rendered")
    expect(rendered.locator("a[href='https://example.org/report']")).to_have_text(
        "nuestro informe completo")
    expect(rendered.locator("em")).to_have_text("actúa ya")
    expect(rendered).to_have_attribute("lang", "es")
    raw = segment.locator("details.raw pre")
    expect(raw).to_be_hidden()
    segment.locator("details.raw summary").click()
    expect(raw).to_have_text("Lee [nuestro informe completo](https://example.org/report) y "
                             "*actúa ya*.")
    shots(page, folder, "review-es")

    # An Arabic translator: right to left, placeables still in order.
    arabic, page = sign_in(browser, live_portal, "arabic")
    claim(page, live_portal)
    row = page.locator(".segment", has=page.locator("button[data-placeable]"))
    box = row.locator("textarea")
    expect(box).to_have_attribute("dir", "rtl")
    box.click()
    box.press_sequentially("اقرأ ")
    box.press("Alt+1")
    box.press_sequentially("تقريرنا الكامل")
    box.press("End")
    box.press_sequentially(" و")
    row.locator("button[data-placeable='2']").click()
    box.press_sequentially("تحرك الآن")
    box.press("End")
    box.press_sequentially("؟")
    preview = row.locator(".preview .rendered")
    expect(preview.locator("a[href='https://example.org/report']")).to_have_text(
        "تقريرنا الكامل", timeout=10_000)
    expect(preview).to_have_attribute("dir", "rtl")
    expect(preview.locator("em")).to_have_text("تحرك الآن", timeout=10_000)
    expect(row.locator(".check[data-code=ending]")).to_contain_text("ends with “.”",
                                                                   timeout=10_000)
    expect(row.locator(".check")).to_have_count(1, timeout=10_000)
    shots(page, folder, "editor-ar")
    for context in (coordinator, translator, reviewer, arabic):
        context.close()
