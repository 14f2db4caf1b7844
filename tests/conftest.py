"""Fixtures: one migrated database per run, each test rolled back; factories for content.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another one
(CI runs the suite once more against PostgreSQL).
"""

import functools
import itertools
import os
import re
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal import create_app
from portal.caching import cache, forget_state
from portal.extensions import db as _db
from portal.extensions import limiter
from portal.models import (
    Language,
    LanguageSkill,
    Review,
    ReviewDecision,
    Role,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    VersionSegment,
    utcnow,
)
from portal.workflow import create_statement, release_statement

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "migrations")


def _empty_database(url: str) -> None:
    """Drop whatever an earlier run left in a server database."""
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_postgresql_database(server: str, suffix: str) -> str:
    """A new, empty PostgreSQL database beside the suite's, for tests with real commits."""
    url = make_url(server)
    name = f"{url.database}_{suffix}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _empty_database(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.sqlite3")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.setdefault("PORTAL_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "portal.test",
        "PORTAL_URL": "http://portal.test",
        "STATEMENTS_PER_PAGE": 5,
    })
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db_connection(app):
    """One connection inside a transaction that is rolled back after the test."""
    with app.app_context():
        connection = _db.engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def db(db_connection):
    """The extension, its session bound to the test's connection.

    No application context stays pushed: each request of the test client gets its own,
    as in production, so nothing in `g` leaks from one request to the next.
    """
    # A plain Session: Flask-SQLAlchemy's own would pick the engine over this bind.
    session = scoped_session(
        sessionmaker(bind=db_connection, join_transaction_mode="create_savepoint",
                     expire_on_commit=False)
    )
    original, _db.session = _db.session, session
    try:
        yield _db
    finally:
        session.remove()
        _db.session = original


_addresses = itertools.count(1)


@pytest.fixture
def client(app, db):
    """A browser of its own, and rate limits counted afresh: each test is a new world."""
    with app.app_context():
        limiter.reset()  # per-account counts would otherwise carry over between tests
        cache.clear()  # rolled-back tests repeat content generations: no page may carry over
        forget_state()  # nor the readers' state this process remembers
    client = app.test_client()
    number = next(_addresses)
    client.environ_base["REMOTE_ADDR"] = f"10.0.{number // 250}.{number % 250 + 1}"
    return client


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture
def count_queries(db, db_connection):
    """Count the SQL statements run inside a `with count_queries() as counter:` block.

    The readers' state is read afresh at the start, so that counts do not depend on how
    long the set-up took (it is remembered for a second); `remembered=True` keeps it.
    """

    class Counter:
        def __init__(self, remembered: bool = False):
            self.statements: list[str] = []
            self.remembered = remembered

        def __enter__(self):
            if not self.remembered:
                forget_state()
            event.listen(db_connection, "before_cursor_execute", self._record)
            return self

        def __exit__(self, *exc):
            event.remove(db_connection, "before_cursor_execute", self._record)

        def _record(self, _conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                self.statements.append(statement)

        @property
        def count(self) -> int:
            return len(self.statements)

    return Counter


@functools.cache
def _password_hash() -> str:
    # scrypt is slow on purpose; hash the factories' one password once per run.
    user = User()
    user.set_password(Factory.PASSWORD)
    return user.password_hash


class Factory:
    """Builds languages, people and statements the way the workflow would.

    Each method commits, as a view would: the test's outer transaction still rolls it all
    back, but a request's end (which closes the session) no longer discards it.
    """

    BODY = (
        "The first paragraph of the statement, about migrant workers' rights.\n\n"
        "## Our demands\n\n"
        "- Decent jobs at home\n- An end to deportations\n\n"
        "> We are workers, not commodities.\n\n"
        "The last paragraph calls on everyone to join the actions."
    )

    PASSWORD = "correct horse battery"

    def __init__(self, session: Session):
        self.session = session
        self._count = 0
        self._volunteers: dict[tuple[str, str], User] = {}

    def language(self, tag: str, enabled: bool = True) -> Language:
        language = self.session.get(Language, tag)
        if language is None:
            language = Language(tag=tag, enabled=enabled)
            self.session.add(language)
            self.session.commit()
        return language

    def user(self, role: Role = Role.TRANSLATOR, translates=(), reviews=(), **fields) -> User:
        self._count += 1
        user = User(email=fields.pop("email", f"person{self._count}@example.org"),
                    display_name=fields.pop("display_name", f"Person {self._count}"),
                    role=role, **fields)
        user.password_hash = _password_hash()
        for tag in {*translates, *reviews}:
            self.language(tag)
            user.skills.append(LanguageSkill(language_tag=tag, can_translate=tag in translates,
                                             can_review=tag in reviews))
        self.session.add(user)
        self.session.commit()
        return user

    def statement(self, slug: str | None = None, source: str = "en", targets=(),
                  title: str = "A statement on migrants' rights", summary: str | None = None,
                  body: str | None = None, statement_date: date | None = None) -> Statement:
        self._count += 1
        for tag in (source, *targets):
            self.language(tag)
        statement = create_statement(
            None, slug=slug or f"statement-{self._count}", source_language=source,
            statement_date=statement_date or date(2026, 1, 1) + timedelta(days=self._count),
            title=title, summary=summary or f"Summary number {self._count}.",
            body=body if body is not None else self.BODY, target_languages=list(targets),
        )
        self.session.commit()
        return statement

    def approved_version(self, statement: Statement, tag: str, texts: dict | None = None,
                         author: User | None = None) -> Version:
        """An approved version whose segments are the source's, marked with the tag."""
        translation = self.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id, Translation.language_tag == tag))
        if translation is None:
            translation = Translation(statement=statement, language_tag=self.language(tag).tag)
            self.session.add(translation)
        revision = statement.current_revision
        author = author or self._volunteer("translator", tag)
        reviewer = self._volunteer("reviewer", tag)
        number = len(translation.versions) + 1
        version = Version(number=number, source_revision=revision, created_by=author)
        version.segments = [
            VersionSegment(position=segment.position, segment_key=segment.key,
                           text=(texts or {}).get(segment.position, f"[{tag}] {segment.text}"))
            for segment in revision.segments
        ]
        translation.versions.append(version)
        self.session.add(Review(version=version, reviewer=reviewer,
                                decision=ReviewDecision.APPROVED))
        translation.state = TranslationState.APPROVED
        self.session.commit()
        return version

    def _volunteer(self, kind: str, tag: str) -> User:
        """One translator and one reviewer per language, shared by a test's versions."""
        if (kind, tag) not in self._volunteers:
            skills = {"translates": [tag]} if kind == "translator" else {"reviews": [tag]}
            self._volunteers[kind, tag] = self.user(**skills)
        return self._volunteers[kind, tag]

    def publish(self, statement: Statement, languages=(), release_at=None, texts=None):
        """Release the source and a version per language, by default a minute ago."""
        versions = [self.approved_version(statement, tag, (texts or {}).get(tag))
                    for tag in languages]
        release = release_statement(None, statement, versions,
                                    release_at or utcnow() - timedelta(minutes=1))
        self.session.commit()
        return release


@pytest.fixture
def make(db) -> Factory:
    return Factory(db.session)


_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`, as a browser would submit it."""
    html = client.get(url).get_data(as_text=True)
    match = _CSRF_FIELD.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, user: User, password: str = Factory.PASSWORD):
        token = csrf_token(self.client, "/account/login")
        return self.client.post("/account/login", data={
            "email": user.email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/account/profile")
        return self.client.post("/account/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


# The desk's people and statement, shared by the workflow tests (es, as the demo's).
@pytest.fixture
def translator(make):
    """A volunteer who translates es."""
    return make.user(translates=["es"], display_name="Ana Translator")


@pytest.fixture
def reviewer(make):
    """A volunteer who reviews es."""
    return make.user(reviews=["es"], display_name="Rita Reviewer")


@pytest.fixture
def statement(make):
    """A statement to be translated into es."""
    return make.statement(targets=["es"], title="Decent work for all")
