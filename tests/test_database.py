"""Engine set-up and settings that must hold on every machine."""

import logging
import os
import stat

from sqlalchemy import create_engine, event, text

from portal.config import load_secret_key
from portal.database import configure_sqlite


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    configure_sqlite(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    engine.dispose()


def test_writing_transactions_take_the_write_lock_up_front(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'locks.sqlite3'}")
    configure_sqlite(engine)
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    with engine.begin() as connection:  # outside a request: CLI, tests, workers
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert statements[0] == "BEGIN IMMEDIATE"


def test_secret_key_is_generated_once_privately_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with caplog.at_level(logging.WARNING):
        first = load_secret_key(str(tmp_path))
    assert "SECRET_KEY is not set" in caplog.text
    assert len(first) == 64
    assert load_secret_key(str(tmp_path)) == first
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_postgresql_sessions_start_no_parallel_workers(app):
    """Parallel workers cost more to start than a page's query takes (PostgreSQL only)."""
    from portal.extensions import db

    with app.app_context():
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        if db.engine.dialect.name != "postgresql":
            assert "connect_args" not in options  # SQLite's driver would refuse them
            return
        with db.engine.connect() as connection:
            assert connection.execute(text("SHOW max_parallel_workers_per_gather")).scalar() \
                == "0"
