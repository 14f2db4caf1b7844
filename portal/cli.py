"""`flask portal …` commands: demo content, accounts, languages."""

import secrets
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.benchdata import bench_data_command
from portal.exchange.commands import COMMANDS as exchange_commands
from portal.extensions import db
from portal.models import Language, LanguageSkill, Role, Statement, User
from portal.models.languages import InvalidLanguageTag, autonym, canonical_tag
from portal.visibility import content_changed

portal_cli = AppGroup("portal", help="Statement Portal commands.")


def _canonical_or_fail(raw: str) -> str:
    try:
        return canonical_tag(raw)
    except InvalidLanguageTag:
        raise click.BadParameter(f"'{raw}' is not a language tag CLDR knows.") from None


@portal_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database with no statements.")
def demo_command(if_empty):
    """Load demo statements, organizations and accounts (safe to run again)."""
    from portal.demo import ACCOUNTS, load_demo

    if if_empty and db.session.scalar(select(Statement.id).limit(1)) is not None:
        click.echo("The database already has statements; the demo was not loaded.")
    else:
        load_demo()
        db.session.commit()
        click.echo("Demo content is loaded.")
    click.echo("Demo accounts (where they exist):")
    for account in ACCOUNTS:
        click.echo(f"  {account.role.value:<12} {account.email:<26} {account.password}")


@portal_cli.command("add-language")
@click.argument("tag")
def add_language_command(tag):
    """Enable a language (a BCP 47 tag such as es, ar, pt-BR, zh-Hans)."""
    tag = _canonical_or_fail(tag)
    language = db.session.get(Language, tag)
    if language is None:
        db.session.add(Language(tag=tag))
    else:
        language.enabled = True
    content_changed()  # the language switcher and sitemaps change
    db.session.commit()
    click.echo(f"{tag} ({autonym(tag)}) is enabled.")


@portal_cli.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--languages", default="", help="Comma-separated tags, e.g. es,fr.")
@click.option("--name", default=None, help="Display name (defaults to the e-mail's name).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email, role, languages, name, password_stdin):
    """Create an account; reviewers review the languages they translate."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("an e-mail address needs an @.", param_hint="EMAIL")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise click.ClickException(f"An account for {email} already exists.")
    tags = [_canonical_or_fail(raw) for raw in languages.split(",") if raw.strip()]
    missing = [tag for tag in tags if db.session.get(Language, tag) is None]
    if missing:
        raise click.ClickException(
            f"Not set up: {', '.join(missing)}. Enable with: flask portal add-language TAG"
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 10:
            raise click.ClickException("The password must have at least 10 characters.")
    else:
        password = secrets.token_urlsafe(12)
    user = User(email=email, display_name=name or email.split("@")[0], role=Role(role))
    user.set_password(password)
    user.skills = [
        LanguageSkill(language_tag=tag, can_translate=True, can_review=role != Role.TRANSLATOR)
        for tag in tags
    ]
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}" + (f" ({', '.join(tags)})" if tags else "") + ".")
    if not password_stdin:
        click.echo(f"Password: {password}")


def _queue_reminders() -> int:
    """Queue every reminder that is due and commit them; how many e-mails were queued.

    A run that overlaps another (two timers, a manual run) waits for it and then finds
    its reminders recorded. Should a reminder be recorded anyway meanwhile (the unique
    deadline key), this run queues nothing and leaves the reminders to the other.
    """
    from sqlalchemy.exc import IntegrityError

    from portal.workflow import remind_expiring_claims
    from portal.workflow.locks import run_alone
    from portal.workflow.reminders import remind_deadlines

    try:
        run_alone("reminders")
        reminded = remind_expiring_claims() + remind_deadlines()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        reminded = 0
    _compact_tallies()
    return reminded


def _compact_tallies() -> None:
    """Fold the progress page's tallies (housekeeping that rides on the same timer)."""
    from portal.workflow.tallies import compact_tallies

    compact_tallies()
    db.session.commit()


@portal_cli.command("remind")
def remind_command():
    """Queue due reminders (claims ending, deadlines) once each; safe to run every few minutes.

    It also folds the progress totals' tallies, as send-mail does.
    """
    click.echo(f"{_queue_reminders()} reminder(s) queued.")


@portal_cli.command("send-mail")
def send_mail_command():
    """Queue due reminders, then send waiting e-mails (for a timer every few minutes)."""
    from portal.notifications import deliver_outbox

    reminded = _queue_reminders()  # committed: kept even if delivery stops half-way
    sent, failed = deliver_outbox()
    db.session.commit()
    click.echo(f"{reminded} reminder(s) queued; {sent} e-mail(s) sent, {failed} failed.")


# A realistic archive for the benchmarks (bench/, docs/performance.md).
portal_cli.add_command(bench_data_command)

# An archive in and out, and a copy of the database (portal/exchange/commands.py).
for _command in exchange_commands:
    portal_cli.add_command(_command)
