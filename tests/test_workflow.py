"""Each transition of the workflow, allowed and refused, without HTTP."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    DraftSegment,
    OutboxMessage,
    Publication,
    Review,
    ReviewDecision,
    Role,
    Translation,
    TranslationState,
    utcnow,
)
from portal.workflow import (
    ClaimLost,
    NotAllowed,
    ReleaseRefused,
    StaleDraft,
    WorkflowError,
    approve_version,
    claim_translation,
    release_claim,
    release_statement,
    request_changes,
    revise_source,
    save_draft_segment,
    submit_translation,
    unpublish,
)


@pytest.fixture(autouse=True)
def app_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def work(make, db):
    """A statement with a Spanish translation, a translator, a reviewer, a coordinator."""

    class Work:
        statement = make.statement(slug="work", targets=["es", "fr"])
        translation = db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id, Translation.language_tag == "es"))
        translator = make.user(translates=["es"], display_name="Tina")
        other_translator = make.user(translates=["es"], display_name="Omar")
        reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
        coordinator = make.user(Role.COORDINATOR)

        @property
        def keys(self):
            return [segment.key for segment in self.statement.current_revision.segments]

    return Work()


def translate_all(work, who=None):
    who = who or work.translator
    for key in work.keys:
        save_draft_segment(who, work.translation, key, f"es: {key}", 0)


def events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# --- claim ----------------------------------------------------------------------------

def test_claim_takes_the_work_for_claim_hours(work, db, app):
    before = utcnow()
    claim_translation(work.translator, work.translation)
    assert work.translation.state == TranslationState.IN_PROGRESS
    assert work.translation.claimed_by_id == work.translator.id
    hours = app.config["CLAIM_HOURS"]
    assert before + timedelta(hours=hours) <= work.translation.claim_expires_at \
        <= utcnow() + timedelta(hours=hours)
    (event,) = events(db, "translation.claim")
    assert (event.actor_id, event.from_state, event.to_state) == (
        work.translator.id, "queued", "in_progress")


def test_claim_refused_in_a_language_one_does_not_translate(work, make):
    with pytest.raises(NotAllowed):
        claim_translation(make.user(translates=["fr"]), work.translation)


def test_second_claim_is_told_who_has_it_and_until_when(work):
    claim_translation(work.translator, work.translation)
    with pytest.raises(ClaimLost) as lost:
        claim_translation(work.other_translator, work.translation)
    assert lost.value.holder_name == "Tina"
    assert lost.value.until == work.translation.claim_expires_at
    assert work.translation.claimed_by_id == work.translator.id


def test_an_expired_claim_is_open_again_and_drafts_stay(work, db):
    claim_translation(work.translator, work.translation)
    translate_all(work)
    later = utcnow() + timedelta(hours=73)
    claim_translation(work.other_translator, work.translation, now=later)
    assert work.translation.claimed_by_id == work.other_translator.id
    assert len(db.session.scalars(select(DraftSegment)).all()) == len(work.keys)


def test_claims_are_limited_per_person(work, make, db, app):
    for number in range(app.config["MAX_CLAIMS"]):
        statement = make.statement(slug=f"more-{number}", targets=["es"])
        claim_translation(work.translator, db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id)))
    with pytest.raises(WorkflowError, match="claims"):
        claim_translation(work.translator, work.translation)


def test_work_in_review_cannot_be_claimed(work):
    claim_translation(work.translator, work.translation)
    translate_all(work)
    submit_translation(work.translator, work.translation)
    with pytest.raises(WorkflowError):
        claim_translation(work.other_translator, work.translation)


def test_release_claim_returns_work_to_the_queue_with_its_drafts(work, db):
    claim_translation(work.translator, work.translation)
    translate_all(work)
    with pytest.raises(NotAllowed):
        release_claim(work.other_translator, work.translation)
    release_claim(work.translator, work.translation, reason="Travelling this week")
    assert work.translation.state == TranslationState.QUEUED
    assert work.translation.claimed_by_id is None
    assert events(db, "translation.release_claim")[0].detail == "Travelling this week"
    assert db.session.scalars(select(DraftSegment)).all()


# --- save -----------------------------------------------------------------------------

def test_save_counts_revisions_and_refuses_a_stale_save(work, db):
    claim_translation(work.translator, work.translation)
    key = work.keys[2]
    first = save_draft_segment(work.translator, work.translation, key, "Primero", 0)
    assert first.revision == 1
    second = save_draft_segment(work.translator, work.translation, key, "Segundo", 1)
    assert second.revision == 2
    with pytest.raises(StaleDraft) as stale:
        save_draft_segment(work.translator, work.translation, key, "Viejo", 1)
    assert (stale.value.current_text, stale.value.current_revision) == ("Segundo", 2)
    assert db.session.scalar(select(DraftSegment.text)) == "Segundo"


def test_a_new_draft_created_meanwhile_is_stale_too(work):
    claim_translation(work.translator, work.translation)
    save_draft_segment(work.translator, work.translation, work.keys[0], "Uno", 0)
    with pytest.raises(StaleDraft) as stale:
        save_draft_segment(work.translator, work.translation, work.keys[0], "Otro", 0)
    assert stale.value.current_text == "Uno"


def test_only_the_claimant_saves(work):
    claim_translation(work.translator, work.translation)
    with pytest.raises(NotAllowed):
        save_draft_segment(work.other_translator, work.translation, work.keys[0], "x", 0)


def test_saving_renews_the_claim(work):
    start = utcnow()
    claim_translation(work.translator, work.translation, now=start)
    save_draft_segment(work.translator, work.translation, work.keys[0], "x", 0,
                       now=start + timedelta(hours=50))
    assert work.translation.claim_expires_at == start + timedelta(hours=50 + 72)


def test_saving_an_unknown_segment_is_refused(work):
    claim_translation(work.translator, work.translation)
    with pytest.raises(WorkflowError) as refused:
        save_draft_segment(work.translator, work.translation, "0" * 16, "x", 0)
    assert refused.value.status == 404


# --- submit and review ----------------------------------------------------------------

def test_submit_needs_every_segment(work):
    claim_translation(work.translator, work.translation)
    save_draft_segment(work.translator, work.translation, work.keys[0], "Título", 0)
    with pytest.raises(WorkflowError, match="not translated"):
        submit_translation(work.translator, work.translation)
    assert work.translation.state == TranslationState.IN_PROGRESS


def test_submit_makes_the_next_version_and_tells_reviewers(work, db):
    claim_translation(work.translator, work.translation)
    translate_all(work)
    with pytest.raises(NotAllowed):
        submit_translation(work.other_translator, work.translation)
    version = submit_translation(work.translator, work.translation)
    assert (version.number, work.translation.state) == (1, TranslationState.IN_REVIEW)
    assert [part.text for part in version.segments] == [f"es: {key}" for key in work.keys]
    assert work.translation.claimed_by_id is None
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "review_waiting")).all()
    assert [message.recipient for message in mail] == [work.reviewer.email]


def submitted(work):
    claim_translation(work.translator, work.translation)
    translate_all(work)
    return submit_translation(work.translator, work.translation)


def test_nobody_approves_their_own_version(work, make):
    author = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])
    claim_translation(author, work.translation)
    translate_all(work, who=author)
    version = submit_translation(author, work.translation)
    with pytest.raises(NotAllowed, match="someone else"):
        approve_version(author, version)
    assert work.translation.state == TranslationState.IN_REVIEW


def test_approval_needs_a_reviewer_of_the_language(work, make):
    version = submitted(work)
    for outsider in (work.other_translator, make.user(Role.REVIEWER, reviews=["fr"]),
                     work.coordinator):
        with pytest.raises(NotAllowed):
            approve_version(outsider, version)


def test_approve(work, db):
    version = submitted(work)
    approve_version(work.reviewer, version)
    assert work.translation.state == TranslationState.APPROVED
    review = db.session.scalar(select(Review))
    assert (review.reviewer_id, review.decision) == (work.reviewer.id, ReviewDecision.APPROVED)
    with pytest.raises(WorkflowError):  # not waiting for review any more
        approve_version(work.reviewer, version)


def test_request_changes_hands_the_work_back_with_the_comment(work, db):
    version = submitted(work)
    with pytest.raises(WorkflowError, match="comment"):
        request_changes(work.reviewer, version, "   ")
    request_changes(work.reviewer, version, "Use «trabajadoras» in paragraph 2.")
    assert work.translation.state == TranslationState.IN_PROGRESS
    assert work.translation.claimed_by_id == work.translator.id
    assert work.translation.claim_expires_at > utcnow()
    assert db.session.scalar(select(Review.comment)) == "Use «trabajadoras» in paragraph 2."
    resubmitted = submit_translation(work.translator, work.translation)
    assert resubmitted.number == 2


# --- release, unpublish, source changes --------------------------------------------------

def test_release_needs_a_coordinator_and_approved_versions(work):
    version = submitted(work)
    with pytest.raises(ReleaseRefused):
        release_statement(work.coordinator, work.statement, [version], utcnow())
    approve_version(work.reviewer, version)
    with pytest.raises(NotAllowed):
        release_statement(work.reviewer, work.statement, [version], utcnow())
    release_statement(work.coordinator, work.statement, [version], utcnow())
    assert work.translation.state == TranslationState.PUBLISHED


def test_unpublish_withdraws_with_a_reason(work, db):
    version = submitted(work)
    approve_version(work.reviewer, version)
    release_statement(work.coordinator, work.statement, [version], utcnow())
    with pytest.raises(WorkflowError, match="reason"):
        unpublish(work.coordinator, work.statement, "es", "")
    with pytest.raises(NotAllowed):
        unpublish(work.reviewer, work.statement, "es", "Wrong text")
    assert unpublish(work.coordinator, work.statement, "es", "Wrong text") == 1
    publication = db.session.scalar(select(Publication).where(Publication.language_tag == "es"))
    assert publication.withdrawn_reason == "Wrong text"
    assert work.translation.state == TranslationState.APPROVED


def test_a_whitespace_only_edit_makes_no_revision(work):
    revision = work.statement.current_revision
    body = revision.body.replace("The first paragraph of the statement, about",
                                 "The first paragraph of the statement,\nabout")
    assert revise_source(work.coordinator, work.statement, revision.title,
                         revision.summary, body) is None
    assert work.statement.current_revision is revision


def test_a_changed_paragraph_puts_finished_work_in_need_of_update(work, db):
    version = submitted(work)
    approve_version(work.reviewer, version)
    release_statement(work.coordinator, work.statement, [version], utcnow())
    french = db.session.scalar(select(Translation).where(Translation.language_tag == "fr"))
    old = work.statement.current_revision
    body = old.body.replace("join the actions", "join the actions on 18 December")
    new = revise_source(work.coordinator, work.statement, old.title, old.summary, body)
    assert new.number == 2
    assert work.translation.state == TranslationState.NEEDS_UPDATE
    assert french.state == TranslationState.QUEUED  # nothing to update yet
    changed = set(s.key for s in new.segments) - set(s.key for s in old.segments)
    assert len(changed) == 1
    # Claiming the update keeps every unchanged paragraph's text.
    claim_translation(work.translator, work.translation)
    drafts = {d.segment_key for d in db.session.scalars(select(DraftSegment))}
    assert set(s.key for s in new.segments) - drafts == changed
    release_claim(work.translator, work.translation)
    assert work.translation.state == TranslationState.NEEDS_UPDATE


def test_every_transition_is_audited(work, db):
    version = submitted(work)
    request_changes(work.reviewer, version, "Fix the title")
    version = submit_translation(work.translator, work.translation)
    approve_version(work.reviewer, version)
    release_statement(work.coordinator, work.statement, [version], utcnow())
    trail = [(event.action, event.from_state, event.to_state) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.translation_id == work.translation.id)
        .order_by(AuditEvent.id))]
    assert trail == [
        ("translation.claim", "queued", "in_progress"),
        ("translation.submit", "in_progress", "in_review"),
        ("translation.request_changes", "in_review", "in_progress"),
        ("translation.submit", "in_progress", "in_review"),
        ("translation.approve", "in_review", "approved"),
        ("translation.release", "approved", "published"),
    ]
