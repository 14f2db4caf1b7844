"""Translating offline in a real browser: download from the editor, translate, upload back."""

import re

import pytest
from playwright.sync_api import expect
from translate.storage import po, xliff

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BODY = """Read [our report](https://example.org/report) and *act* now.

## Our demands

- Decent work at home"""

SPANISH = {
    "Working offline": "Trabajar sin conexión",
    "A statement to translate in one's own tool.": "Una declaración para traducir en la "
                                                   "herramienta propia.",
    "Our demands": "Nuestras demandas",
    "Decent work at home": "Trabajo digno en casa",
}


def test_download_translate_and_upload_from_the_editor(browser, live_portal, tmp_path):
    coordinator, page = sign_in(browser, live_portal, "coordinator", accept_downloads=True)
    page.goto(f"{live_portal}/coordinate/statements/new")
    page.select_option("select[name=source_language]", "en")
    page.fill("[name=title]", "Working offline")
    page.fill("[name=summary]", "A statement to translate in one's own tool.")
    page.fill("[name=body]", BODY)
    page.fill("[name=statement_date]", "2026-12-18")
    page.get_by_role("button", name="Create statement").click()
    expect(page.locator(".flash-success")).to_be_visible()
    coordinator.close()

    translator, page = sign_in(browser, live_portal, "translator", accept_downloads=True)
    page.goto(f"{live_portal}/desk/queue")
    # The queue's button claims at once (its name says what it claims).
    page.get_by_role("button", name=re.compile("^Claim “")).first.click()
    offline = page.locator("section.offline")
    expect(offline).to_be_visible()

    # XLIFF 1.2 from the editor, translated with translate-toolkit, codes kept.
    with page.expect_download() as info:
        offline.get_by_role("link", name="XLIFF 1.2").click()
    download = info.value
    assert download.suggested_filename == "working-offline.es.xlf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert b"example.org" not in path.read_bytes()
    store = xliff.xlifffile(path.read_bytes())
    for unit in store.units:
        if unit.source in SPANISH:
            unit.target = SPANISH[unit.source]
    path.write_bytes(bytes(store))
    page.set_input_files("#offline-file", str(path))
    page.screenshot(path=str(tmp_path / "editor-offline.png"), full_page=True)
    offline.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".upload-report")).to_contain_text("4 paragraphs saved")
    expect(page.locator(".upload-report")).to_contain_text("1 paragraph not translated")
    page.get_by_role("link", name="Back to the editor").click()
    expect(page.locator("textarea[name^=text-]").nth(0)).to_have_value("Trabajar sin conexión")

    # The linked paragraph in PO, its tags kept, and a paragraph edited in the editor
    # meanwhile: the upload asks which text to keep.
    with page.expect_download() as info:
        offline.get_by_role("link", name="PO").click()
    path = tmp_path / "work.po"
    info.value.save_as(path)
    boxes = page.locator("textarea[name^=text-]")
    boxes.nth(3).fill("Lo que exigimos")
    expect(page.locator(".save-status").nth(3)).to_have_text("Saved", timeout=10_000)
    store = po.pofile(path.read_bytes())
    for unit in store.units:
        if unit.source == "Read <1>our report</1> and <2>act</2> now.":
            unit.target = "Lee <1>nuestro informe</1> y <2>actúa</2> ya."
        elif unit.source == "Our demands":
            unit.target = "Nuestras reivindicaciones"
    path.write_bytes(bytes(store))
    page.set_input_files("#offline-file", str(path))
    offline.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".upload-report")).to_contain_text("1 paragraph saved")
    conflict = page.locator("fieldset.conflict")
    expect(conflict).to_have_count(1)
    expect(conflict.locator(".saved-text")).to_have_text("Lo que exigimos")
    expect(conflict.locator(".file-text")).to_have_text("Nuestras reivindicaciones")
    page.screenshot(path=str(tmp_path / "conflict-1280.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path=str(tmp_path / "conflict-320.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    conflict.get_by_label("Take the file’s text:").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".flash-success")).to_be_visible()
    # The editor shows the link and the emphasis as placeables; the address stays put.
    expect(boxes.nth(2)).to_have_value("Lee [1]nuestro informe[/1] y [2]actúa[/2] ya.")
    expect(boxes.nth(3)).to_have_value("Nuestras reivindicaciones")
    translator.close()
