"""Each workflow transition takes effect once, however many processes perform it at once.

People double-click, keep two tabs open, or press the same button as a colleague at the
same moment, and the portal serves them from several worker processes. Here real OS
processes each sign in through the login form, open the page the form lives on, wait for
one another and post that form at the same instant. Exactly one post may change anything;
the others must be told, without an error page, what already happened.

Each test runs against a database of its own with real commits: a SQLite file always, and
a fresh PostgreSQL database too when the suite runs on one.
"""

import functools
import html
import multiprocessing
import os
import queue
import re
import traceback
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models import (
    Correction,
    DeadlineReminder,
    DraftSegment,
    Language,
    LanguageSkill,
    Organization,
    OutboxMessage,
    Publication,
    Release,
    Review,
    ReviewDecision,
    Role,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    utcnow,
)
from portal.workflow import (
    approve_version,
    claim_translation,
    create_statement,
    submit_translation,
)
from tests.conftest import fresh_postgresql_database

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "migrations")
PASSWORD = "correct horse battery"
MAX_CLAIMS = 3
# Starting a spawned interpreter takes a second or two of CPU; on two cores a batch of
# eight needs a while before all of them reach the barrier.
START_TIMEOUT = 120
BODY = (
    "Migrant workers keep whole economies running.\n\n"
    "## Our demands\n\n"
    "- Decent jobs at home\n- An end to deportations\n\n"
    "We call on everyone to join the actions."
)
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Flashed messages and form errors, as base.html and the coordinators' macros render them.
_MESSAGE = re.compile(r'<p class="(?:flash flash-(\w+)|field-error)"[^>]*>(.*?)</p>', re.S)
_REDIRECTS = {301, 302, 303, 307, 308}


# --- databases ----------------------------------------------------------------------------

def _dialects() -> list[str]:
    server = os.environ.get("TEST_DATABASE_URL", "")
    return ["sqlite", "postgresql"] if server.startswith("postgresql") else ["sqlite"]


def _settings(url: str) -> dict:
    """The configuration of the parent's app and of every worker's: one portal, many processes."""
    return {
        "TESTING": True,
        "SECRET_KEY": "concurrency",
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": "portal.test",
        "PORTAL_URL": "http://portal.test",
        "RATELIMIT_ENABLED": False,  # every worker signs in from the same address
        # A crash answers 500 with the error page, as in production, instead of raising in
        # the test client: the status is what the person sees and what the tests count.
        "PROPAGATE_EXCEPTIONS": False,
        "MAX_CLAIMS": MAX_CLAIMS,
    }


@pytest.fixture(params=_dialects())
def portal_app(request, tmp_path, monkeypatch):
    """The parent's app on a migrated database of this test's own, with English and Spanish.

    The parent prepares each scenario and counts what the workers left; the workers build
    their own app on the same database.
    """
    # Inherited by the spawned workers, so no process writes an instance folder elsewhere.
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "postgresql":
        url = fresh_postgresql_database(os.environ["TEST_DATABASE_URL"], "concurrency")
    else:
        url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
    # Rate limits stay on here: the limiter is shared, and this app never serves a request.
    app = create_app({**_settings(url), "RATELIMIT_ENABLED": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.session.add_all([Language(tag="en"), Language(tag="es")])
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_shared_session(request):
    # The workers commit for real: the rolled-back session of the `db` fixture would hide it.
    assert "db" not in request.fixturenames


# --- people and content, made in the parent -----------------------------------------------

@functools.cache
def _password_hash() -> str:
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def _person(email: str, role: Role = Role.TRANSLATOR, translates=(), reviews=()) -> User:
    person = User(email=email, display_name=email.split("@")[0].title(), role=role,
                  password_hash=_password_hash())
    person.skills = [LanguageSkill(language_tag=tag, can_translate=tag in translates,
                                   can_review=tag in reviews)
                     for tag in {*translates, *reviews}]
    db.session.add(person)
    db.session.commit()  # the workflow checks `active`, which is set when inserted
    return person


def _statement(slug: str) -> Statement:
    statement = create_statement(None, slug=slug, source_language="en",
                                 statement_date=date(2026, 12, 18), title=f"Statement {slug}",
                                 summary="Who acts first?", body=BODY, target_languages=["es"])
    db.session.commit()
    return statement


def _spanish(statement: Statement) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == "es"))


def _drafted_claim(translator: User, translation: Translation) -> dict[str, str]:
    """Claim the translation and draft every paragraph; returns the drafts by segment key."""
    claim_translation(translator, translation)
    texts = {segment.key: f"[es] {segment.text}"
             for segment in translation.statement.current_revision.segments}
    db.session.add_all([DraftSegment(translation_id=translation.id, segment_key=key, text=value,
                                     revision=1, updated_by_id=translator.id)
                        for key, value in texts.items()])
    db.session.commit()
    return texts


def _version_in_review(translator: User, translation: Translation) -> Version:
    _drafted_claim(translator, translation)
    version = submit_translation(translator, translation)
    db.session.commit()
    return version


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


# --- the workers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    """One person's form: who signs in, the page the form is on, where it posts, what."""

    email: str
    page: str
    action: str
    data: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """What one browser got back: status, redirect target, messages as (category, text).

    `crash` describes a request that failed even to render the error page; `error`, a
    failure of the test's own set-up in the worker (signing in, opening the page).
    """

    post: Post
    status: int = 0
    location: str = ""
    messages: list = field(default_factory=list)
    crash: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return any(category == "success" for category, _ in self.messages)

    def says(self, words: str) -> bool:
        return any(words.casefold() in message.casefold() for _, message in self.messages)

    def __str__(self) -> str:
        told = "; ".join(f"{category}: {message}" for category, message in self.messages)
        return f"{self.status} {self.location or '(no redirect)'} " \
            f"{told or self.crash or '(no message)'}"

    __repr__ = __str__  # short in pytest's explanations too


def _told(outcomes: list[Outcome]) -> str:
    """What every browser got, one line each: pytest would cut a list's repr short."""
    return "\n".join(str(outcome) for outcome in outcomes)


def _csrf_token(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    match = _CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def _sign_in(client, email: str) -> None:
    token = _csrf_token(client, "/account/login")
    response = client.post("/account/login", data={
        "email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code in _REDIRECTS, \
        f"signing in as {email} answered {response.status_code}"


def _page_messages(page: str) -> list[tuple[str, str]]:
    return [(category or "error", html.unescape(re.sub(r"<[^>]+>", "", inner)).strip())
            for category, inner in _MESSAGE.findall(page)]


def _outcome(client, post: Post, response) -> Outcome:
    """The response and what it told the person, whether redirected or shown at once."""
    outcome = Outcome(post, response.status_code, response.headers.get("Location", ""))
    if response.status_code in _REDIRECTS:
        # The messages wait in the session for the page the browser goes to next; taking
        # them out, as that page would, keeps them from mixing with a later response's.
        with client.session_transaction() as session:
            outcome.messages = [(category, str(message))
                                for category, message in session.pop("_flashes", [])]
    else:
        outcome.messages = _page_messages(response.get_data(as_text=True))
    return outcome


def _submit(client, post: Post, token: str) -> Outcome:
    """Post the form as the browser would, and note what came back."""
    try:
        response = client.post(post.action, data={**post.data, "csrf_token": token})
    except Exception as error:  # noqa: BLE001 - the person gets a 500, the test counts it
        # Even the error page failed to render: a WSGI server answers such a request with
        # a bare 500.
        first_line = str(error).splitlines()[0] if str(error) else ""
        return Outcome(post, 500, crash=f"{type(error).__name__}: {first_line}")
    return _outcome(client, post, response)


def _browser(url: str, post: Post, start, results) -> None:
    """A worker process: one person's browser, with an app and connections of its own."""
    try:
        client = create_app(_settings(url)).test_client()
        _sign_in(client, post.email)
        token = _csrf_token(client, post.page)
        start.wait(timeout=START_TIMEOUT)
        results.put(_submit(client, post, token))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        start.abort()  # nobody else waits for a process that will never arrive
        results.put(Outcome(post, error=traceback.format_exc()))


def _all_at_once(app, posts: list[Post]) -> list[Outcome]:
    """Post every form from a process of its own, all released by one barrier."""
    outcomes = _in_processes(app, _browser, posts)
    broken = [outcome.error for outcome in outcomes if outcome.error]
    # The first error is the cause; the others are usually the barrier it broke.
    assert not broken, "\n".join(broken)
    return outcomes


def _in_processes(app, worker, tasks: list) -> list:
    """Run `worker(url, task, start, results)` for each task in a process of its own,
    all released by one barrier; what each put in `results`."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # Spawned, not forked: a fork would share the parent's open database connections.
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(tasks))
    results = context.Queue()
    processes = [context.Process(target=worker, args=(url, task, start, results))
                 for task in tasks]
    try:
        for process in processes:
            process.start()
        try:
            outcomes = [results.get(timeout=START_TIMEOUT + 60) for _ in processes]
        except queue.Empty:
            pytest.fail(f"a worker never reported; exit codes "
                        f"{[process.exitcode for process in processes]}")
        for process in processes:
            process.join(timeout=30)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join()
    return outcomes


# --- the scenarios ------------------------------------------------------------------------

def test_submitting_at_once_makes_one_version(portal_app):
    """Eight simultaneous submits of one translation make one version; the rest hear so."""
    with portal_app.app_context():
        claimant = _person("claimant@example.org", translates=["es"])
        reviewer = _person("reviewer@example.org", reviews=["es"])
        translation = _spanish(_statement("submit"))
        texts = _drafted_claim(claimant, translation)
        editor = f"/desk/translations/{translation.id}"
        # The whole editor form, as the browser sends it: every box, unchanged.
        form = {"back": editor} | {f"text-{key}": value for key, value in texts.items()} \
            | {f"revision-{key}": "1" for key in texts}
        post = Post(claimant.email, editor, f"{editor}/submit", form)
        translation_id, reviewer_email = translation.id, reviewer.email

    outcomes = _all_at_once(portal_app, [post] * 8)

    with portal_app.app_context():
        translation = db.session.get(Translation, translation_id)
        assert len(translation.versions) == 1, _told(outcomes)
        assert translation.state == TranslationState.IN_REVIEW, _told(outcomes)
        # The reviewer is asked once, not once per click.
        assert _count(OutboxMessage, OutboxMessage.recipient == reviewer_email,
                      OutboxMessage.kind == "review_waiting") == 1, _told(outcomes)
    assert [outcome.status for outcome in outcomes] == [303] * 8, _told(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == 1, _told(outcomes)
    repeats = [outcome for outcome in outcomes if not outcome.succeeded]
    # The claimant did submit: a repeat must not read as if the translation were not theirs.
    assert all(outcome.says("already") for outcome in repeats), _told(repeats)
    assert not any(outcome.says("Only the person who claimed") for outcome in repeats), \
        _told(repeats)


def test_deciding_at_once_records_one_review(portal_app):
    """Four reviewers in two tabs each approve or send back one version: one decision stands."""
    with portal_app.app_context():
        author = _person("author@example.org", translates=["es"])
        reviewers = [_person(f"reviewer{number}@example.org", reviews=["es"])
                     for number in range(4)]
        version = _version_in_review(author, _spanish(_statement("decision")))
        page = f"/desk/versions/{version.id}"
        approve = {"back": page, "decision": "approve", "comment": ""}
        changes = {"back": page, "decision": "changes",
                   "comment": "The list items read like a telegram."}
        posts = [Post(reviewers[number % 4].email, page, f"{page}/decision",
                      approve if number % 2 else changes) for number in range(8)]
        version_id, author_id, author_email = version.id, author.id, author.email

    outcomes = _all_at_once(portal_app, posts)

    with portal_app.app_context():
        reviews = db.session.scalars(select(Review).where(Review.version_id == version_id)).all()
        assert len(reviews) == 1, _told(outcomes)
        translation = db.session.get(Version, version_id).translation
        if reviews[0].decision == ReviewDecision.APPROVED:
            assert translation.state == TranslationState.APPROVED
            assert translation.claimed_by_id is None
        else:
            # Sent back: the author holds the claim again, to work on the comment.
            assert translation.state == TranslationState.IN_PROGRESS
            assert translation.claimed_by_id == author_id
        # The author hears the verdict once.
        assert _count(OutboxMessage, OutboxMessage.recipient == author_email) == 1, \
            _told(outcomes)
        decided = (reviews[0].reviewer.email,
                   "approve" if reviews[0].decision == ReviewDecision.APPROVED else "changes")
    assert [outcome.status for outcome in outcomes] == [303] * 8, _told(outcomes)
    winners = [outcome for outcome in outcomes if outcome.succeeded]
    assert len(winners) == 1, _told(outcomes)
    # Whoever is told "you decided" is the reviewer whose decision was recorded.
    assert (winners[0].post.email, winners[0].post.data["decision"]) == decided
    repeats = [outcome for outcome in outcomes if not outcome.succeeded]
    assert all(outcome.says("already") for outcome in repeats), _told(repeats)


def _release_scenario(slug: str) -> tuple[Post, int, str]:
    """A statement with an approved Spanish version, an organization that needs Spanish."""
    coordinator = _person(f"coordinator-{slug}@example.org", role=Role.COORDINATOR)
    author = _person(f"author-{slug}@example.org", translates=["es"])
    reviewer = _person(f"reviewer-{slug}@example.org", reviews=["es"])
    statement = _statement(slug)
    version = _version_in_review(author, _spanish(statement))
    approve_version(reviewer, version)
    organization = Organization(name=f"Migrantes {slug}", country="MX",
                                contact_email=f"office-{slug}@example.org",
                                languages=[db.session.get(Language, "es")])
    db.session.add(organization)
    db.session.commit()
    page = f"/coordinate/statements/{statement.id}/release"
    # The release page's form as it comes: the approved version ticked, "now", a note.
    form = {"versions": [str(version.id)], "when": "now", "release_at": "",
            "note": "For the International Migrants Day."}
    return Post(coordinator.email, page, page, form), statement.id, organization.contact_email


def _assert_released_once(statement_id: int, office: str) -> None:
    assert _count(Release, Release.statement_id == statement_id) == 1
    tags = db.session.scalars(select(Publication.language_tag).where(
        Publication.statement_id == statement_id).order_by(Publication.language_tag)).all()
    assert tags == ["en", "es"]
    # Member organizations get one announcement, not one per click.
    assert _count(OutboxMessage, OutboxMessage.recipient == office) == 1


def test_releasing_at_once_publishes_once(portal_app):
    """Six simultaneous releases of one statement publish it once and e-mail members once."""
    with portal_app.app_context():
        post, statement_id, office = _release_scenario("release")

    outcomes = _all_at_once(portal_app, [post] * 6)

    with portal_app.app_context():
        releases = _count(Release, Release.statement_id == statement_id)
        emails = _count(OutboxMessage, OutboxMessage.recipient == office)
        assert (releases, emails) == (1, 1), _told(outcomes)
        _assert_released_once(statement_id, office)
    assert not [outcome for outcome in outcomes if outcome.status >= 500], _told(outcomes)
    assert not [outcome for outcome in outcomes if outcome.status == 403], _told(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == 1, _told(outcomes)
    repeats = [outcome for outcome in outcomes if not outcome.succeeded]
    assert all(outcome.says("already") for outcome in repeats), _told(repeats)


def test_claiming_at_once_respects_the_claim_limit(portal_app):
    """One volunteer claims six translations at once: they end up holding the limit, no more."""
    with portal_app.app_context():
        volunteer = _person("volunteer@example.org", translates=["es"])
        translations = [_spanish(_statement(f"claim-{number}")) for number in range(6)]
        posts = [Post(volunteer.email, f"/desk/translations/{translation.id}/claim",
                      f"/desk/translations/{translation.id}/claim",
                      {"back": f"/desk/translations/{translation.id}/claim"})
                 for translation in translations]
        volunteer_id = volunteer.id

    outcomes = _all_at_once(portal_app, posts)

    with portal_app.app_context():
        held = _count(Translation, Translation.claimed_by_id == volunteer_id,
                      Translation.state == TranslationState.IN_PROGRESS)
        assert held == MAX_CLAIMS, _told(outcomes)
    assert [outcome.status for outcome in outcomes] == [303] * 6, _told(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == MAX_CLAIMS, _told(outcomes)
    refused = [outcome for outcome in outcomes if not outcome.succeeded]
    assert all(outcome.messages for outcome in refused), _told(refused)


def test_pressing_release_twice_publishes_once(portal_app):
    """The release form posted twice in a row publishes once; the second press hears so."""
    with portal_app.app_context():
        post, statement_id, office = _release_scenario("twice")
    client = portal_app.test_client()
    _sign_in(client, post.email)
    token = _csrf_token(client, post.page)

    first = _submit(client, post, token)
    second = _submit(client, post, token)  # the same form, the same token: a second press

    assert first.status == 303 and first.succeeded, str(first)
    assert second.status < 500 and second.status != 403, str(second)
    assert not second.succeeded and second.says("already"), str(second)
    with portal_app.app_context():
        _assert_released_once(statement_id, office)


def test_opening_a_correction_at_once_opens_one(portal_app):
    """Two reviewers, three tabs each, open a correction of one published translation."""
    with portal_app.app_context():
        post, statement_id, _office = _release_scenario("correction")
        reviewers = [_person(f"corrector{number}@example.org", reviews=["es"])
                     for number in range(2)]
        translation_id = _spanish(db.session.get(Statement, statement_id)).id
        page = f"/desk/translations/{translation_id}/correction"
        posts = [Post(reviewers[number % 2].email, page, page,
                      {"segment": "", "note": "“Migrantes” should be “personas migrantes”."})
                 for number in range(6)]
    client = portal_app.test_client()  # released: the Spanish translation is published
    _sign_in(client, post.email)
    assert _submit(client, post, _csrf_token(client, post.page)).succeeded

    outcomes = _all_at_once(portal_app, posts)

    with portal_app.app_context():
        assert _count(Correction, Correction.translation_id == translation_id) == 1, \
            _told(outcomes)
        translation = db.session.get(Translation, translation_id)
        assert translation.state == TranslationState.QUEUED, _told(outcomes)
    assert [outcome.status for outcome in outcomes] == [303] * 6, _told(outcomes)
    assert sum(outcome.succeeded for outcome in outcomes) == 1, _told(outcomes)
    repeats = [outcome for outcome in outcomes if not outcome.succeeded]
    assert all(outcome.says("already open") for outcome in repeats), _told(repeats)


def _reminders_run(url: str, _task, start, results) -> None:
    """A worker process: `flask portal remind`, as a timer on one server would start it."""
    try:
        app = create_app(_settings(url))
        runner = app.test_cli_runner()
        start.wait(timeout=START_TIMEOUT)
        result = runner.invoke(args=["portal", "remind"])
        results.put((result.exit_code, result.output + (
            "".join(traceback.format_exception(result.exception)) if result.exception else "")))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
        start.abort()
        results.put((-1, traceback.format_exc()))


def test_reminding_at_once_sends_each_reminder_once(portal_app):
    """Four overlapping reminder runs (two timers, a manual run) queue each e-mail once."""
    with portal_app.app_context():
        coordinators = [_person(f"coordinator{number}@example.org", role=Role.COORDINATOR)
                        for number in range(2)]
        claimant = _person("claimant@example.org", translates=["es"])
        due = _statement("due-tomorrow")
        translation = _spanish(due)
        claim_translation(claimant, translation)
        now = utcnow()
        due.deadline = now + timedelta(hours=12)  # the claimant hears a day ahead
        translation.claim_expires_at = now + timedelta(hours=6)  # and that the claim ends
        late = _statement("late")
        late.deadline = now - timedelta(hours=1)  # coordinators hear that Spanish is late
        db.session.commit()
        claimant_email = claimant.email
        coordinator_emails = [person.email for person in coordinators]

    runs = _in_processes(portal_app, _reminders_run, [None] * 4)

    told = "\n".join(output for _code, output in runs)
    assert [code for code, _output in runs] == [0] * 4, told
    with portal_app.app_context():
        for kind in ("claim_expiring", "deadline_soon"):
            assert _count(OutboxMessage, OutboxMessage.recipient == claimant_email,
                          OutboxMessage.kind == kind) == 1, f"{kind}\n{told}"
        for email in coordinator_emails:
            assert _count(OutboxMessage, OutboxMessage.recipient == email,
                          OutboxMessage.kind == "deadline_passed") == 1, f"{email}\n{told}"
        assert _count(DeadlineReminder) == 2
    queued = sorted(int(output.split()[0]) for _code, output in runs)
    assert queued == [0, 0, 0, 4], told  # one run queued all four e-mails
