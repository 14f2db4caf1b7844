"""Permission predicates, used alike by workflow functions, views and templates."""

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Translation, TranslationState, User, Version

OPEN_STATES = (TranslationState.QUEUED, TranslationState.NEEDS_UPDATE)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def is_coordinator(user) -> bool:
    """Coordinators and administrators run statements, releases, organizations, people."""
    return _signed_in(user) and user.is_coordinator


def can_translate(user, language_tag: str) -> bool:
    """The person translates into this language."""
    skill = user.skill(language_tag) if _signed_in(user) else None
    return bool(skill and skill.can_translate)


def can_review_language(user, language_tag: str) -> bool:
    """The person reviews this language."""
    skill = user.skill(language_tag) if _signed_in(user) else None
    return bool(skill and skill.can_review)


def claim_is_active(translation: Translation, now: datetime) -> bool:
    """Someone holds an unexpired claim; expiry is computed here, when read."""
    return (translation.state == TranslationState.IN_PROGRESS
            and translation.claim_expires_at is not None
            and translation.claim_expires_at > now)


def is_claimable(translation: Translation, now: datetime) -> bool:
    """Open work, or work whose claim has run out."""
    return translation.state in OPEN_STATES or (
        translation.state == TranslationState.IN_PROGRESS and not claim_is_active(translation,
                                                                                   now)
    )


def active_claim_count(user: User, now: datetime) -> int:
    """How many unexpired claims the person holds."""
    return db.session.scalar(
        select(func.count()).select_from(Translation).where(
            Translation.claimed_by_id == user.id,
            Translation.state == TranslationState.IN_PROGRESS,
            Translation.claim_expires_at > now,
        )
    )


def can_claim(user, translation: Translation, now: datetime) -> bool:
    """A translator of the language may claim open work (the claim limit is checked apart)."""
    return can_translate(user, translation.language_tag) and is_claimable(translation, now)


def can_edit(user, translation: Translation) -> bool:
    """The claimant may save and submit; an expired claim nobody took is still theirs."""
    return (_signed_in(user) and translation.state == TranslationState.IN_PROGRESS
            and translation.claimed_by_id == user.id
            and can_translate(user, translation.language_tag))


def latest_version(translation: Translation) -> Version | None:
    """The newest version of a translation."""
    return translation.versions[-1] if translation.versions else None


def can_review(user, version: Version, check_state: bool = True) -> bool:
    """A reviewer of the language who did not write this version, while it waits for review."""
    translation = version.translation
    if not can_review_language(user, translation.language_tag):
        return False
    if version.created_by_id == user.id:
        return False
    if check_state:
        return (translation.state == TranslationState.IN_REVIEW
                and latest_version(translation) is version)
    return True


def can_release(user) -> bool:
    """Coordinators release and unpublish."""
    return is_coordinator(user)


def wrote_a_version(user, translation: Translation) -> bool:
    """The person wrote one of the translation's versions."""
    return _signed_in(user) and any(version.created_by_id == user.id
                                    for version in translation.versions)


def can_read_translation(user, translation: Translation) -> bool:
    """Its claimant, its reviewers, coordinators and the authors of its versions may read it."""
    return (can_edit(user, translation) or can_review_language(user, translation.language_tag)
            or is_coordinator(user) or wrote_a_version(user, translation))


def can_open_correction(user, translation: Translation) -> bool:
    """Reviewers of the language and the translation's last translator may correct it."""
    if can_review_language(user, translation.language_tag):
        return True
    version = latest_version(translation)
    return (version is not None and _signed_in(user) and version.created_by_id == user.id
            and can_translate(user, translation.language_tag))


def can_use_glossary(user, language_tag: str) -> bool:
    """Translators and reviewers of the language, and coordinators, read its glossaries."""
    return (can_translate(user, language_tag) or can_review_language(user, language_tag)
            or is_coordinator(user))


def can_keep_glossary(user, language_tag: str) -> bool:
    """Reviewers of the language and coordinators add, change, remove and import terms."""
    return can_review_language(user, language_tag) or is_coordinator(user)


def can_import_memory(user) -> bool:
    """Coordinators import translation memories (TMX) from elsewhere."""
    return is_coordinator(user)
