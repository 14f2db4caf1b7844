"""The progress totals come from tallies the database keeps: they must equal a real count."""

from collections import Counter

from sqlalchemy import delete, func, select, update

from portal.models import Translation, TranslationState, TranslationTally
from portal.workflow import claim_translation, release_claim
from portal.workflow.tallies import compact_tallies, state_totals


def counted(db) -> dict[str, Counter]:
    """Every translation, counted the slow way."""
    totals: dict[str, Counter] = {}
    for tag, state, count in db.session.execute(
            select(Translation.language_tag, Translation.state, func.count())
            .group_by(Translation.language_tag, Translation.state)):
        totals.setdefault(tag, Counter())[state] += count
    return totals


def test_tallies_follow_every_kind_of_change_and_survive_compaction(app, db, make):
    with app.app_context():
        first = make.statement(targets=["es", "fr", "ar"])
        second = make.statement(targets=["es", "fr"])
        doomed = make.statement(targets=["es", "de"])
        assert state_totals() == counted(db)

        translator = make.user(translates=["es", "fr"])
        es = db.session.scalar(select(Translation).where(
            Translation.statement_id == first.id, Translation.language_tag == "es"))
        claim_translation(translator, es)  # a conditional UPDATE, not the ORM's
        make.approved_version(second, "fr")  # the ORM's flush
        fr = db.session.scalar(select(Translation).where(
            Translation.statement_id == first.id, Translation.language_tag == "fr"))
        claim_translation(translator, fr)
        release_claim(translator, fr)  # and back
        db.session.execute(update(Translation).where(Translation.language_tag == "ar")
                           .values(state=TranslationState.NEEDS_UPDATE))  # in bulk
        db.session.execute(delete(Translation).where(Translation.statement_id == doomed.id))
        db.session.commit()

        expected = counted(db)
        assert expected["es"] == Counter({TranslationState.IN_PROGRESS: 1,
                                          TranslationState.QUEUED: 1})
        assert "de" not in expected
        assert state_totals() == expected

        rows = db.session.scalar(select(func.count()).select_from(TranslationTally))
        assert compact_tallies() == rows
        db.session.commit()
        assert state_totals() == expected
        # One row per language and state that has translations, nothing for the rest.
        assert db.session.scalar(select(func.count()).select_from(TranslationTally)) == \
            sum(len(states) for states in expected.values())
        assert compact_tallies() == sum(len(states) for states in expected.values())
        db.session.commit()
        assert state_totals() == expected


def test_the_mail_timer_folds_the_tallies(app, db, make, runner):
    with app.app_context():
        for _ in range(3):
            make.statement(targets=["es", "fr"])
    assert runner.invoke(args=["portal", "send-mail"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TranslationTally)) == 2
    assert state_totals() == counted(db)
