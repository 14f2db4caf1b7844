"""Hostile text through every field people type into: whatever it holds, nothing may run.

Each payload of tests/hostile.py goes in through the real forms (and the editor's JSON
autosave) and comes out on every page, feed, API answer and e-mail that shows it:

- pages are parsed: no element may carry an event handler, a script other than the
  editor's, a javascript:/data:/vbscript: URL, a style beyond text alignment, or any of
  the elements the portal never emits (img, iframe, svg, style, base…); markup a person
  typed never appears verbatim;
- Atom feeds and the sitemap parse as XML; the API returns the text as data;
- e-mails are plain text, with a one-line subject that fits its column.

Invisible control characters may be refused (a 4xx with a message) or removed, not kept;
feeds stay well-formed whatever is stored. A crash is a 500 for a real visitor: it is
reported, not raised, so that one test shows every problem of its fields at once.
"""

import itertools
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from portal.coordinate.forms import is_email
from portal.models import (
    AuditEvent,
    DraftSegment,
    Invitation,
    Organization,
    OutboxMessage,
    ProblemReport,
    Publication,
    Release,
    Review,
    Role,
    Statement,
    Translation,
    User,
    Version,
    utcnow,
)
from portal.notifications import _as_email
from portal.workflow import (
    claim_translation,
    request_changes,
    save_draft_segment,
    submit_translation,
)
from portal.workflow.organizations import create_organization
from tests.conftest import AuthActions, csrf_token
from tests.hostile import PAYLOADS

ATOM = "{http://www.w3.org/2005/Atom}"
# The portal's own script files: the editor's autosave, the buttons that act once, and
# the translator's aids.
OWN_SCRIPTS = {"/static/editor.js", "/static/forms.js", "/static/assist.js"}
# The longest text each field takes (longer is refused with a message, as it should be).
SUBJECT_MAX = 300  # outbox.subject
TITLE_MAX = 300  # source_revisions.title, publications.title
SUMMARY_MAX = NOTE_MAX = REPORT_MAX = 2_000
NAME_MAX = 120
ORGANIZATION_MAX = 200
CLAIM_REASON_MAX = 1_000
COMMENT_MAX = 5_000

# --- what counts as unsafe -----------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster",
                   "background", "srcset", "cite", "ping", "codebase", "manifest"}
_BAD_SCHEMES = {"javascript", "data", "vbscript"}
# Elements no page of the portal emits: where one appears, someone's text became markup.
_FOREIGN_TAGS = {"applet", "audio", "base", "embed", "frame", "frameset", "iframe", "image",
                 "img", "marquee", "math", "object", "portal", "source", "style", "svg",
                 "template", "video"}
_OWN_LINK_RELS = {"stylesheet", "canonical", "alternate", "icon"}
_ALIGNMENT = re.compile(r"^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Invisible C0 controls (all but tab and line breaks): to be refused or removed, not kept.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters XML 1.0 forbids: they make an Atom feed unreadable.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TYPED_MARKUP = re.compile(r"<[A-Za-z/!?]")
# What an error page says when the portal gave no reason of its own.
_GENERIC_ERROR = "Please try again. If the problem stays"


def url_scheme(value: str) -> str:
    """The scheme a browser would see: tabs and newlines removed, leading controls trimmed."""
    cleaned = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
    match = _SCHEME.match(cleaned.lower())
    return match.group(1) if match else ""


def controls(text: str, pattern: re.Pattern = _CONTROLS) -> str:
    """`U+0001, U+001B`: the control characters in `text`, if any."""
    return ", ".join(f"U+{ord(char):04X}" for char in sorted(set(pattern.findall(text))))


def flat(text: str) -> str:
    return " ".join(text.split())


def visible(text: str) -> str:
    """Text as compared: whitespace runs as one space, invisible controls (removable) gone."""
    return flat(_CONTROLS.sub("", text))


class _Scanner(HTMLParser):
    """Collects (problem, the tag's source) for every element that could run something."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, str]] = []
        self._in_script = False
        self._in_qr_code = False

    def _flag(self, problem: str) -> None:
        self.problems.append((problem, self.get_starttag_text() or ""))

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self._flag(f"<{tag}> has an event handler {name}=")
            if name in _URL_ATTRIBUTES and url_scheme(value) in _BAD_SCHEMES:
                self._flag(f"<{tag} {name}> is a {url_scheme(value)}: URL")
            if name == "srcdoc":
                self._flag(f"<{tag}> has srcdoc")
            if name == "style" and not _ALIGNMENT.match(value):
                self._flag(f"<{tag}> has style={value[:40]!r}")
        if tag == "script":
            self._in_script = True
            if urlsplit(values.get("src", "")).path not in OWN_SCRIPTS:
                self._flag("a <script> that is not one of the portal's own")
        if self._own_qr_code(tag, values):
            return
        if tag in _FOREIGN_TAGS:
            self._flag(f"a <{tag}> element")
        if tag == "meta" and "http-equiv" in values:
            self._flag("<meta http-equiv>")
        if tag == "link" and values.get("rel", "").lower() not in _OWN_LINK_RELS:
            self._flag(f"<link rel={values.get('rel')!r}>")

    def _own_qr_code(self, tag: str, values: dict) -> bool:
        """The leaflet's QR code (segno's SVG): an <svg class="qr-code"> of plain paths."""
        if tag == "svg" and values == {"viewbox": values.get("viewbox"), "class": "qr-code"}:
            self._in_qr_code = True
            return True
        return self._in_qr_code and tag == "path" and set(values) <= {"fill", "stroke", "d"}

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_qr_code = False
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(("an inline script", data[:80]))


def unsafe_markup(html: str) -> list[tuple[str, str]]:
    """(problem, source) for each element of `html` that could run code or load something."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def test_the_scanner_sees_what_would_run():
    found = [problem for problem, _source in unsafe_markup(
        '<img src=x onerror="window.__pwned=1"><a href=" jav&#x61;\tscript:alert(1)">x</a>'
        "<script>alert(1)</script><p style='background:url(x)'><td style='text-align:center'>"
        '<meta http-equiv="refresh" content="0"><script src="/static/editor.js"></script>')]
    assert found == ["<img> has an event handler onerror=", "a <img> element",
                     "<a href> is a javascript: URL",
                     "a <script> that is not one of the portal's own",
                     "an inline script", "<p> has style='background:url(x)'",
                     "<meta http-equiv>"]
    assert unsafe_markup('<a href="mailto:a@example.org">a</a><p>&lt;script&gt;</p>') == []


# --- gathering problems --------------------------------------------------------------------

def label(number: int) -> str:
    return f"#{number} {PAYLOADS[number][:50]!r}"


class Findings:
    """Every problem a test meets, by place and payload, reported together at its end."""

    def __init__(self):
        self.problems: dict[tuple[str, str, str], None] = {}

    def add(self, where: str, texts: dict[int, str], problem: str) -> None:
        if len(texts) > 5:
            who = f"one of {len(texts)} payloads shown there"
        else:
            who = ", ".join(label(number) for number in texts) or "-"
        self.problems[where, who, problem] = None

    def scan(self, where: str, html: str, texts: dict[int, str]) -> None:
        """Flag what could run in `html`, and any typed markup that is shown verbatim."""
        for problem, source in unsafe_markup(html):
            culprits = {number: text for number, text in texts.items() if source in text}
            self.add(where, culprits or texts, f"{problem}: {source[:70]!r}")
        for number, text in texts.items():
            if _TYPED_MARKUP.search(text) and text in html:
                self.add(where, {number: text}, "shown unescaped")

    def check_stored(self, where: str, number: int, typed: str, stored: str | None,
                     expected: str | None = None) -> None:
        """Stored as typed; invisible controls may only be removed, line breaks only flattened."""
        if stored is None:
            return
        bad = controls(typed)
        if bad:
            if controls(stored):
                self.add(where, {number: typed}, f"stored with {controls(stored)}: "
                                                 "neither refused nor removed")
        # One-line fields (titles, names) keep line breaks as spaces: compare flattened.
        elif flat(stored) != flat(typed.strip() if expected is None else expected):
            self.add(where, {number: typed}, f"stored as {stored[:60]!r}")

    def check_refusal(self, where: str, number: int, typed: str, response) -> None:
        """A refused value must be one that may be refused, and say why."""
        html = response.get_data(as_text=True)
        if not any(mark in html for mark in ("field-error", "flash-error", 'role="alert"')) \
                and _GENERIC_ERROR in html:
            self.add(where, {number: typed}, f"{response.status_code} without a message")
        if not controls(typed):
            self.add(where, {number: typed}, f"refused with {response.status_code}")

    def check_feed(self, where: str, response, expected: dict[str, tuple[int, str, str]]):
        """The feed parses as XML, and holds each statement's title as text and safe HTML.

        `expected` maps slugs to (payload number, typed text, title as stored).
        """
        texts = {number: typed for number, typed, _title in expected.values()}
        try:
            root = ElementTree.fromstring(response.get_data())
        except ElementTree.ParseError as error:
            culprits = {number: text for number, text in texts.items()
                        if controls(text, _XML_FORBIDDEN)}
            self.add(where, culprits or texts, f"not well-formed XML: {error}")
            return
        seen = set()
        for entry in root.iter(f"{ATOM}entry"):
            slug = entry.find(f"{ATOM}link").get("href").rsplit("/", 1)[-1]
            if slug not in expected:
                continue
            seen.add(slug)
            number, typed, title = expected[slug]
            # XML cannot carry some characters, and reads a carriage return as a line feed.
            if flat(entry.findtext(f"{ATOM}title") or "") != flat(_XML_FORBIDDEN.sub("", title)):
                self.add(where, {number: typed}, "entry title differs from the stored title")
            self.scan(f"{where} <content>", entry.findtext(f"{ATOM}content") or "",
                      {number: typed})
        for slug in sorted(set(expected) - seen):
            number, typed, _title = expected[slug]
            self.add(where, {number: typed}, "missing from the feed")

    def check_xml(self, where: str, response, texts: dict[int, str]) -> None:
        if response is not None:
            try:
                ElementTree.fromstring(response.get_data())
            except ElementTree.ParseError as error:
                self.add(where, texts, f"not well-formed XML: {error}")

    def sweep(self, where: str, stored: list[str]) -> None:
        """Text kept by the database must not hold invisible control characters."""
        culprits = {number: text for number, text in enumerate(PAYLOADS)
                    if controls(text)}
        for text in stored:
            bad = controls(text or "")
            if bad:
                self.add(where, {number: payload for number, payload in culprits.items()
                                 if set(controls(payload).split(", "))
                                 & set(bad.split(", "))},
                         f"stored with {bad}: neither refused nor removed")

    def check_json(self, where: str, response, texts: dict[int, str]):
        """Valid JSON; returns the parsed answer, or None (also for a refusal, noted already)."""
        if response is None or response.status_code >= 400:
            return None
        if response.mimetype != "application/json":
            self.add(where, texts, f"answered {response.mimetype}, not JSON")
            return None
        try:
            return response.get_json()
        except ValueError as error:
            self.add(where, texts, f"not valid JSON: {error}")
            return None

    def check_outbox(self, session, expected: list[tuple[str, int, str]] = ()) -> None:
        """Every queued e-mail is plain text with a safe subject; each expected text is in
        an e-mail of its kind exactly as typed (no HTML escaping)."""
        messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        for message in messages:
            where = f"e-mail {message.kind!r} to {message.recipient!r}"
            whole = visible(message.subject + " " + message.body)
            texts = {number: text for kind, number, text in expected
                     if kind == message.kind and visible(text)[:40] in whole}
            if "\n" in message.subject or "\r" in message.subject:
                self.add(where, texts, f"subject holds a line break: {message.subject[:60]!r}")
            if len(message.subject) > SUBJECT_MAX:
                self.add(where, texts, f"subject of {len(message.subject)} characters: the "
                                       f"column holds {SUBJECT_MAX} (PostgreSQL refuses it)")
            try:
                email = _as_email(message, "Portal <portal@example.org>")
                email.as_bytes()
            except Exception as error:  # any failure: it cannot be sent
                self.add(where, texts, f"cannot be sent: {type(error).__name__}: {error}")
                continue
            if email.is_multipart() or email.get_content_type() != "text/plain":
                self.add(where, texts, f"is {email.get_content_type()}, not plain text")
        for kind, number, text in expected:
            wanted = visible(text)
            if not any(message.kind == kind and wanted in visible(message.subject + " "
                                                                  + message.body)
                       for message in messages):
                self.add(f"e-mail {kind!r}", {number: text}, "text not in it as typed")

    def report(self) -> None:
        if self.problems:
            lines = [f"{where} · {who} · {problem}" for where, who, problem in self.problems]
            pytest.fail(f"{len(lines)} problems with hostile content:\n" + "\n".join(lines),
                        pytrace=False)


# --- a browser of the test client -----------------------------------------------------------

_addresses = itertools.count(1)
REDIRECTS = (302, 303)


class Visitor:
    """One person's test client; every answer is checked, a crash becomes a finding."""

    def __init__(self, app, findings: Findings, user: User | None = None):
        self.client = app.test_client()
        number = next(_addresses)
        self.client.environ_base["REMOTE_ADDR"] = f"10.66.{number // 250}.{number % 250 + 1}"
        self.findings = findings
        self._token = None
        if user is not None:
            assert AuthActions(self.client).login(user).status_code in REDIRECTS

    @property
    def token(self) -> str:
        if self._token is None:
            with self.client.session_transaction() as session:
                signed_in = "_user_id" in session
            self._token = csrf_token(self.client,
                                     "/account/profile" if signed_in else "/account/login")
        return self._token

    def get(self, url: str, texts: dict[int, str], where: str | None = None, ok=(200,)):
        return self.send("GET", url, where or f"GET {url}", texts, ok)

    def post(self, url: str, data: dict, texts: dict[int, str], where: str | None = None,
             ok=REDIRECTS):
        return self.send("POST", url, where or f"POST {url}", texts, ok,
                         data={**data, "csrf_token": self.token})

    def post_json(self, url: str, body: dict, texts: dict[int, str], where: str | None = None,
                  ok=(200,)):
        return self.send("POST", url, where or f"POST {url} (JSON)", texts, ok, json=body,
                         headers={"X-CSRFToken": self.token})

    def follow(self, response, texts: dict[int, str], where: str):
        """Open where a redirect leads, as a browser would (flashed messages show there)."""
        if response is None or response.status_code not in (301, *REDIRECTS):
            return None
        location = response.headers["Location"]
        if url_scheme(location) in _BAD_SCHEMES or urlsplit(location).netloc not in (
                "", "portal.test"):
            self.findings.add(where, texts, f"redirects to {location[:80]!r}")
            return None
        return self.get(location, texts, f"{where} → {urlsplit(location).path}")

    def send(self, method, url, where, texts, ok, **kwargs):
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # a real visitor would get a 500
            first_line = (str(error).splitlines() or [""])[0]
            self.findings.add(where, texts, f"500 ({type(error).__name__}: {first_line[:140]})")
            return None
        if response.status_code not in ok:
            self.findings.add(where, texts, f"answered {response.status_code}")
        if response.mimetype == "text/html":
            self.findings.scan(where, response.get_data(as_text=True), texts)
        return response


def in_chunks(numbers, limit: int) -> list[dict[int, str]]:
    """Payloads grouped so that each group, joined by blank lines, fits in `limit`."""
    chunks, current, size = [], {}, 0
    for number in numbers:
        text = PAYLOADS[number][:limit]
        if current and size + len(text) + 2 > limit:
            chunks.append(current)
            current, size = {}, 0
        current[number] = text
        size += len(text) + 2
    return chunks + ([current] if current else [])


def joined(texts: dict[int, str]) -> str:
    return "\n\n".join(texts.values())


def later(days: int = 2) -> str:
    """A datetime-local value in the future (coordinators' zone here is UTC)."""
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def search(reader: Visitor, lang: str, number: int) -> None:
    """Search for a payload: results, or a 400 that says why (control characters)."""
    query = PAYLOADS[number][:200]
    where = f"search results (/{lang}/search?q=)"
    response = reader.get(f"/{lang}/search?q={quote(query)}", {number: query}, where,
                          ok=(400,) if controls(query) else (200,))
    if response is not None and response.status_code == 400:
        reader.findings.check_refusal(where, number, query, response)


ALL = range(len(PAYLOADS))
ANSWERED = tuple(range(200, 500))  # anything but a crash
STATEMENT_CHUNKS = [list(ALL)[start:start + 12] for start in range(0, len(PAYLOADS), 12)]
# Each chunk starts afresh: the people page does not grow with every invited guest.
NAME_CHUNKS = [list(ALL)[start:start + 22] for start in range(0, len(PAYLOADS), 22)]
# Forged values only echo what was sent: every second payload, each group represented.
FORGED = list(ALL)[::2]


# --- statements: title, summary, body, release note, unpublish reason ----------------------

@pytest.mark.parametrize("numbers", STATEMENT_CHUNKS,
                         ids=[f"payloads-{chunk[0]}-{chunk[-1]}" for chunk in STATEMENT_CHUNKS])
def test_statement_text_from_coordinator_to_readers(app, db, make, numbers):
    findings = Findings()
    coordinator = make.user(Role.COORDINATOR)
    make.language("en")
    make.language("es")
    create_organization(coordinator, name="Migrant Workers Union", country="PH",
                        languages=["en"], contact_email="union@example.org")
    db.session.commit()
    desk = Visitor(app, findings, coordinator)
    created: dict[str, tuple[int, int, str]] = {}  # slug → (number, statement id, title)
    expected_emails = []
    for number in numbers:
        payload = PAYLOADS[number]
        one = {number: payload}
        slug = f"hostile-{number}"
        fields = {"title": payload[:TITLE_MAX], "summary": payload[:SUMMARY_MAX],
                  "body": f"{payload}\n\nA plain closing paragraph.",
                  "statement_date": "2026-03-01", "target_languages": ["es"]}
        response = desk.post("/coordinate/statements/new",
                             {**fields, "slug": slug, "source_language": "en"}, one,
                             "new statement form (title, summary, body)", ok=(*REDIRECTS, 400))
        if response is None:
            continue
        if response.status_code == 400:
            findings.check_refusal("new statement form", number, payload, response)
            continue
        statement_id = int(re.search(r"/statements/(\d+)/", response.headers["Location"])[1])
        revision = db.session.get(Statement, statement_id).current_revision
        for name, stored in (("title", revision.title), ("summary", revision.summary),
                             ("body", revision.body)):
            findings.check_stored(f"statement {name}", number, fields[name], stored)
        release = f"/coordinate/statements/{statement_id}/release"
        note = payload[:NOTE_MAX]
        desk.post(release, {"when": "now", "note": note}, one, "release form (now, with a note)")
        if db.session.scalar(select(Publication.id).where(
                Publication.statement_id == statement_id)) is None:
            continue  # not released: the release form's answer is the finding
        # A new revision, released later: the release page lists it with its note.
        edit = f"/coordinate/statements/{statement_id}/edit"
        desk.get(edit, one, "statement edit page")
        desk.post(edit, {**fields, "body": fields["body"] + " Edited."}, one,
                  "statement edit form")
        desk.post(release, {"when": "at", "release_at": later(), "note": note}, one,
                  "release form, note (scheduled)")
        desk.get(release, one, "release page (scheduled note)")
        for stored in db.session.scalars(select(Release.note).where(
                Release.statement_id == statement_id)):
            findings.check_stored("release note", number, note, stored)
        title = db.session.get(Statement, statement_id).current_revision.title
        created[slug] = (number, statement_id, title)
        expected_emails.append(("statement_published", number, title))

    texts = {number: PAYLOADS[number] for number, _id, _title in created.values()}
    for url in ("/coordinate/", "/coordinate/progress", "/coordinate/audit"):
        desk.get(url, texts)
    reader = Visitor(app, findings)
    for page in range(1, -(-len(created) // app.config["STATEMENTS_PER_PAGE"]) + 1):
        reader.get(f"/en/?page={page}" if page > 1 else "/en/", texts, "reader listing")
    findings.check_xml("/sitemap.xml", reader.get("/sitemap.xml", texts), texts)
    feed = reader.get("/en/feed.atom", texts)
    if feed is not None:
        findings.check_feed("/en/feed.atom", feed, {
            slug: (number, PAYLOADS[number], title)
            for slug, (number, _id, title) in created.items()})
    listing = findings.check_json("/api/v1/statements", reader.get(
        "/api/v1/statements?lang=en&per_page=100", texts), texts) or {"statements": []}
    titles = {item["slug"]: item["title"] for item in listing["statements"]}
    for slug, (number, statement_id, title) in created.items():
        one = {number: PAYLOADS[number]}
        reader.get(f"/en/statements/{slug}", one, "statement page")
        reader.get(f"/es/statements/{slug}", one, "fallback page (es → en)")
        search(reader, "en", number)
        if titles.get(slug) != title:
            findings.add("API statement list", one, "title is not the stored title")
        text = findings.check_json("API statement text", reader.get(
            f"/api/v1/statements/{slug}/en", one, "API statement text"), one)
        if text is not None:
            publication = db.session.scalar(select(Publication).where(  # released now
                Publication.statement_id == statement_id, Publication.language_tag == "en")
                .order_by(Publication.id))
            if (text["title"], text["summary"], text["body_markdown"]) != (
                    publication.title, publication.summary, publication.body):
                findings.add("API statement text", one, "text differs from the stored text")
            findings.scan("API statement text, body_html", text["body_html"], one)
    findings.check_outbox(db.session, expected_emails)

    for number, statement_id, _title in created.values():
        reason = PAYLOADS[number][:NOTE_MAX]
        one = {number: reason}
        desk.post(f"/coordinate/statements/{statement_id}/unpublish",
                  {"language": "en", "reason": reason}, one, "unpublish form, reason")
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.statement_id == statement_id, AuditEvent.action == "statement.unpublish"))
        if event is not None:
            findings.check_stored("unpublish reason (audit)", number, reason, event.detail,
                                  f"en: {reason.strip()}")
    desk.get("/coordinate/audit", texts, "audit log (unpublish reasons)")
    findings.report()


# --- translation: drafts (autosave and form), review comments, reports, claim reasons -------

TRANSLATOR_NAME = "<img src=x onerror=alert(1)>"
REVIEWER_NAME = '"><img src=x onerror=alert(1)>'


def test_translation_review_and_reports(app, db, make):
    findings = Findings()
    coordinator = make.user(Role.COORDINATOR)
    translator = make.user(translates=["es"])
    reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
    count = len(PAYLOADS)
    # Title, summary and one paragraph per remaining payload: a segment for each payload.
    statement = make.statement(
        slug="hostile-translation", targets=["es"], title="Workers of the world",
        summary="A plain summary.",
        body="\n\n".join(f"Paragraph number {n} of the statement." for n in range(count - 2)))
    statement_id = statement.id
    keys = [segment.key for segment in statement.current_revision.segments]
    assert len(set(keys)) == count
    translation_id = db.session.scalar(select(Translation.id).where(
        Translation.statement_id == statement_id))
    every = dict(enumerate(PAYLOADS))

    t = Visitor(app, findings, translator)
    r = Visitor(app, findings, reviewer)
    c = Visitor(app, findings, coordinator)
    names = {PAYLOADS.index(TRANSLATOR_NAME): TRANSLATOR_NAME,
             PAYLOADS.index(REVIEWER_NAME): REVIEWER_NAME}
    for visitor, name in ((t, TRANSLATOR_NAME), (r, REVIEWER_NAME)):
        visitor.post("/account/profile", {"display_name": name, "interface_language": "",
                                          "time_zone": "UTC"}, names, "profile form, name")

    desk = f"/desk/translations/{translation_id}"
    for chunk in in_chunks(ALL, CLAIM_REASON_MAX):  # each claim given back with a reason
        t.post(f"{desk}/claim", {}, {}, "claim form")
        t.post(f"{desk}/release", {"reason": joined(chunk)}, chunk, "release claim, reason")
    t.post(f"{desk}/claim", {}, {}, "claim form")
    c.get("/coordinate/audit", every, "audit log (claim reasons)")

    def revisions() -> dict[str, int]:
        return {key: revision for key, revision in db.session.execute(
            select(DraftSegment.segment_key, DraftSegment.revision)
            .where(DraftSegment.translation_id == translation_id))}

    for number, key in enumerate(keys):
        one = {number: PAYLOADS[number]}
        t.post_json(f"{desk}/segments/{key}", {"text": PAYLOADS[number], "revision": 0}, one,
                    "editor autosave (JSON)", ok=(200, 400))
        if key not in revisions():  # refused: the text a person could then save
            t.post_json(f"{desk}/segments/{key}",
                        {"text": _XML_FORBIDDEN.sub("", PAYLOADS[number]), "revision": 0}, one,
                        "editor autosave (JSON), again without control characters")
    findings.sweep("draft (editor autosave)", [text for (text,) in db.session.execute(
        select(DraftSegment.text).where(DraftSegment.translation_id == translation_id))])
    t.get(desk, every, "editor")

    def save_all(shift: int) -> None:
        """The editor's form without JavaScript: every box, each payload moved by `shift`."""
        data, current = {"back": desk}, revisions()
        for number, key in enumerate(keys):
            text = PAYLOADS[(number + shift) % count]
            # Control characters were tried by autosave above; here they would stop the loop.
            data[f"text-{key}"] = _XML_FORBIDDEN.sub("", text) + f" ({shift})"
            data[f"revision-{key}"] = str(current.get(key, 0))
        t.post(f"{desk}/save", data, every, "editor form (Save all)")
        t.get(desk, every, "editor")

    save_all(1)
    t.post(f"{desk}/submit", {"back": desk}, {}, "submit form")
    comment_chunks = in_chunks(ALL, COMMENT_MAX)
    for cycle, chunk in enumerate(comment_chunks, start=2):
        version_id = db.session.scalar(select(Version.id).where(
            Version.translation_id == translation_id).order_by(Version.number.desc()))
        r.get("/desk/", every, "desk home (reviews waiting)")
        r.get(f"/desk/versions/{version_id}", every, "review page (with diff)")
        r.post(f"/desk/versions/{version_id}/decision",
               {"decision": "changes", "comment": joined(chunk), "back": "/desk/"}, chunk,
               "review form, request changes comment")
        t.get("/desk/", chunk, "desk home (sent back, comment)")
        t.get(desk, chunk, "editor (review comment)")
        save_all(cycle)
        t.post(f"{desk}/submit", {"back": desk}, {}, "submit form")
    version_id = db.session.scalar(select(Version.id).where(
        Version.translation_id == translation_id).order_by(Version.number.desc()))
    r.get(f"/desk/versions/{version_id}", every, "review page (with diff)")
    r.post(f"/desk/versions/{version_id}/decision",
           {"decision": "approve", "comment": joined(comment_chunks[0]), "back": "/desk/"},
           comment_chunks[0], "review form, approve comment")
    c.post(f"/coordinate/statements/{statement_id}/release",
           {"versions": [str(version_id)], "when": "now", "note": ""}, {}, "release form")
    for url in (f"/coordinate/statements/{statement_id}/release", "/coordinate/progress",
                "/coordinate/", "/coordinate/audit", desk):
        c.get(url, every)

    reader = Visitor(app, findings)
    slug = "hostile-translation"
    for url in ("/es/", f"/es/statements/{slug}", f"/en/statements/{slug}"):
        reader.get(url, every)
    feed = reader.get("/es/feed.atom", every)
    publication = db.session.scalar(select(Publication).where(
        Publication.statement_id == statement_id, Publication.language_tag == "es"))
    if publication is None:
        findings.add("release", {}, "the translation was not published")
        findings.report()
    title_number = next((number for number, text in every.items()
                         if publication.title.startswith(_XML_FORBIDDEN.sub("", text).strip())), 0)
    findings.check_feed("/es/feed.atom", feed,
                        {slug: (title_number, publication.title, publication.title)})
    if len(publication.title) > TITLE_MAX:
        findings.add("publication title", {}, f"{len(publication.title)} characters: the "
                                              f"column holds {TITLE_MAX}")
    for number in every:
        search(reader, "es", number)
    text = findings.check_json("API", reader.get(f"/api/v1/statements/{slug}/es", every), every)
    if text is not None:
        if (text["title"], text["summary"], text["body_markdown"]) != (
                publication.title, publication.summary, publication.body):
            findings.add("API statement text (es)", every, "differs from the stored text")
        findings.scan("API statement text (es), body_html", text["body_html"], every)
    findings.check_json("API", reader.get("/api/v1/statements?lang=es", every), every)

    # Readers report problems: the message (and the paragraph, a payload) reach reviewers.
    report = f"/es/statements/{slug}/report"
    for index, chunk in enumerate(in_chunks(ALL, REPORT_MAX)):
        someone = Visitor(app, findings)
        someone.get(report, every, "report form (paragraph choices)")
        someone.post(report, {"paragraph": str(index), "message": joined(chunk), "email": ""},
                     chunk, "report form, message")
    for number, address in every.items():
        if "@" in address and len(address) < 100:
            Visitor(app, findings).post(report, {"paragraph": "0", "message": "Typo.",
                                                 "email": address}, {number: address},
                                        "report form, e-mail", ok=(*REDIRECTS, 400))
    r.get("/desk/", every, "desk home (reports)")

    findings.sweep("review comment, report, claim reason", [
        *db.session.scalars(select(Review.comment)),
        *db.session.scalars(select(ProblemReport.message)),
        *db.session.scalars(select(AuditEvent.detail))])
    findings.check_outbox(db.session, [
        ("review_waiting", PAYLOADS.index(TRANSLATOR_NAME), TRANSLATOR_NAME),
        ("changes_requested", PAYLOADS.index(REVIEWER_NAME), REVIEWER_NAME),
        *(("changes_requested", min(chunk), joined(chunk)) for chunk in comment_chunks)])
    findings.report()


# --- people, organizations and invitations -----------------------------------------------

@pytest.fixture
def quick_passwords(monkeypatch):
    """scrypt's deliberate slowness is not under test: accepting 90 invitations stays fast."""
    monkeypatch.setattr(User, "set_password", lambda self, password: setattr(
        self, "password_hash", generate_password_hash(password, method="pbkdf2:sha256:1")))


@pytest.mark.parametrize("numbers", NAME_CHUNKS,
                         ids=[f"payloads-{chunk[0]}-{chunk[-1]}" for chunk in NAME_CHUNKS])
def test_names_organizations_and_invitations(app, db, make, quick_passwords, numbers):
    findings = Findings()
    coordinator = make.user(Role.COORDINATOR, email="coordinator@example.org")
    translator = make.user(translates=["es"], email="translator@example.org")
    reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
    watcher = make.user(translates=["es"])
    ids = {"translator": translator.id}
    with app.test_request_context():  # the workflow reads the app's settings
        statements = [make.statement(targets=["es"], title=f"Statement {n}") for n in range(3)]
        translations = [db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id)) for statement in statements]
        # 0: in review, written by the translator; 1: claimed by them; 2: sent back to them.
        for translation in (translations[0], translations[2]):
            claim_translation(translator, translation)
            for segment in translation.statement.current_revision.segments:
                save_draft_segment(translator, translation, segment.key, f"[es] {segment.text}", 0)
            submit_translation(translator, translation)
        claim_translation(translator, translations[1])
        request_changes(reviewer, translations[2].versions[-1], "Please check the title.")
        organization = create_organization(coordinator, name="Plain Organization", country="PH",
                                           languages=["es"], contact_email="plain@example.org")
        db.session.commit()
        in_review = translations[0].versions[-1].id
        held, sent_back = translations[1].id, translations[2].id
        organization_id = organization.id

    c = Visitor(app, findings, coordinator)
    t = Visitor(app, findings, translator)
    r = Visitor(app, findings, reviewer)
    w = Visitor(app, findings, watcher)
    expected_emails = []
    for number in numbers:
        payload = PAYLOADS[number]
        one = {number: payload}
        name = payload[:NAME_MAX]
        for visitor, user_id, role in ((r, reviewer.id, "reviewer"),
                                       (c, coordinator.id, "coordinator"),
                                       (t, translator.id, "translator")):
            response = visitor.post("/account/profile", {
                "display_name": name, "interface_language": "", "time_zone": "UTC"}, one,
                f"profile form, name ({role})", ok=(*REDIRECTS, 400))
            if response is not None and response.status_code == 400:
                findings.check_refusal("profile form, name", number, name, response)
            elif response is not None:
                findings.check_stored("display name", number, name,
                                      db.session.get(User, user_id).display_name)
        t.follow(response, one, "profile page (saved message)")
        coordinator_name = db.session.get(User, coordinator.id).display_name
        t.get("/desk/", one, "desk home (nav, reviewer's name)")
        t.get(f"/desk/translations/{sent_back}", one, "editor (reviewer's name)")
        r.get("/desk/", one, "desk home (translator's name)")
        r.get(f"/desk/versions/{in_review}", one, "review page (author's name)")
        w.follow(w.post(f"/desk/translations/{held}/claim",
                        {"back": f"/desk/translations/{held}/claim"}, one,
                        "claim form (claim lost)"), one, "claim page (holder's name, message)")

        # Flashed messages wait for the next page: the people page shows both.
        c.post(f"/coordinate/people/{ids['translator']}/edit",
               {"role": "translator", "translates": ["es"]}, one, "person edit form")
        address = payload.lower() if is_email(payload) else f"guest{number}@example.org"
        c.post("/coordinate/people/invite", {"email": address, "role": "translator",
                                             "translates": ["es"]}, one, "invitation form")
        c.get("/coordinate/people", one, "people page (names, invitation, messages)")
        c.get(f"/coordinate/people/{ids['translator']}/edit", one, "person edit page")
        c.get("/coordinate/audit", one, "audit log (names)")

        contact = payload if is_email(payload) else "plain@example.org"
        organization_name = payload[:ORGANIZATION_MAX]
        saved = c.post(f"/coordinate/organizations/{organization_id}/edit", {
            "name": organization_name, "country": "PH", "languages": ["es"],
            "contact_email": contact}, one, "organization form (name, contact)")
        if c.follow(saved, one, "organizations page (saved message)") is not None:
            stored = db.session.get(Organization, organization_id)
            findings.check_stored("organization name", number, organization_name, stored.name,
                                  flat(organization_name))
            findings.check_stored("organization contact", number, contact,
                                  stored.contact_email)
        c.get(f"/coordinate/organizations/{organization_id}/edit", one,
              "organization edit page")

        expected_emails.append(("invitation", number, coordinator_name))
        invitation = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.kind == "invitation", OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id.desc()))
        if invitation is None:
            continue
        link = urlsplit(re.search(r"\S+/account/invitation/\S+", invitation.body)[0]).path
        guest = Visitor(app, findings)
        guest.get(link, one, "invitation page (inviter's name)")
        guest.follow(guest.post(link, {"display_name": name, "password": "a long password",
                                       "password_again": "a long password"}, one,
                                "accept invitation form, name"), one, "welcome message")
        accepted = db.session.scalar(select(Invitation).where(Invitation.email == address)
                                     .order_by(Invitation.id.desc()))
        if accepted.user_id is not None:
            findings.check_stored("invited person's name", number, name,
                                  db.session.get(User, accepted.user_id).display_name)
    c.get("/coordinate/organizations", {}, "organizations page")
    findings.check_outbox(db.session, expected_emails)
    findings.report()


# --- search ----------------------------------------------------------------------------------

def test_search_queries(app, db, make):
    findings = Findings()
    make.publish(make.statement(slug="workers", targets=["es"]), ["es"])
    reader = Visitor(app, findings)
    for number in ALL:
        for lang in ("en", "es"):
            search(reader, lang, number)
    findings.report()


# --- forged values in choices and hidden fields --------------------------------------------

def forge(visitor: Visitor, one: dict[int, str], url: str, data: dict, where: str,
          json: bool = False, follow: bool = False) -> None:
    """Send it (and open where a redirect leads): any answer but a crash will do."""
    if json:
        visitor.post_json(url, data, one, where, ANSWERED)
        return
    response = visitor.post(url, data, one, where, ANSWERED)
    if follow:
        visitor.follow(response, one, where)


def test_forged_choices_and_hidden_fields(app, db, make):
    """What no form offers but anyone can send: refused with a message, never shown raw."""
    findings = Findings()
    coordinator = make.user(Role.COORDINATOR)
    translator = make.user(translates=["es"])
    reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
    statement = make.statement(slug="forged", targets=["es"])
    make.publish(statement, ["es"])
    translation = db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == "es"))
    version_id, statement_id = translation.versions[-1].id, statement.id
    with app.test_request_context():  # the workflow reads the app's settings
        claimed = db.session.scalar(select(Translation).where(
            Translation.statement_id == make.statement(slug="claimed", targets=["es"]).id))
        claim_translation(translator, claimed)
        db.session.commit()
        claimed_id, translator_id = claimed.id, translator.id
        unreleased_id = claimed.statement_id
        claimed_key = claimed.statement.current_revision.segments[0].key
    c = Visitor(app, findings, coordinator)
    t = Visitor(app, findings, translator)
    r = Visitor(app, findings, reviewer)
    plain = {"title": "Plain", "summary": "Plain.", "body": "Plain.",
             "statement_date": "2026-03-01", "source_language": "en"}
    for number in FORGED:
        payload = PAYLOADS[number]
        one = {number: payload}
        forge(c, one, "/coordinate/statements/new",
              {**plain, "source_language": payload, "slug": payload,
               "target_languages": [payload]},
              "new statement form, forged languages and slug")
        forge(c, one, "/coordinate/organizations/new",
              {"name": f"Org {number}", "country": payload, "languages": [payload]},
              "organization form, forged country and language")
        forge(c, one, "/coordinate/people/invite",
              {"email": f"forged{number}@example.org", "role": payload,
               "translates": [payload], "reviews": [payload]},
              "invitation form, forged role and languages")
        forge(c, one, f"/coordinate/people/{translator_id}/edit",
              {"role": "translator", "translates": [payload], "reviews": [payload]},
              "person edit form, forged languages")
        forge(c, one, f"/coordinate/statements/{unreleased_id}/release",
              {"versions": [payload], "when": payload, "release_at": payload,
               "note": payload[:NOTE_MAX]}, "release form, forged choices")
        forge(c, one, f"/coordinate/statements/{statement_id}/unpublish",
              {"language": payload, "reason": payload[:NOTE_MAX]},
              "unpublish form, forged language")
        c.get(f"/coordinate/audit?statement={quote(payload)}&person={quote(payload)}", one,
              "audit filter, forged", ANSWERED)
        forge(t, one, "/account/profile", {"display_name": "Tomás", "interface_language": payload,
                                      "time_zone": payload},
              "profile form, forged language and time zone")
        forge(r, one, f"/desk/versions/{version_id}/decision",
              {"decision": payload, "comment": payload[:COMMENT_MAX], "back": payload},
              "review form, forged decision and back")
        forge(t, one, f"/desk/translations/{claimed_id}/segments/{quote(payload, safe='')}",
              {"text": payload, "revision": 0}, "editor autosave, forged key", json=True)
        forge(t, one, f"/desk/translations/{claimed_id}/segments/{claimed_key}",
              {"text": payload, "revision": payload}, "editor autosave, forged revision",
              json=True)
        anonymous = Visitor(app, findings)
        anonymous.get(f"/account/login?next={quote(payload)}", one, "login page, next",
                      ANSWERED)
        forge(anonymous, one, f"/account/login?next={quote(payload)}",
              {"email": payload, "password": payload, "next": payload}, "login form")
        forge(anonymous, one, "/account/password/forgot", {"email": payload},
              "forgot password form, e-mail (and its message)", follow=True)
        forge(anonymous, one, "/es/statements/forged/report",
              {"paragraph": payload, "message": payload[:REPORT_MAX], "email": payload},
              "report form, forged paragraph and e-mail")
        anonymous.follow(anonymous.get(f"/choose/es?next={quote(payload)}", one,
                                       "language choice, next", ANSWERED), one,
                         "language choice, next")
    findings.report()


# --- the longest title, in every e-mail that names it ----------------------------------------

def test_longest_title_in_every_email(app, db, make):
    """A title at its 300-character limit, in the source and in the translation."""
    findings = Findings()
    coordinator = make.user(Role.COORDINATOR)
    translator = make.user(translates=["es"])
    reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
    number = max(ALL, key=lambda n: len(PAYLOADS[n]))
    title = PAYLOADS[number][:TITLE_MAX]
    one = {number: title}
    create_organization(coordinator, name="Union", country="PH", languages=["es"],
                        contact_email="union@example.org")
    statement = make.statement(slug="longest", targets=["es"], title=title)
    statement_id = statement.id
    translation_id = db.session.scalar(select(Translation.id).where(
        Translation.statement_id == statement_id))
    keys = [segment.key for segment in statement.current_revision.segments]
    c = Visitor(app, findings, coordinator)
    t = Visitor(app, findings, translator)
    r = Visitor(app, findings, reviewer)
    desk = f"/desk/translations/{translation_id}"
    t.post(f"{desk}/claim", {}, one, "claim form")
    # A translated title longer than a published title may be is refused with a message;
    # the longest one allowed goes through the whole loop.
    refused = t.post_json(f"{desk}/segments/{keys[0]}", {"text": PAYLOADS[number],
                                                          "revision": 0},
                          one, "editor autosave (JSON), title too long", ok=(400,))
    assert "at most 300 characters" in refused.get_json()["error"]["detail"]
    for index, key in enumerate(keys):
        t.post_json(f"{desk}/segments/{key}",
                    {"text": title if index == 0 else "Texto.", "revision": 0},
                    one, "editor autosave (JSON)")
    for decision in ("changes", "approve"):
        t.post(f"{desk}/submit", {"back": desk}, one, "submit form (review_waiting e-mail)")
        version_id = db.session.scalar(select(Version.id).where(
            Version.translation_id == translation_id).order_by(Version.number.desc()))
        if version_id is None:
            findings.report()  # nothing was submitted: the rest would only repeat it
        r.post(f"/desk/versions/{version_id}/decision",
               {"decision": decision, "comment": "Looks good.", "back": "/desk/"}, one,
               f"review form, {decision} (its e-mail)")
    c.post(f"/coordinate/statements/{statement_id}/release",
           {"versions": [str(version_id)], "when": "now"}, one,
           "release form (statement_published e-mail, translated title)")
    reader = Visitor(app, findings)
    reader.get("/es/statements/longest", one, "statement page (es)")
    feed = reader.get("/es/feed.atom", one)
    publication = db.session.scalar(select(Publication).where(
        Publication.statement_id == statement_id, Publication.language_tag == "es"))
    if publication is not None:
        if len(publication.title) > TITLE_MAX:
            findings.add("publication title (es)", one, f"{len(publication.title)} characters:"
                                                        f" the column holds {TITLE_MAX}")
        findings.check_feed("/es/feed.atom", feed,
                            {"longest": (number, title, publication.title)})
    findings.check_outbox(db.session, [(kind, number, title) for kind in (
        "review_waiting", "changes_requested", "version_approved", "statement_published")])
    findings.report()
