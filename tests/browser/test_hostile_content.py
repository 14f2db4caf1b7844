"""Hostile text in a real browser: typed into every form, shown on every page, nothing runs.

Everyone signs in through the login form and types the payloads of tests/hostile.py where
a person would: names, an organization, an invitation, statements (one holds every payload
as a paragraph), the translation, review comments, release notes, an unpublish reason, a
reader's report and searches. Every page that shows them is then opened with JavaScript
on. A payload that ran would open a dialog (alert, confirm, prompt), set window.__pwned,
or take the page elsewhere (meta refresh, base href, javascript: links): none may.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.models import utcnow
from tests.browser.conftest import PASSWORD, PEOPLE
from tests.hostile import PAYLOADS

pytestmark = pytest.mark.browser


def pick(text: str) -> str:
    assert text in PAYLOADS, text
    return text


# Titles that would break out of <title>, <h1>, attributes and links; one per statement.
TITLES = [pick(text) for text in (
    "</title><script>window.__pwned=1</script>",
    '"><img src=x onerror=alert(1)>',
    "' autofocus onfocus='alert(1)",
    "<svg onload=alert(1)>",
    "{{7*7}} {{ config }} {{ config.SECRET_KEY }}",
    "مرحبا <script>alert(1)</script> بالعالم",
)]
NAMES = {"coordinator": pick('<img src=x onerror="window.__pwned=1">'),
         "translator": pick("<input autofocus onfocus=alert(1)>"),
         "reviewer": pick('"><img src=x onerror=alert(1)>')}
SUMMARY = pick("[click me](javascript:alert(1))")
ORGANIZATION = pick('<div onmouseover="window.__pwned=1" style="position:fixed;inset:0">'
                    "hover me</div>")
CONTACT = pick("<img/src=x/onerror=alert(1)>@example.org")
INVITED = pick('"><svg/onload=alert(1)>@example.org')
BODY = "\n\n".join(PAYLOADS)
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Watch:
    """Opens pages and notes anything a payload did: dialogs, the flag, navigation away."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.ran: list[str] = []
        self.pages = 0

    def page(self, context):
        page = context.new_page()
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        return page

    def _dialog(self, page, dialog) -> None:
        self.ran.append(f"{dialog.type}({dialog.message!r}) on {page.url}")
        dialog.dismiss()

    def visit(self, page, path: str) -> None:
        page.goto(self.base_url + path)
        self.check(page, path)

    def check(self, page, where: str) -> None:
        """After a page loaded: hover across it, then look for traces of a payload."""
        self.pages += 1
        for y in range(40, 720, 170):
            page.mouse.move(5, y)
            page.mouse.move(1270, y, steps=3)
        page.wait_for_timeout(30)  # a meta refresh or a late onerror would have fired
        if page.evaluate("() => window.__pwned !== undefined"):
            self.ran.append(f"window.__pwned set on {where}")
        if not page.url.startswith(self.base_url):
            self.ran.append(f"{where} went to {page.url[:80]}")


def sign_in(browser, watch: Watch, who: str):
    """A new browser profile, signed in through the login form."""
    context = browser.new_context(locale="en-GB")
    page = watch.page(context)
    watch.visit(page, "/account/login")
    page.fill("input[name=email]", PEOPLE[who][0])
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("nav.work-nav")).to_be_visible()
    return context, page


def submit(page, watch: Watch, button: str, where: str) -> None:
    """Click a form's button, wait for the answer, and check the page it shows."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    watch.check(page, where)


def new_statement(page, watch: Watch, slug: str, title: str, summary: str, body: str) -> str:
    """Write a statement through the form (Spanish is checked: a member needs it)."""
    watch.visit(page, "/coordinate/statements/new")
    page.select_option("select[name=source_language]", "en")
    page.fill("[name=title]", title)
    page.fill("[name=slug]", slug)
    page.fill("[name=summary]", summary)
    page.fill("[name=body]", body)
    page.fill("[name=statement_date]", "2026-12-18")
    page.locator("input[name=target_languages][value=es]").check()
    submit(page, watch, "Create statement", f"new statement {slug}")
    expect(page.locator(".flash-success")).to_contain_text(slug)
    return page.url.removeprefix(watch.base_url)  # the edit page


def test_nothing_typed_anywhere_runs(browser, live_portal):
    watch = Watch(live_portal)
    coordinator, c = sign_in(browser, watch, "coordinator")
    translator, t = sign_in(browser, watch, "translator")
    reviewer, r = sign_in(browser, watch, "reviewer")

    # Everyone's name, through the profile form: every desk and coordination page shows it.
    for page, who in ((c, "coordinator"), (t, "translator"), (r, "reviewer")):
        watch.visit(page, "/account/profile")
        page.fill("[name=display_name]", NAMES[who])
        submit(page, watch, "Save", f"profile of the {who}")
        expect(page.locator(".flash-success")).to_be_visible()

    # A member organization and an invitation, with hostile names and addresses.
    watch.visit(c, "/coordinate/organizations/new")
    c.fill("[name=name]", ORGANIZATION)
    c.select_option("select[name=country]", "ES")
    c.locator("input[name=languages][value=es]").check()
    c.fill("[name=contact_email]", CONTACT)
    submit(c, watch, "Save", "new organization")
    expect(c.locator(".flash-success")).to_be_visible()
    watch.visit(c, "/coordinate/people/invite")
    c.fill("[name=email]", INVITED)
    c.locator("input[name=translates][value=es]").check()
    submit(c, watch, "Send the invitation", "invitation")
    expect(c.locator(".flash-success")).to_be_visible()

    # The statements: the first holds every payload, one per paragraph.
    main_edit = new_statement(c, watch, "hostile-main", TITLES[0], SUMMARY, BODY)
    others = [new_statement(c, watch, f"hostile-{number}", title, PAYLOADS[number],
                            f"{PAYLOADS[number + 10]}\n\n{PAYLOADS[number + 20]}")
              for number, title in enumerate(TITLES[1:], start=1)]
    watch.visit(c, main_edit)

    # The translator claims the main statement and types a payload into every box.
    watch.visit(t, "/desk/queue")
    # Its title opens the claim page, which shows the (hostile) source text first.
    t.get_by_role("row").filter(has_text="window.__pwned=1</script>") \
        .get_by_role("link").first.click()
    watch.check(t, "claim page")
    t.get_by_role("button", name="Claim and start translating into Español").click()
    t.wait_for_load_state()
    watch.check(t, "editor")
    boxes = t.locator("textarea[name^=text-]")
    count = boxes.count()
    # Each box gets its source (with its placeables, which the checks require for a submit)
    # and a payload after it; the editor refuses control characters: typed without.
    sources = [boxes.nth(number).get_attribute("data-source") for number in range(count)]
    for number in range(count):
        boxes.nth(number).fill(CONTROLS.sub("", f"{sources[number]} "
                                                f"{PAYLOADS[number % len(PAYLOADS)]}"))
    expect(t.locator(".save-status", has_text="Saved")).to_have_count(count, timeout=30_000)
    editor = t.url.removeprefix(live_portal)
    watch.visit(t, editor)
    for number in range(3):  # and the form without the script: "Save all"
        boxes.nth(number).fill(f"{sources[number]} {PAYLOADS[-1 - number]}")
    submit(t, watch, "Save all", "editor after Save all")
    submit(t, watch, "Submit for review", "desk after submitting")

    # The reviewer sends it back with a comment of payloads, then approves it.
    comment = "\n\n".join(PAYLOADS[:30])
    watch.visit(r, "/desk/")
    r.get_by_role("link", name=TITLES[0]).click()
    watch.check(r, "review page")
    review = r.url.removeprefix(live_portal)
    r.fill("[name=comment]", comment)
    submit(r, watch, "Request changes", "desk after requesting changes")
    for path in ("/desk/", editor):
        watch.visit(t, path)
    submit(t, watch, "Submit for review", "desk after submitting again")
    watch.visit(r, "/desk/")
    r.get_by_role("link", name=TITLES[0]).click()
    watch.check(r, "review page, version 2")
    r.fill("[name=comment]", PAYLOADS[40])
    submit(r, watch, "Approve", "desk after approving")

    # The coordinator releases: the main statement now, with a note; one later, with a note;
    # the others now. One of them is then unpublished again, with a reason.
    releases = [path.replace("/edit", "/release") for path in (main_edit, *others)]
    for number, path in enumerate(releases):
        watch.visit(c, path)
        c.get_by_label("Note (optional)").fill(PAYLOADS[number + 30])
        if number == 1:
            c.get_by_label("At this time:").check()
            later = utcnow() + timedelta(days=3)
            c.locator("input[name=release_at]").fill(later.strftime("%Y-%m-%dT%H:%M"))
        submit(c, watch, "Release", f"release page {path}")
        expect(c.locator(".flash-success")).to_be_visible()
    c.get_by_label("Reason").fill(pick("'><svg onload=alert(1)>"))
    submit(c, watch, "Unpublish", "release page after unpublishing")
    for path in ("/coordinate/", "/coordinate/progress", "/coordinate/people",
                 "/coordinate/organizations", "/coordinate/audit", releases[1], main_edit,
                 "/desk/queue"):
        watch.visit(c, path)

    # A reader, script enabled, reads everything, searches, and reports a problem.
    reader = browser.new_context(locale="es-ES")
    page = watch.page(reader)
    for path in ("/es/", "/es/statements/hostile-main", "/en/", "/en/statements/hostile-main",
                 "/en/statements/hostile-2", "/es/statements/hostile-2", "/en/?page=2",
                 "/es/feed.atom", "/en/feed.atom", "/api/v1/statements/hostile-main/es",
                 "/sitemap.xml"):
        watch.visit(page, path)
    for query in (pick("<img src=x onerror=alert(1)>"), pick('" onmouseover="alert(1)'),
                  pick("\u2066<script>alert(1)</script>\u2069 isolated"), "alert"):
        watch.visit(page, "/es/")
        page.fill("input[name=q]", query)
        page.locator("form.search button[type=submit]").click()
        page.wait_for_load_state()
        watch.check(page, f"search for {query!r}")
    watch.visit(page, "/es/statements/hostile-main/report")
    page.locator("select[name=paragraph]").select_option(index=5)
    page.fill("[name=message]", "\n\n".join(PAYLOADS[40:60]))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    watch.check(page, "statement after reporting")
    expect(page.locator(".flash-success")).to_be_visible()

    # The reviewers see the report on their desk.
    watch.visit(r, "/desk/")
    watch.visit(r, review)
    for context in (coordinator, translator, reviewer, reader):
        context.close()
    assert watch.pages > 50
    assert watch.ran == []


def test_the_watch_sees_a_payload_run(browser):
    """The listener and the flag work: a page where payloads do run is caught."""
    watch = Watch("about:blank")
    context = browser.new_context()
    page = watch.page(context)
    page.set_content('<img src=x onerror="window.__pwned=1"><script>alert(1)</script>'
                     '<div onmouseover="confirm(2)" style="position:fixed;inset:0">x</div>')
    watch.check(page, "a page made to fail")
    context.close()
    assert watch.ran == ["alert('1') on about:blank", "confirm('2') on about:blank",
                         "window.__pwned set on a page made to fail"]
