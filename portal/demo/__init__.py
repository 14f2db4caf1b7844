"""Demo content: statements, member organizations and one account per role.

The statements' texts live in `content/<slug>/<language>.md`: a `# Title` line, a summary
paragraph, then the body. Translations mirror their source block for block.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.content import split_statement
from portal.extensions import db
from portal.models import (
    Language,
    LanguageSkill,
    Organization,
    Publication,
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
from portal.workflow import (
    claim_translation,
    create_statement,
    drafts_by_key,
    record_event,
    release_statement,
    report_problem,
    revise_source,
    save_draft_segment,
    submit_translation,
)

CONTENT = Path(__file__).parent / "content"
LANGUAGES = ["en", "es", "fr", "ar", "fil", "id", "pt-BR", "zh-Hans", "ne"]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    translates: tuple[str, ...] = ()
    reviews: tuple[str, ...] = ()


ACCOUNTS = [
    DemoAccount("admin@example.org", "Ada Admin", Role.ADMIN, "admin-demo-2026"),
    DemoAccount("coordinator@example.org", "Carmen Coordinator", Role.COORDINATOR,
                "coordinator-demo-2026", ("en", "es")),
    DemoAccount("reviewer@example.org", "Rosa Reviewer", Role.REVIEWER, "reviewer-demo-2026",
                ("es", "fr", "ar", "fil", "id", "pt-BR", "en"),
                ("es", "fr", "ar", "fil", "id", "pt-BR", "en")),
    DemoAccount("translator@example.org", "Tomas Translator", Role.TRANSLATOR,
                "translator-demo-2026", ("es", "fil", "id", "pt-BR", "en", "zh-Hans")),
    DemoAccount("amina@example.org", "Amina Volunteer", Role.TRANSLATOR, "amina-demo-2026",
                ("ar", "fr", "en")),
]

ORGANIZATIONS = [
    ("Samahan ng Manggagawang Migrante", "PH", ["fil", "en"]),
    ("Red de Trabajadoras del Hogar Migrantes", "ES", ["es"]),
    ("Collectif des Travailleurs Sans Papiers", "FR", ["fr", "ar"]),
    ("Serikat Buruh Migran Nusantara", "ID", ["id"]),
    ("Rede de Apoio ao Migrante", "BR", ["pt-BR"]),
    ("Migrant Workers Solidarity Network", "HK", ["en", "fil", "id", "zh-Hans"]),
    ("Migrant Domestic Workers Alliance", "LB", ["ar", "en"]),
    ("Kababayan Workers Centre", "CA", ["en", "fil", "fr"]),
    ("Coordinadora de Migrantes", "MX", ["es"]),
]


@dataclass(frozen=True)
class DemoStatement:
    slug: str
    source: str
    statement_date: date
    published: tuple[str, ...]  # translations released with the statement
    queued: tuple[str, ...] = ()  # targets still waiting for a volunteer
    embargo_days: int = 0  # > 0: released that many days after the demo is loaded
    guidance: str = ""  # the coordinators' notes for translators


STATEMENTS = [
    DemoStatement("migrants-day-2026", "en", date(2026, 12, 18),
                  ("es", "fr", "ar", "fil", "id", "pt-BR"), queued=("zh-Hans",),
                  guidance="A call to action for a wide public: keep it warm and direct. Keep "
                           "the Alliance's name in English; *migrant workers*, not "
                           "*migrants*, where the original says so."),
    DemoStatement("no-to-forced-labor-migration", "en", date(2026, 10, 9), ("es", "ar", "fil"),
                  queued=("fr", "id")),
    DemoStatement("solidaridad-trabajadoras-del-hogar", "es", date(2026, 6, 16),
                  ("en", "fr", "ar"), queued=("fil",)),
    DemoStatement("stop-deportations-now", "en", date(2026, 9, 1), ("es", "fr", "ar", "id"),
                  queued=("fil",)),
    DemoStatement("recruitment-fees-wage-theft", "fr", date(2026, 5, 1), ("en", "es", "ar")),
    DemoStatement("climate-displacement-2026", "en", date(2026, 12, 5), ("es", "ar"),
                  embargo_days=7),
]


def read_text(slug: str, language: str) -> tuple[str, str, str]:
    """(title, summary, body) of one demo file."""
    text = (CONTENT / slug / f"{language}.md").read_text(encoding="utf-8").strip()
    heading, _, rest = text.partition("\n\n")
    if not heading.startswith("# "):
        raise ValueError(f"{slug}/{language}.md must start with '# Title'")
    summary, _, body = rest.strip().partition("\n\n")
    return heading[2:].strip(), summary.strip(), body.strip()


def load_demo() -> None:
    """Create whatever part of the demo is missing; running it twice changes nothing."""
    for tag in LANGUAGES:
        if db.session.get(Language, tag) is None:
            db.session.add(Language(tag=tag))
    db.session.flush()
    accounts = {account.email: _ensure_account(account) for account in ACCOUNTS}
    for name, country, languages in ORGANIZATIONS:
        if db.session.scalar(select(Organization).where(Organization.name == name)) is None:
            db.session.add(Organization(
                name=name, country=country, contact_email=None,
                languages=[db.session.get(Language, tag) for tag in languages],
            ))
    loaded = []
    for plan in STATEMENTS:
        if db.session.scalar(select(Statement).where(Statement.slug == plan.slug)) is None:
            _load_statement(plan, accounts)
            loaded.append(plan.slug)
    if {"stop-deportations-now", "no-to-forced-labor-migration",
            "migrants-day-2026"} <= set(loaded):
        _load_work_in_progress(accounts)
    db.session.flush()


def _ensure_account(account: DemoAccount) -> User:
    user = db.session.scalar(select(User).where(User.email == account.email))
    if user is None:
        user = User(email=account.email, display_name=account.name, role=account.role)
        user.set_password(account.password)
        user.skills = [
            LanguageSkill(language_tag=tag, can_translate=True,
                          can_review=tag in account.reviews)
            for tag in account.translates
        ]
        db.session.add(user)
        db.session.flush()
    return user


def _translator_for(language: str, accounts: dict[str, User]) -> User:
    for account in ACCOUNTS:
        if account.role == Role.TRANSLATOR and language in account.translates:
            return accounts[account.email]
    raise LookupError(f"no demo translator for {language}")


def _load_statement(plan: DemoStatement, accounts: dict[str, User]) -> None:
    coordinator = accounts["coordinator@example.org"]
    reviewer = accounts["reviewer@example.org"]
    title, summary, body = read_text(plan.slug, plan.source)
    statement = create_statement(
        coordinator, slug=plan.slug, source_language=plan.source,
        statement_date=plan.statement_date, title=title, summary=summary, body=body,
        target_languages=[*plan.published, *plan.queued], guidance=plan.guidance,
    )
    source_segments = statement.current_revision.segments
    versions = []
    for language in plan.published:
        translated = split_statement(*read_text(plan.slug, language))
        if [s.kind for s in translated] != [s.kind for s in source_segments]:
            raise ValueError(f"{plan.slug}/{language}.md does not mirror its source's blocks")
        translation = db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id, Translation.language_tag == language))
        translator = _translator_for(language, accounts)
        # Demo history: the version a volunteer submitted and a reviewer approved.
        version = Version(translation=translation, number=1,
                          source_revision=statement.current_revision, created_by=translator)
        version.segments = [
            VersionSegment(position=source.position, segment_key=source.key, text=part.text)
            for source, part in zip(source_segments, translated, strict=True)
        ]
        db.session.add(version)
        db.session.add(Review(version=version, reviewer=reviewer,
                              decision=ReviewDecision.APPROVED))
        translation.state = TranslationState.APPROVED
        record_event(reviewer, "translation.approve", translation=translation,
                     from_state=TranslationState.IN_REVIEW, to_state=TranslationState.APPROVED,
                     detail="demo content")
        versions.append(version)
    db.session.flush()
    release_statement(coordinator, statement, versions, _release_time(plan))


def _release_time(plan: DemoStatement) -> datetime:
    now = utcnow().replace(microsecond=0)
    if plan.embargo_days:
        return now + timedelta(days=plan.embargo_days)
    dated = datetime.combine(plan.statement_date, time(8, 0), tzinfo=UTC)
    return min(dated, now - timedelta(minutes=1))


# A later edit of the source: one sentence added to the last paragraph.
DEPORTATIONS_ADDITION = (
    " Register your action with the Alliance before 10 September so that it appears on "
    "the map of the week."
)
DEPORTATIONS_ADDITION_ES = (
    " Registra tu acción con la Alianza antes del 10 de septiembre para que aparezca en el "
    "mapa de la semana."
)


def _load_work_in_progress(accounts: dict[str, User]) -> None:
    """Work on the desks, made through the workflow itself.

    The deportations statement's source changed after its release, so its translations
    need an update (readers see a notice); the Spanish update waits for review. Amina
    holds a claim on the French forced-labor statement, and a reader reported a problem.
    """
    coordinator = accounts["coordinator@example.org"]
    translator = accounts["translator@example.org"]
    statement = db.session.scalar(select(Statement).where(
        Statement.slug == "stop-deportations-now"))
    revision = statement.current_revision
    revise_source(coordinator, statement, revision.title, revision.summary,
                  revision.body + DEPORTATIONS_ADDITION)
    release_statement(coordinator, statement, [], utcnow() - timedelta(minutes=1),
                      note="Source updated: registration deadline for actions.")
    spanish = _translation(statement, "es")
    claim_translation(translator, spanish)
    drafts = drafts_by_key(spanish)
    for segment in statement.current_revision.segments:
        if segment.key not in drafts:  # the one paragraph that changed
            previous = read_text(statement.slug, "es")[2].split("\n\n")[-1]
            save_draft_segment(translator, spanish, segment.key,
                               previous + DEPORTATIONS_ADDITION_ES, 0)
    submit_translation(translator, spanish)

    forced_labor = db.session.scalar(select(Statement).where(
        Statement.slug == "no-to-forced-labor-migration"))
    claim_translation(accounts["amina@example.org"], _translation(forced_labor, "fr"))

    migrants_day = db.session.scalar(select(Statement).where(
        Statement.slug == "migrants-day-2026"))
    arabic = db.session.scalar(select(Publication).where(
        Publication.statement_id == migrants_day.id, Publication.language_tag == "ar"))
    report_problem(arabic, paragraph=arabic.title,
                   message="The title uses a different word for migrants than the body.",
                   reporter_email="reader@example.org")


def _translation(statement: Statement, language: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == language))
