"""`flask portal bench-data`: a realistic archive, loaded in bulk, that the app serves."""

from collections import Counter

from sqlalchemy import func, select

from portal.benchdata import LANGUAGES, RARE_WORD, REVIEWER, TRANSLATOR
from portal.content import split_statement
from portal.models import (
    Edition,
    Language,
    Publication,
    Release,
    Review,
    ReviewDecision,
    SourceRevision,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    utcnow,
)
from portal.visibility import statement_availability

PASSWORD = "bench password 2026"
ARGS = ["portal", "bench-data", "--statements", "20", "--languages", "5", "--seed", "3",
        "--password-stdin"]


def count(db, model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def load(runner, *extra):
    result = runner.invoke(args=[*ARGS, *extra], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return result


def test_loads_statements_in_every_state_of_the_work(runner, db):
    result = load(runner)
    assert "Loaded 20 statements" in result.output

    assert count(db, Statement) == 20
    assert sorted(db.session.scalars(select(Language.tag).where(Language.enabled))) == \
        sorted(LANGUAGES[:5])
    assert count(db, Translation) == 20 * 4  # every other enabled language
    states = Counter(db.session.scalars(select(Translation.state)))
    assert set(states) == set(TranslationState), states
    assert states[TranslationState.PUBLISHED] > sum(states.values()) / 2
    now = utcnow()
    for translation in db.session.scalars(select(Translation)):
        versions = translation.versions
        if translation.state == TranslationState.IN_PROGRESS:
            assert translation.claimed_by_id and translation.claim_expires_at
        if translation.state in (TranslationState.IN_REVIEW, TranslationState.APPROVED,
                                 TranslationState.PUBLISHED, TranslationState.NEEDS_UPDATE):
            assert versions, translation
        if translation.state == TranslationState.APPROVED:
            assert versions[-1].reviews[-1].decision == ReviewDecision.APPROVED
        if translation.state == TranslationState.IN_REVIEW:
            assert not versions[-1].reviews
        if translation.state == TranslationState.NEEDS_UPDATE:
            assert versions[-1].source_revision_id != translation.statement.current_revision_id
    # Releases mostly in the past, some scheduled; a second one where the source changed.
    assert count(db, Release, Release.release_at > now) >= 1
    assert count(db, Release, Release.release_at <= now) > count(db, Statement) / 2
    assert count(db, Statement, Statement.current_revision_id.is_(None)) == 0
    assert count(db, SourceRevision, SourceRevision.number == 2) >= 1
    assert count(db, Publication, Publication.withdrawn_at.is_not(None)) >= 1
    assert count(db, Review) >= count(db, Version) / 2


def test_segments_are_cut_as_the_app_cuts_them(runner, db):
    load(runner)
    for revision in db.session.scalars(select(SourceRevision)):
        expected = split_statement(revision.title, revision.summary, revision.body)
        assert [(s.kind, s.markup, s.key, s.text) for s in revision.segments] == \
            [(s.kind, s.markup, s.key, s.text) for s in expected]
    for version in db.session.scalars(select(Version)):
        assert [part.segment_key for part in version.segments] == \
            [segment.key for segment in version.source_revision.segments]
    # A published translation reads back into the same segments as its version.
    publication = db.session.scalar(select(Publication).where(
        Publication.version_id.is_not(None)).limit(1))
    version = db.session.get(Version, publication.version_id)
    assert [s.text for s in split_statement(publication.title, publication.summary,
                                            publication.body)] == \
        [part.text for part in version.segments]


def test_every_visible_publication_has_its_edition_and_readers_see_it(runner, db, client):
    load(runner)
    published = set(db.session.scalars(select(Publication.id).where(
        Publication.withdrawn_at.is_(None))))
    assert set(db.session.scalars(select(Edition.publication_id))) == published

    listing = client.get("/en/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    slug = db.session.scalar(
        select(Statement.slug).join(Edition, Edition.statement_id == Statement.id)
        .where(Edition.language_tag == "en", Edition.visible_from <= utcnow())
        .order_by(Statement.statement_date.desc()).limit(1))
    assert f"/en/statements/{slug}" in page
    _statement, available = statement_availability(slug, utcnow())
    assert "en" in available
    statement_page = client.get(f"/en/statements/{slug}")
    assert statement_page.status_code == 200
    publication = db.session.get(Publication, available["en"].publication_id)
    assert publication.title in statement_page.get_data(as_text=True)
    feed = client.get("/en/feed.atom")
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("<entry>") >= 5


def test_the_bench_accounts_sign_in_and_the_rare_word_is_found(runner, db, client):
    load(runner)
    for email in (TRANSLATOR, REVIEWER):
        assert db.session.scalar(select(User).where(User.email == email)) \
            .check_password(PASSWORD)
    translator = db.session.scalar(select(User).where(User.email == TRANSLATOR))
    assert len(translator.skills) == 3
    assert count(db, Translation, Translation.claimed_by_id == translator.id) >= 1
    search = client.get(f"/en/search?q={RARE_WORD.lower()}")
    assert search.status_code == 200 and "<mark>" in search.get_data(as_text=True)


def test_refuses_a_database_with_statements_unless_appending(runner, db, make):
    make.statement(slug="already-here")
    refused = runner.invoke(args=ARGS, input=PASSWORD + "\n")
    assert refused.exit_code != 0 and "already has statements" in refused.output
    assert count(db, Statement) == 1
    load(runner, "--append")
    assert count(db, Statement) == 21
