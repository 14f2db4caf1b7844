"""Twenty volunteers claim one translation at the same moment: exactly one wins.

This runs against a database of its own with real commits from real threads: a file
SQLite database always, and a fresh PostgreSQL database too when the suite runs on one.
"""

import os
import threading
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.models import Language, LanguageSkill, Role, Translation, TranslationState, User
from portal.workflow import ClaimLost, claim_translation, create_statement
from tests.conftest import fresh_postgresql_database

CLAIMANTS = 20
MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "migrations")


def _database_urls(tmp_path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'race.sqlite3'}"]
    server = os.environ.get("TEST_DATABASE_URL", "")
    if server.startswith("postgresql"):
        urls.append(fresh_postgresql_database(server, "claim_race"))
    return urls


def _prepare(app) -> tuple[int, list[int]]:
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.session.add_all([Language(tag="en"), Language(tag="es")])
        statement = create_statement(None, slug="race", source_language="en",
                                     statement_date=date(2026, 12, 18),
                                     title="Race", summary="Who wins?", body="One paragraph.",
                                     target_languages=["es"])
        people = []
        for number in range(CLAIMANTS):
            person = User(email=f"racer{number}@example.org", display_name=f"Racer {number}",
                          role=Role.TRANSLATOR, password_hash="unused")
            person.skills = [LanguageSkill(language_tag="es", can_translate=True)]
            people.append(person)
        db.session.add_all(people)
        db.session.commit()
        translation_id = db.session.scalar(select(Translation.id).where(
            Translation.statement_id == statement.id))
        return translation_id, [person.id for person in people]


def test_twenty_simultaneous_claims_have_exactly_one_winner(tmp_path):
    for url in _database_urls(tmp_path):
        _race(url)


def _race(url: str) -> None:
    pool = {"pool_size": CLAIMANTS} if url.startswith("postgresql") else {}
    app = create_app({"TESTING": True, "SECRET_KEY": "race", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": pool})
    translation_id, people = _prepare(app)
    start = threading.Barrier(CLAIMANTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim(person_id: int) -> None:
        with app.app_context():
            person = db.session.get(User, person_id)
            translation = db.session.get(Translation, translation_id)
            # End the loading transaction: on SQLite it holds the write lock.
            db.session.commit()
            start.wait(timeout=30)
            try:
                claim_translation(person, translation)
                db.session.commit()
                outcome = "won"
            except ClaimLost:
                db.session.rollback()
                outcome = "lost"
            except Exception as error:  # noqa: BLE001 - any other error fails the test
                db.session.rollback()
                outcome = f"error: {type(error).__name__}: {error}"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=claim, args=(person_id,)) for person_id in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["lost"] * (CLAIMANTS - 1) + ["won"], (url, outcomes)
    with app.app_context():
        translation = db.session.get(Translation, translation_id)
        assert translation.state == TranslationState.IN_PROGRESS
        assert translation.claimed_by_id in people
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_shared_session(request):
    # This test must not run inside the rolled-back session of the `db` fixture.
    assert "db" not in request.fixturenames
