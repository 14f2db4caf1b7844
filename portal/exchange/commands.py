"""`flask portal import`, `export` and `backup`: an archive in and out, a copy kept safe."""

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.exchange.archive import (
    ArchiveError,
    export_archive,
    import_documents,
    read_archive,
)
from portal.extensions import db


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be created; change nothing.")
@click.option("--language", default=None,
              help="The language of WordPress posts that name none (default: DEFAULT_LANGUAGE).")
@with_appcontext
def import_command(path, dry_run, language):
    """Import statements: a folder or ZIP of Markdown with front matter, or a WordPress WXR."""
    try:
        documents, problems = read_archive(
            path, language or current_app.config["DEFAULT_LANGUAGE"])
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    report = import_documents(documents, path.name)
    verb = "Would create" if dry_run else "Created"
    for slug, languages in report.created:
        click.echo(f"{verb} {slug}: {', '.join(languages)}")
    for slug, language in report.not_mirrored:
        click.echo(f"  {slug} ({language}) does not follow its source block for block: "
                   "published as it is; its translation stays open in the queue.")
    for slug in report.existing:
        click.echo(f"Already here, left alone: {slug}")
    for problem in [*problems, *report.problems]:
        click.echo(f"Not imported: {problem}", err=True)
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: {len(report.created)} statement(s) would be created; "
                   "nothing was changed.")
    else:
        db.session.commit()
        click.echo(f"{len(report.created)} statement(s) created, "
                   f"{len(report.existing)} already here.")


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(path):
    """Write every statement in every published language as Markdown files in a ZIP."""
    data, count = export_archive()
    path.write_bytes(data)
    click.echo(f"{count} text(s) written to {path}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path):
    """Copy the SQLite database consistently while the portal serves (PostgreSQL: pg_dump)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "This portal runs on PostgreSQL: back it up with pg_dump, for example\n"
            "  pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"\n"
            "and restore with pg_restore (see docs/deploy.md).")
    if not url.database or url.database == ":memory:":
        raise click.ClickException("This database lives in memory: there is nothing to copy.")
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file name.")
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        # The backup API copies a consistent snapshot; in WAL mode writers go on meanwhile.
        source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"The database was copied to {path}.")


COMMANDS = [import_command, export_command, backup_command]
