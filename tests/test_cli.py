"""`flask portal …` commands."""

from sqlalchemy import func, select

from portal.models import (
    LanguageSkill,
    Organization,
    Publication,
    Statement,
    Translation,
    User,
    utcnow,
)
from portal.visibility import statement_availability


def _counts(db):
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Statement, Translation, Publication, Organization, User)]


def test_demo_loads_realistic_content_and_is_idempotent(runner, db):
    result = runner.invoke(args=["portal", "demo"])
    assert result.exit_code == 0, result.output
    for role in ("admin", "coordinator", "reviewer", "translator"):
        assert f"{role}@example.org" in result.output
    first = _counts(db)
    assert first[0] >= 5 and first[3] >= 5
    assert runner.invoke(args=["portal", "demo"]).exit_code == 0
    assert _counts(db) == first

    now = utcnow()
    statements = db.session.scalars(select(Statement)).all()
    assert any(s.source_language_tag != "en" for s in statements)
    _found, languages = statement_availability("migrants-day-2026", now)
    assert {"ar", "es", "fr", "fil", "id"} <= set(languages)
    assert statement_availability("climate-displacement-2026", now) == (None, {})  # embargoed
    _found, deportations = statement_availability("stop-deportations-now", now)
    assert "fil" not in deportations  # missing: readers get the fallback


def test_demo_users_can_sign_in_with_printed_passwords(runner, db):
    output = runner.invoke(args=["portal", "demo"]).output
    line = next(line for line in output.splitlines() if "reviewer@example.org" in line)
    password = line.split()[-1]
    user = db.session.scalar(select(User).where(User.email == "reviewer@example.org"))
    assert user.check_password(password)


def test_create_user_with_password_from_stdin(runner, db, make):
    make.language("es")
    make.language("fr")
    result = runner.invoke(
        args=["portal", "create-user", "Volunteer@Example.org", "--role", "reviewer",
              "--languages", "es,FR", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password:" not in result.output
    user = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    assert user.check_password("a long enough password")
    assert {(s.language_tag, s.can_review) for s in db.session.scalars(
        select(LanguageSkill).where(LanguageSkill.user_id == user.id))} == {
        ("es", True), ("fr", True)}


def test_create_user_refuses_bad_input_clearly(runner, db, make):
    make.language("es")
    cases = [
        (["x@example.org", "--role", "translator", "--languages", "xx"], "not a language tag"),
        (["x@example.org", "--role", "translator", "--languages", "de"], "Not set up: de"),
        (["x@example.org", "--role", "boss"], "Invalid value for '--role'"),
        (["no-at-sign", "--role", "translator"], "needs an @"),
    ]
    for arguments, message in cases:
        result = runner.invoke(args=["portal", "create-user", *arguments])
        assert result.exit_code != 0
        assert message in result.output, result.output
    short = runner.invoke(args=["portal", "create-user", "y@example.org", "--role",
                                "translator", "--password-stdin"], input="short\n")
    assert "at least 10 characters" in short.output
    runner.invoke(args=["portal", "create-user", "z@example.org", "--role", "translator"])
    again = runner.invoke(args=["portal", "create-user", "z@example.org", "--role", "admin"])
    assert "already exists" in again.output


def test_demo_if_empty_leaves_an_existing_database_alone(runner, db, make):
    make.statement(slug="ours")
    result = runner.invoke(args=["portal", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert "was not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 1


def test_demo_puts_work_on_the_desks(runner, db, client):
    from portal.models import ProblemReport, TranslationState

    assert runner.invoke(args=["portal", "demo"]).exit_code == 0
    states = {(t.statement.slug, t.language_tag): t.state
              for t in db.session.scalars(select(Translation))}
    assert states["stop-deportations-now", "es"] == TranslationState.IN_REVIEW
    assert states["stop-deportations-now", "fr"] == TranslationState.NEEDS_UPDATE
    assert states["no-to-forced-labor-migration", "fr"] == TranslationState.IN_PROGRESS
    assert db.session.scalar(select(func.count()).select_from(ProblemReport)) == 1
    # Readers still get the released French text, with a notice that the source changed.
    html = client.get("/en/statements/stop-deportations-now").get_data(as_text=True)
    assert "before 10 September" in html
    french = client.get("/fr/statements/stop-deportations-now").get_data(as_text=True)
    assert 'lang="fr" dir="ltr"' in french and "before 10 September" not in french
    assert 'class="notice"' in french
