"""Rules the database itself enforces, and language tags."""

import pytest
from sqlalchemy.exc import IntegrityError

from portal.models import Language, Translation, TranslationState
from portal.models.languages import InvalidLanguageTag, autonym, canonical_tag, direction


@pytest.mark.parametrize(("raw", "canonical"), [
    ("pt-br", "pt-BR"), ("PT-BR", "pt-BR"), ("pt_BR", "pt-BR"), ("zh-hans", "zh-Hans"),
    ("FIL", "fil"), ("ar", "ar"),
])
def test_canonical_tags(raw, canonical):
    assert canonical_tag(raw) == canonical


@pytest.mark.parametrize("raw", ["xx", "", "en-", "123", "i-klingon", "../etc"])
def test_unknown_tags_are_refused(raw):
    with pytest.raises(InvalidLanguageTag):
        canonical_tag(raw)


def test_names_and_direction_come_from_cldr():
    assert (autonym("es"), autonym("ar"), autonym("zh-Hans")) == ("Español", "العربية",
                                                                   "中文 (简体)")
    assert (direction("ar"), direction("fa"), direction("fil")) == ("rtl", "rtl", "ltr")


def test_one_translation_per_statement_and_language(db, make):
    statement = make.statement(targets=["es"])
    db.session.add(Translation(statement=statement, language_tag="es"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_in_progress_needs_a_claimant(db, make):
    statement = make.statement(targets=["es"])
    translation = db.session.query(Translation).filter_by(statement_id=statement.id).one()
    translation.state = TranslationState.IN_PROGRESS
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_foreign_keys_are_enforced(db, make):
    statement = make.statement()
    db.session.add(Translation(statement=statement, language_tag="no-such-language"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_state_outside_the_enum_is_refused_by_the_database(db, make):
    from sqlalchemy import text

    statement = make.statement(targets=["es"])
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE translations SET state = 'lost' WHERE statement_id = :id"),
                           {"id": statement.id})


def test_language_tag_length_is_checked(db):
    db.session.add(Language(tag="e"))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize(("accepted", "available", "expected"), [
    (["pt", "en"], ["en", "pt-BR"], "pt-BR"),  # the likely region of Portuguese
    (["zh-CN"], ["en", "zh-Hans"], "zh-Hans"),  # China writes simplified characters
    (["zh-TW", "en"], ["en", "zh-Hans"], "en"),  # …Taiwan does not
    (["en-US"], ["en", "es"], "en"),
    (["es-MX", "en"], ["en", "es"], "es"),
    (["FR"], ["fr"], "fr"),
    (["de"], ["en"], None),
    (["not a tag"], ["en"], None),
])
def test_best_match_follows_cldr_likely_subtags(accepted, available, expected):
    from portal.models.languages import best_match

    assert best_match(accepted, available) == expected
