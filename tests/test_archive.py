"""An archive in and out: `flask portal import`, `export` and `backup`, as run by hand.

The sample archives in tests/data/archive are written for these tests: a folder of
Markdown files with front matter, WordPress exports with Polylang and WPML language links,
and hostile exports that must be refused without being resolved.
"""

import re
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.demo import load_demo
from portal.extensions import db as _db
from portal.models import (
    AuditEvent,
    Language,
    Publication,
    Statement,
    Translation,
    TranslationState,
    User,
)
from portal.models.base import Base
from tests.conftest import MIGRATIONS

DATA = Path(__file__).parent / "data" / "archive"


def _all_rows(db) -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables}


def _publication(db, slug: str, tag: str) -> Publication:
    return db.session.scalar(select(Publication).join(Statement).where(
        Statement.slug == slug, Publication.language_tag == tag))


# --- Markdown -------------------------------------------------------------------------------

def test_a_markdown_folder_is_imported_once_and_dry_run_changes_nothing(runner, db):
    before = _all_rows(db)
    result = runner.invoke(args=["portal", "import", "--dry-run", str(DATA / "markdown")])
    assert result.exit_code == 0, result.output
    assert "Would create water-is-a-right: en, es, fr" in result.output
    assert "no-front-matter.md: no front matter" in result.output
    assert _all_rows(db) == before

    result = runner.invoke(args=["portal", "import", str(DATA / "markdown")])
    assert result.exit_code == 0, result.output
    assert "Created water-is-a-right: en, es, fr" in result.output
    statement = db.session.scalar(select(Statement).where(Statement.slug == "water-is-a-right"))
    assert statement.source_language_tag == "en"
    assert statement.statement_date.isoformat() == "2025-03-22"
    imported = db.session.scalar(select(User).where(User.email == "imported@portal.invalid"))
    assert statement.created_by_id == imported.id and not imported.active
    assert not imported.password_hash  # nobody signs in as the archive
    spanish = _publication(db, "water-is-a-right", "es")
    assert spanish.title == "El agua es un derecho, no una mercancía"
    assert "[la encuesta](https://example.org/water-survey)" in spanish.body
    assert spanish.version_id is not None  # block for block the source's: a real version
    states = dict(db.session.execute(select(Translation.language_tag, Translation.state)
                                     .where(Translation.statement_id == statement.id)).all())
    assert states["es"] == TranslationState.PUBLISHED
    # French does not follow the source block for block: published as written, still open.
    french = _publication(db, "water-is-a-right", "fr")
    assert french.body.startswith("Dans les camps de travail") and french.version_id is None
    assert states["fr"] == TranslationState.QUEUED
    assert "does not follow its source block for block" in result.output
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "statement.import"))
    assert event.statement_id == statement.id and event.actor_id == imported.id
    source = _publication(db, "water-is-a-right", "en")
    assert source.release.release_at.isoformat().startswith("2025-03-22T09:30")

    after = _all_rows(db)
    result = runner.invoke(args=["portal", "import", str(DATA / "markdown")])
    assert result.exit_code == 0, result.output
    assert "Already here, left alone: water-is-a-right" in result.output
    assert _all_rows(db) == after


def test_readers_see_an_imported_statement(runner, db, client):
    runner.invoke(args=["portal", "import", str(DATA / "markdown")])
    page = client.get("/es/statements/water-is-a-right").get_data(as_text=True)
    assert "El agua es un derecho" in page
    assert '<a href="https://example.org/water-survey"' in page
    assert client.get("/fr/statements/water-is-a-right").status_code == 200


# --- WordPress ------------------------------------------------------------------------------

def test_a_wordpress_export_with_polylang_links(runner, db):
    result = runner.invoke(args=["portal", "import", str(DATA / "wordpress" / "polylang.xml")])
    assert result.exit_code == 0, result.output
    assert "Created stop-the-raids: en, es" in result.output
    assert "Created classic-editor-post: en" in result.output
    slugs = set(db.session.scalars(select(Statement.slug)))
    assert not {"a-draft", "about", "alto-a-las-redadas"} & slugs  # drafts, pages, links
    english = _publication(db, "stop-the-raids", "en")
    assert english.title == "Stop the raids & detentions"
    assert english.summary == "The Alliance calls for an end to raids."
    assert "**workplaces**" in english.body
    assert "[our report](https://alliance.example.org/report)" in english.body
    assert "## Our demands" in english.body and "- Regularise *all* workers" in english.body
    for hostile in ("script", "alert", "iframe", "evil.example", "onclick", "steal", "<!--"):
        assert hostile not in english.body
    spanish = _publication(db, "stop-the-raids", "es")
    assert spanish.title == "Alto a las redadas y detenciones"
    assert spanish.version_id is not None
    assert spanish.release.release_at.isoformat().startswith("2025-06-02T10:00")
    classic = _publication(db, "classic-editor-post", "en")
    assert classic.summary == "The first paragraph, as the classic editor stores it."
    assert classic.body == "A second paragraph with *emphasis*."


def test_a_wordpress_export_with_wpml_links(runner, db):
    result = runner.invoke(args=["portal", "import", str(DATA / "wordpress" / "wpml.xml")])
    assert result.exit_code == 0, result.output
    statement = db.session.scalar(select(Statement).where(
        Statement.slug == "solidarite-travailleuses-domestiques"))
    assert statement.source_language_tag == "fr"  # as WPML says, though English is older
    english = _publication(db, statement.slug, "en")
    assert english.title == "Solidarity with domestic workers"


@pytest.mark.parametrize("name", ["hostile-xxe.xml", "hostile-laughs.xml"])
def test_hostile_wordpress_exports_are_refused_unresolved(runner, db, name):
    before = _all_rows(db)
    result = runner.invoke(args=["portal", "import", str(DATA / "wordpress" / name)])
    assert "document type declaration" in result.output and "line 2" in result.output
    assert "root:" not in result.output and "lollol" not in result.output
    assert _all_rows(db) == before


def test_a_post_quoting_a_doctype_in_its_content_is_no_hostile_file(runner, db, tmp_path):
    export = (DATA / "wordpress" / "polylang.xml").read_text().replace(
        "We march on Sunday.", "Pages begin with &lt;!DOCTYPE html&gt;. We march on Sunday.")
    export = export.replace("<p>A page, not a statement.</p>",
                            "<!DOCTYPE html><p>A page, not a statement.</p>")
    path = tmp_path / "quoting.xml"
    path.write_text(export)
    result = runner.invoke(args=["portal", "import", str(path)])
    assert result.exit_code == 0 and "Created stop-the-raids: en, es" in result.output
    assert "Pages begin with <!DOCTYPE html>." in _publication(db, "stop-the-raids", "en").body


def test_an_archive_zip_bomb_is_refused(runner, db, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big/en.md", "---\nslug: big\n---\n" + "a" * 6_000_000)
    result = runner.invoke(args=["portal", "import", str(bomb)])
    assert result.exit_code != 0 and "unpacks to too much" in result.output


# --- export, then import into an empty portal -------------------------------------------------

def _portal(path: Path):
    app = create_app({"TESTING": True, "SECRET_KEY": "archive-test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SERVER_NAME": "portal.test", "PORTAL_URL": "http://portal.test",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    return app


_ARTICLE = re.compile(r'<article class="statement".*?</article>', re.DOTALL)
_ALTERNATES = re.compile(r'<link rel="alternate" hreflang="[^"]+" href="[^"]+">')


def _what_readers_see(app) -> dict[str, object]:
    """Every reader page of every statement in every language, as readers get it."""
    seen = {}
    client = app.test_client()
    with app.app_context():
        tags = sorted(_db.session.scalars(select(Language.tag)))
        slugs = sorted(_db.session.scalars(select(Statement.slug)))
    for tag in tags:
        listing = client.get(f"/{tag}/").get_data(as_text=True)
        seen[f"/{tag}/"] = re.findall(r'href="(/[^"]+/statements/[^"]+)"', listing)
        for slug in slugs:
            response = client.get(f"/{tag}/statements/{slug}")
            page = response.get_data(as_text=True)
            article = _ARTICLE.search(page)
            seen[f"/{tag}/statements/{slug}"] = (
                response.status_code, article.group(0) if article else None,
                sorted(_ALTERNATES.findall(page)))
    return seen


def test_export_then_import_into_an_empty_portal_shows_readers_the_same(tmp_path):
    """The demo's archive, exported and imported elsewhere: every reader page the same."""
    first = _portal(tmp_path / "first.sqlite3")
    with first.app_context():
        load_demo()
        _db.session.commit()
    archive = tmp_path / "archive.zip"
    result = first.test_cli_runner().invoke(args=["portal", "export", str(archive)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert "migrants-day-2026/ar.md" in names
        text = opened.read("migrants-day-2026/es.md").decode()
        assert text.startswith("---\nslug: migrants-day-2026\ndate: 2026-12-18\n")

    second = _portal(tmp_path / "second.sqlite3")
    runner = second.test_cli_runner()
    # Languages set up with nothing published yet are the portal's settings, not content.
    for tag in ("zh-Hans", "ne"):
        assert runner.invoke(args=["portal", "add-language", tag]).exit_code == 0
    result = runner.invoke(args=["portal", "import", str(archive)])
    assert result.exit_code == 0, result.output
    expected = _what_readers_see(first)
    got = _what_readers_see(second)
    assert got.keys() == expected.keys()
    different = [url for url in expected if got[url] != expected[url]]
    assert not different, different
    visible = [url for url, value in expected.items()
               if isinstance(value, tuple) and value[0] == 200 and value[1]]
    assert len(visible) > 20
    # The embargoed statement came along, still embargoed.
    assert expected["/en/statements/climate-displacement-2026"][0] == 404
    with second.app_context():
        assert _db.session.scalar(select(Statement.id).where(
            Statement.slug == "climate-displacement-2026")) is not None
    # And importing again changes nothing.
    with second.app_context():
        before = _all_rows(_db)
    assert "6 already here" in runner.invoke(args=["portal", "import", str(archive)]).output
    with second.app_context():
        assert _all_rows(_db) == before


# --- backup -------------------------------------------------------------------------------------

def test_backup_while_a_writer_writes(tmp_path):
    """A consistent copy while another process's connection keeps committing."""
    path = tmp_path / "live.sqlite3"
    app = _portal(path)
    with app.app_context():
        load_demo()
        _db.session.commit()
    writer = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE ticks (n INTEGER PRIMARY KEY, pair INTEGER NOT NULL)")
    stop = threading.Event()
    written = []

    def write():
        number = 0
        while not stop.is_set():
            number += 1
            # Two rows per transaction: a consistent copy never holds half of one.
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO ticks (pair) VALUES (?)", (number,))
            writer.execute("INSERT INTO ticks (pair) VALUES (?)", (number,))
            writer.execute("COMMIT")
            written.append(number)
            time.sleep(0.001)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        copy = tmp_path / "copy.sqlite3"
        result = app.test_cli_runner().invoke(args=["portal", "backup", str(copy)])
        during = len(written)
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert result.exit_code == 0, result.output
    assert during >= 20
    backup = sqlite3.connect(copy)
    try:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = backup.execute("SELECT count(*), count(DISTINCT pair) FROM ticks").fetchone()
        assert rows[0] == 2 * rows[1] and rows[1] >= 20
        statements = backup.execute("SELECT count(*) FROM statements").fetchone()[0]
        assert statements == 6
    finally:
        backup.close()
    # The copy is a portal of its own.
    restored = create_app({"TESTING": True, "SECRET_KEY": "x", "SERVER_NAME": "portal.test",
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}",
                           "PORTAL_URL": "http://portal.test", "RATELIMIT_ENABLED": False})
    assert restored.test_client().get("/en/statements/migrants-day-2026").status_code == 200
    again = app.test_cli_runner().invoke(args=["portal", "backup", str(copy)])
    assert again.exit_code != 0 and "exists" in again.output


def test_backup_on_postgresql_explains_pg_dump():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SERVER_NAME": "portal.test",
                      "PORTAL_URL": "http://portal.test",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://portal@127.0.0.1:9/x"})
    result = app.test_cli_runner().invoke(args=["portal", "backup", "/tmp/never-written"])
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "pg_restore" in result.output
    assert not Path("/tmp/never-written").exists()
