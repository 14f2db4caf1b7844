"""Transitions of a translation: claim, release, save, submit, approve, request changes.

Each function checks its predicate, changes the state, records the actor in an audit
event and flushes. None commits: the request or command that called it does, once.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.assist.memory import remember_version
from portal.dates import moment_text
from portal.extensions import db
from portal.models import (
    AuditEvent,
    DraftSegment,
    LanguageSkill,
    ParagraphComment,
    Review,
    ReviewDecision,
    SegmentKind,
    Translation,
    TranslationState,
    User,
    Version,
    VersionSegment,
    utcnow,
)
from portal.notifications import language_pair, portal_url, queue_email
from portal.workflow.audit import record_event
from portal.workflow.errors import AlreadyDone, ClaimLost, NotAllowed, StaleDraft, WorkflowError
from portal.workflow.locks import lock
from portal.workflow.permissions import (
    OPEN_STATES,
    active_claim_count,
    can_edit,
    can_review,
    can_translate,
    latest_version,
)
from portal.workflow.quality import check_submittable

# Published titles are kept in a column of this size (Publication.title).
MAX_TITLE = 300


def _claim_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=current_app.config["CLAIM_HOURS"])


def claim_translation(actor: User, translation: Translation,
                      now: datetime | None = None) -> Translation:
    """Take a translation for oneself; of several people claiming at once, one wins."""
    now = now or utcnow()
    if not can_translate(actor, translation.language_tag):
        raise NotAllowed(_l("You do not translate into this language."))
    # The claimant's own row serializes their claims, so the cap holds under concurrency.
    db.session.execute(select(User.id).where(User.id == actor.id).with_for_update())
    lock(translation)
    if translation.state == TranslationState.IN_PROGRESS and \
            translation.claimed_by_id == actor.id and translation.claim_expires_at > now:
        raise AlreadyDone(_l("You are already translating this, until %(until)s.",
                             until=moment_text(translation.claim_expires_at)))
    if active_claim_count(actor, now) >= current_app.config["MAX_CLAIMS"]:
        raise WorkflowError(_l("You already hold %(count)d claims. Submit or release one "
                               "before claiming more.", count=current_app.config["MAX_CLAIMS"]))
    from_state = translation.state
    # One conditional UPDATE: whoever's statement matches first wins; the rest match no row.
    won = db.session.execute(
        update(Translation)
        .where(Translation.id == translation.id,
               or_(Translation.state.in_(OPEN_STATES),
                   and_(Translation.state == TranslationState.IN_PROGRESS,
                        Translation.claim_expires_at <= now)))
        .values(state=TranslationState.IN_PROGRESS, claimed_by_id=actor.id,
                claim_expires_at=_claim_expiry(now), claim_reminded_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(translation)
    if not won:
        if translation.state == TranslationState.IN_PROGRESS and translation.claimed_by:
            raise ClaimLost(translation.claimed_by.display_name, translation.claim_expires_at)
        _check_not_submitted(actor, translation)  # a late repeat after one's own submit
        raise AlreadyDone(where_the_work_is(translation))
    _carry_over_latest_version(translation, actor)
    record_event(actor, "translation.claim", translation=translation, from_state=from_state,
                 to_state=TranslationState.IN_PROGRESS)
    db.session.flush()
    return translation


def _carry_over_latest_version(translation: Translation, actor: User) -> None:
    """Start drafts from the latest version where there are none, e.g. for an update.

    Unchanged paragraphs then keep their translation even when the version did not come
    from this portal's drafts (an import, or drafts cleared since).
    """
    version = latest_version(translation)
    if version is None:
        return
    drafted = set(drafts_by_key(translation))
    for part in version.segments:
        if part.segment_key not in drafted:
            drafted.add(part.segment_key)
            db.session.add(DraftSegment(translation_id=translation.id,
                                        segment_key=part.segment_key, text=part.text,
                                        revision=1, updated_by_id=actor.id,
                                        machine=part.machine))


def _claimed_before(actor: User, translation: Translation) -> bool:
    """The person once held a claim on this translation (the audit log says so)."""
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.translation_id == translation.id, AuditEvent.actor_id == actor.id,
        AuditEvent.action.in_(["translation.claim", "translation.release_claim"])).limit(1)) \
        is not None


def open_state(translation: Translation) -> TranslationState:
    """Where unclaimed work goes back to: an outdated earlier version means an update."""
    version = latest_version(translation)
    current = translation.statement.current_revision_id
    if version is not None and version.source_revision_id != current:
        return TranslationState.NEEDS_UPDATE
    return TranslationState.QUEUED


def release_claim(actor: User, translation: Translation, reason: str = "") -> Translation:
    """Give a claimed translation back to the queue; the drafts stay."""
    lock(translation)
    if translation.state in OPEN_STATES and can_translate(actor, translation.language_tag):
        raise AlreadyDone(_l("This translation is already back in the queue."))
    if translation.state != TranslationState.IN_PROGRESS or \
            translation.claimed_by_id != actor.id:
        if _claimed_before(actor, translation):  # a late repeat: the work moved on
            raise AlreadyDone(_l("You no longer hold this claim. %(where)s",
                                 where=where_the_work_is(translation)))
        raise NotAllowed(_l("Only the person who claimed this translation can release it."))
    to_state = open_state(translation)
    translation.state = to_state
    translation.claimed_by_id = None
    translation.claim_expires_at = None
    translation.claim_reminded_at = None
    record_event(actor, "translation.release_claim", translation=translation,
                 from_state=TranslationState.IN_PROGRESS, to_state=to_state,
                 detail=reason.strip())
    db.session.flush()
    return translation


def save_draft_segment(actor: User, translation: Translation, segment_key: str, text: str,
                       base_revision: int, now: datetime | None = None) -> DraftSegment:
    """Save one segment's text if nobody changed it since `base_revision`; renews the claim.

    A stale save raises StaleDraft with the current text and never overwrites it.
    """
    now = now or utcnow()
    if not can_edit(actor, translation):
        raise NotAllowed(_l("Claim this translation before you edit it."))
    kinds = {segment.key: segment.kind for segment in
             translation.statement.current_revision.segments}
    if segment_key not in kinds:
        raise WorkflowError(_l("This paragraph is no longer part of the statement."), 404)
    if kinds[segment_key] == SegmentKind.TITLE and len(text.strip()) > MAX_TITLE:
        raise WorkflowError(_l("A title can have at most %(max)d characters.", max=MAX_TITLE),
                            400)
    draft = db.session.scalar(select(DraftSegment).where(
        DraftSegment.translation_id == translation.id, DraftSegment.segment_key == segment_key))
    if draft is None:
        if base_revision != 0:
            raise StaleDraft("", 0)
        draft = DraftSegment(translation_id=translation.id, segment_key=segment_key, text=text,
                             revision=1, updated_by_id=actor.id)
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:  # someone created it a moment ago
            current = db.session.scalar(select(DraftSegment).where(
                DraftSegment.translation_id == translation.id,
                DraftSegment.segment_key == segment_key))
            raise StaleDraft(current.text, current.revision) from None
    else:
        changed = db.session.execute(
            update(DraftSegment)
            .where(DraftSegment.id == draft.id, DraftSegment.revision == base_revision)
            .values(text=text, revision=DraftSegment.revision + 1, updated_by_id=actor.id,
                    updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(draft)
        if changed != 1:
            raise StaleDraft(draft.text, draft.revision)
    translation.claim_expires_at = _claim_expiry(now)
    translation.claim_reminded_at = None
    db.session.flush()
    return draft


def drafts_by_key(translation: Translation) -> dict[str, DraftSegment]:
    """The translation's drafts, by segment key."""
    return {draft.segment_key: draft for draft in db.session.scalars(
        select(DraftSegment).where(DraftSegment.translation_id == translation.id))}


def submit_translation(actor: User, translation: Translation) -> Version:
    """Snapshot the drafts as the next version and send it to review."""
    lock(translation)
    _check_not_submitted(actor, translation)
    if not can_edit(actor, translation):
        raise NotAllowed(_l("Only the person who claimed this translation can submit it."))
    revision = translation.statement.current_revision
    drafts = drafts_by_key(translation)
    # Empty paragraphs, broken markup and lost links keep it back, each one named.
    check_submittable(translation, drafts)
    if any(segment.kind == SegmentKind.TITLE and
           len(drafts[segment.key].text.strip()) > MAX_TITLE for segment in revision.segments):
        raise WorkflowError(_l("A title can have at most %(max)d characters.", max=MAX_TITLE),
                            400)
    version = Version(number=len(translation.versions) + 1, source_revision=revision,
                      created_by=actor)
    version.segments = [
        VersionSegment(position=segment.position, segment_key=segment.key,
                       text=drafts[segment.key].text.strip(),
                       machine=drafts[segment.key].machine)
        for segment in revision.segments
    ]
    translation.versions.append(version)
    translation.state = TranslationState.IN_REVIEW
    translation.claimed_by_id = None
    translation.claim_expires_at = None
    translation.claim_reminded_at = None
    db.session.flush()
    record_event(actor, "translation.submit", translation=translation,
                 from_state=TranslationState.IN_PROGRESS, to_state=TranslationState.IN_REVIEW,
                 detail=f"version {version.number}")
    _tell_reviewers(translation, version, actor)
    db.session.flush()
    return version


SUBMITTED_STATES = {
    TranslationState.IN_REVIEW: _l("Version %(number)d was already submitted: it is waiting "
                                   "for review."),
    TranslationState.APPROVED: _l("Version %(number)d was already submitted and approved."),
    TranslationState.PUBLISHED: _l("Version %(number)d was already submitted, approved and "
                                   "published."),
}


def where_the_work_is(translation: Translation) -> str:
    """One sentence on where a translation's work is now, for a late repeat of an action."""
    version = latest_version(translation)
    number = version.number if version is not None else 0
    state = translation.state
    if state == TranslationState.IN_PROGRESS and translation.claimed_by is not None:
        return str(_l("%(name)s is working on it.", name=translation.claimed_by.display_name))
    if state == TranslationState.IN_REVIEW:
        return str(_l("Version %(number)d is waiting for review.", number=number))
    if state == TranslationState.APPROVED:
        return str(_l("Version %(number)d is approved and waiting for release.", number=number))
    if state == TranslationState.PUBLISHED:
        return str(_l("Version %(number)d is published.", number=number))
    return str(_l("It is back in the queue."))


def _check_not_submitted(actor: User, translation: Translation) -> None:
    """A repeated submit (a double click, a second tab) is told what already happened."""
    version = latest_version(translation)
    if translation.state in SUBMITTED_STATES and version is not None and \
            version.created_by_id == actor.id:
        raise AlreadyDone(str(SUBMITTED_STATES[translation.state]) % {"number": version.number})


def _tell_reviewers(translation: Translation, version: Version, author: User) -> None:
    reviewers = db.session.scalars(
        select(User).join(LanguageSkill).where(
            LanguageSkill.language_tag == translation.language_tag, LanguageSkill.can_review,
            User.active, User.id != author.id)
    ).all()
    for reviewer in reviewers:
        queue_email(reviewer, "review_waiting", translation=translation, version=version,
                    pair=language_pair(translation),
                    link=portal_url("desk.review", version_id=version.id))


def _check_reviewable(actor: User, version: Version) -> None:
    translation = lock(version.translation)
    if version.created_by_id == actor.id:
        raise NotAllowed(_l("You wrote this version, so someone else must review it."))
    if not can_review(actor, version, check_state=False):
        raise NotAllowed(_l("You do not review this language."))
    if translation.state != TranslationState.IN_REVIEW or latest_version(translation) \
            is not version:
        _check_not_decided(version)
        raise WorkflowError(_l("This version is no longer waiting for review."))


def _check_not_decided(version: Version) -> None:
    """A repeated decision is told which one was taken, and by whom."""
    review = db.session.scalar(select(Review).where(Review.version_id == version.id)
                               .order_by(Review.id.desc()).limit(1))
    if review is None:
        return
    name = review.reviewer.display_name
    if review.decision == ReviewDecision.APPROVED:
        raise AlreadyDone(_l("%(name)s already approved version %(number)d.", name=name,
                             number=version.number))
    raise AlreadyDone(_l("%(name)s already sent version %(number)d back to its translator.",
                         name=name, number=version.number))


def approve_version(actor: User, version: Version, comment: str = "") -> Review:
    """Approve a version someone else wrote; it is then ready for release."""
    _check_reviewable(actor, version)
    review = Review(version=version, reviewer=actor, decision=ReviewDecision.APPROVED,
                    comment=comment.strip())
    db.session.add(review)
    translation = version.translation
    translation.state = TranslationState.APPROVED
    # Every approved segment is remembered for the next translator of this language pair.
    remember_version(version)
    record_event(actor, "translation.approve", translation=translation,
                 from_state=TranslationState.IN_REVIEW, to_state=TranslationState.APPROVED,
                 detail=f"version {version.number}")
    queue_email(version.created_by, "version_approved", translation=translation,
                version=version, pair=language_pair(translation),
                link=portal_url("desk.home"))
    db.session.flush()
    # Imported here: corrections and releases build on this module's transitions.
    from portal.workflow.corrections import correction_is_live_on_approval
    from portal.workflow.releases import release_correction

    now = utcnow()
    if correction_is_live_on_approval(translation, version, now):
        release_correction(actor, version, now)
    return review


def request_changes(actor: User, version: Version, comment: str,
                    now: datetime | None = None,
                    paragraph_comments: dict[int, str] | None = None) -> Review:
    """Send a version back to its translator with a comment; they hold the claim again.

    `paragraph_comments` ({position: comment}) are shown beside those paragraphs in the
    translator's editor.
    """
    if not comment.strip():
        raise WorkflowError(_l("Say what should change: the comment goes to the translator."),
                            400)
    _check_reviewable(actor, version)
    now = now or utcnow()
    review = Review(version=version, reviewer=actor,
                    decision=ReviewDecision.CHANGES_REQUESTED, comment=comment.strip())
    keys = {part.position: part.segment_key for part in version.segments}
    review.paragraph_comments = [
        ParagraphComment(position=position, segment_key=keys[position], comment=text.strip())
        for position, text in sorted((paragraph_comments or {}).items())
        if position in keys and text.strip()]
    db.session.add(review)
    translation = version.translation
    translation.state = TranslationState.IN_PROGRESS
    translation.claimed_by_id = version.created_by_id
    translation.claim_expires_at = _claim_expiry(now)
    translation.claim_reminded_at = None
    record_event(actor, "translation.request_changes", translation=translation,
                 from_state=TranslationState.IN_REVIEW, to_state=TranslationState.IN_PROGRESS,
                 detail=comment.strip())
    queue_email(version.created_by, "changes_requested", translation=translation,
                version=version, comment=comment.strip(), reviewer=actor,
                pair=language_pair(translation),
                link=portal_url("desk.editor", translation_id=translation.id))
    db.session.flush()
    return review


def remind_expiring_claims(now: datetime | None = None) -> int:
    """E-mail claimants whose claim ends within a day, once per claim."""
    now = now or utcnow()
    expiring = db.session.scalars(select(Translation).where(
        Translation.state == TranslationState.IN_PROGRESS,
        Translation.claim_expires_at > now,
        Translation.claim_expires_at <= now + timedelta(hours=24),
        Translation.claim_reminded_at.is_(None),
    )).all()
    for translation in expiring:
        queue_email(translation.claimed_by, "claim_expiring", translation=translation,
                    pair=language_pair(translation), expires_at=translation.claim_expires_at,
                    link=portal_url("desk.editor", translation_id=translation.id))
        translation.claim_reminded_at = now
    db.session.flush()
    return len(expiring)
