"""The queries behind the volunteers' desk: open work, my claims, reviews, reports, editor rows.

Each list is one SQL statement however many rows it holds: counts (words, demand,
progress) and "the latest version / review" are correlated subqueries, not per-row loads.
"""

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from portal.content.diff import previous_texts, word_diff
from portal.content.placeables import draft_tokens, source_tokens
from portal.extensions import db
from portal.models import (
    Correction,
    DraftSegment,
    ProblemReport,
    Review,
    ReviewDecision,
    SourceRevision,
    SourceSegment,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    organization_languages,
)
from portal.workflow.permissions import OPEN_STATES, latest_version
from portal.workflow.quality import problems_of


def _words(text):
    """Words in a segment, counted in SQL as spaces + 1 (segment text has single spaces).

    CJK sources, written without spaces, count low: a stored per-segment count would fix it.
    """
    flat = func.replace(func.replace(text, "\n", " "), "\t", " ")
    return case((text == "", 0),
                else_=func.length(flat) - func.length(func.replace(flat, " ", "")) + 1)


def _not_blank(text):
    """SQL for "has some text", like Python's `text.strip()` that submit checks."""
    bare = func.replace(func.replace(func.replace(text, "\n", ""), "\r", ""), "\t", "")
    return func.trim(bare) != ""


def _revision_words(revision_id):
    return (select(func.coalesce(func.sum(_words(SourceSegment.text)), 0))
            .where(SourceSegment.revision_id == revision_id))


def _claimable(now: datetime):
    """SQL twin of permissions.is_claimable."""
    return or_(Translation.state.in_(OPEN_STATES),
               and_(Translation.state == TranslationState.IN_PROGRESS,
                    Translation.claim_expires_at <= now))


def _deadline_order():
    # Portable "NULLS LAST": false sorts before true on SQLite and PostgreSQL alike.
    return (Statement.deadline.is_(None), Statement.deadline)


def _latest_number():
    newest = aliased(Version)
    return (select(func.max(newest.number)).where(newest.translation_id == Translation.id)
            .correlate(Translation).scalar_subquery())


def translate_tags(user: User) -> list[str]:
    """The languages the person translates into."""
    return [skill.language_tag for skill in user.skills if skill.can_translate]


def review_tags(user: User) -> list[str]:
    """The languages the person reviews."""
    return [skill.language_tag for skill in user.skills if skill.can_review]


QUEUE_PER_PAGE = 25


@dataclass(frozen=True)
class OpenWork:
    """One row of the queue."""

    translation: Translation
    statement: Statement
    title: str
    words: int
    demand: int


def _queue_tags(user: User, language: str | None) -> list[str]:
    """The languages the queue shows: the person's, or the one of them they chose."""
    tags = translate_tags(user)
    return [tag for tag in tags if tag == language] if language else tags


def _open_work(tags: list[str], now: datetime):
    return (Translation.language_tag.in_(tags), _claimable(now))


def count_open_work(user: User, now: datetime, language: str | None = None) -> int:
    """How many translations the queue holds, on all its pages."""
    tags = _queue_tags(user, language)
    if not tags:
        return 0
    return db.session.scalar(select(func.count()).select_from(Translation)
                             .where(*_open_work(tags, now)))


def open_work_for(user: User, now: datetime, language: str | None = None, page: int = 1,
                  per_page: int = QUEUE_PER_PAGE) -> list[OpenWork]:
    """One page of claimable work in the person's languages (or one of them).

    By deadline, then demand, then age. One statement: the page is chosen among the keys
    first, so the word counts are added up for its rows only.
    """
    tags = _queue_tags(user, language)
    if not tags:
        return []
    # How many member organizations need each language: one small GROUP BY, not a count
    # per candidate row.
    needed = (select(organization_languages.c.language_tag,
                     func.count().label("organizations"))
              .where(organization_languages.c.language_tag.in_(tags))
              .group_by(organization_languages.c.language_tag).subquery())
    demand = func.coalesce(needed.c.organizations, 0)
    chosen = (
        select(Translation.id, demand.label("demand"))
        .join(Statement, Statement.id == Translation.statement_id)
        .outerjoin(needed, needed.c.language_tag == Translation.language_tag)
        .where(*_open_work(tags, now))
        .order_by(*_deadline_order(), demand.desc(), Translation.created_at, Translation.id)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).subquery()
    words = (_revision_words(Statement.current_revision_id).correlate(Statement)
             .scalar_subquery().label("words"))
    rows = db.session.execute(
        select(Translation, Statement, SourceRevision.title, words, chosen.c.demand)
        .join(chosen, chosen.c.id == Translation.id)
        .join(Statement, Statement.id == Translation.statement_id)
        .join(SourceRevision, SourceRevision.id == Statement.current_revision_id)
        .order_by(*_deadline_order(), chosen.c.demand.desc(), Translation.created_at,
                  Translation.id)
    ).all()
    return [OpenWork(row.Translation, row.Statement, row.title, row.words, row.demand)
            for row in rows]


@dataclass(frozen=True)
class Claim:
    """A translation the person holds, with progress and the last review of its work."""

    translation: Translation
    statement: Statement
    title: str
    translated: int
    total: int
    review: Review | None
    reviewer_name: str | None

    @property
    def sent_back(self) -> bool:
        """The latest version came back from review with changes requested."""
        return self.review is not None and \
            self.review.decision == ReviewDecision.CHANGES_REQUESTED


def my_claims(user: User) -> list[Claim]:
    """The person's claims, expired ones included (still theirs until someone takes them)."""
    total = (select(func.count(SourceSegment.id))
             .where(SourceSegment.revision_id == Statement.current_revision_id)
             .correlate(Statement).scalar_subquery().label("total"))
    # Counted per source segment, as submit checks them: a repeated paragraph counts twice.
    translated = (
        select(func.count(SourceSegment.id))
        .join(DraftSegment, DraftSegment.segment_key == SourceSegment.key)
        .where(SourceSegment.revision_id == Statement.current_revision_id,
               DraftSegment.translation_id == Translation.id, _not_blank(DraftSegment.text))
        .correlate(Statement, Translation).scalar_subquery().label("translated")
    )
    reviewed = aliased(Version)
    latest_review_id = (
        select(Review.id).join(reviewed, reviewed.id == Review.version_id)
        .where(reviewed.translation_id == Translation.id, reviewed.number == _latest_number())
        .order_by(Review.id.desc()).limit(1).correlate(Translation).scalar_subquery()
    )
    reviewer = aliased(User)
    rows = db.session.execute(
        select(Translation, Statement, SourceRevision.title, translated, total, Review,
               reviewer.display_name.label("reviewer_name"))
        .join(Statement, Statement.id == Translation.statement_id)
        .join(SourceRevision, SourceRevision.id == Statement.current_revision_id)
        .outerjoin(Review, Review.id == latest_review_id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .where(Translation.claimed_by_id == user.id,
               Translation.state == TranslationState.IN_PROGRESS)
        .order_by(Translation.claim_expires_at, Translation.id)
    ).all()
    return [Claim(row.Translation, row.Statement, row.title, row.translated, row.total,
                  row.Review, row.reviewer_name) for row in rows]


@dataclass(frozen=True)
class WaitingReview:
    """A version waiting for review in a language the person reviews."""

    translation: Translation
    statement: Statement
    title: str
    version: Version
    author_name: str
    by_me: bool


def reviews_waiting_for(user: User) -> list[WaitingReview]:
    """Latest versions in review in the person's review languages, most urgent first."""
    tags = review_tags(user)
    if not tags:
        return []
    author = aliased(User)
    rows = db.session.execute(
        select(Translation, Statement, SourceRevision.title, Version,
               author.display_name.label("author_name"))
        .join(Statement, Statement.id == Translation.statement_id)
        .join(SourceRevision, SourceRevision.id == Statement.current_revision_id)
        .join(Version, and_(Version.translation_id == Translation.id,
                            Version.number == _latest_number()))
        .join(author, author.id == Version.created_by_id)
        .where(Translation.state == TranslationState.IN_REVIEW,
               Translation.language_tag.in_(tags))
        .order_by(*_deadline_order(), Version.created_at, Version.id)
    ).all()
    return [WaitingReview(row.Translation, row.Statement, row.title, row.Version,
                          row.author_name, row.Version.created_by_id == user.id)
            for row in rows]


@dataclass(frozen=True)
class OpenReport:
    """A reader's unresolved report in a language the person reviews."""

    report: ProblemReport
    statement: Statement
    title: str
    translation_id: int | None = None  # the translation a correction would open


def open_reports_for(user: User) -> list[OpenReport]:
    """Unresolved problem reports in the person's review languages, oldest first."""
    tags = review_tags(user)
    if not tags:
        return []
    rows = db.session.execute(
        select(ProblemReport, Statement, SourceRevision.title, Translation.id)
        .join(Statement, Statement.id == ProblemReport.statement_id)
        .join(SourceRevision, SourceRevision.id == Statement.current_revision_id)
        .outerjoin(Translation, and_(Translation.statement_id == ProblemReport.statement_id,
                                     Translation.language_tag == ProblemReport.language_tag))
        .where(ProblemReport.resolved_at.is_(None), ProblemReport.language_tag.in_(tags))
        .order_by(ProblemReport.created_at, ProblemReport.id)
    ).all()
    return [OpenReport(row.ProblemReport, row.Statement, row.title, row[3]) for row in rows]


def source_word_count(revision: SourceRevision) -> int:
    """Words in a source revision, counted as the queue counts them."""
    return db.session.scalar(_revision_words(revision.id))


def earlier_translations(version: Version, segments: list) -> dict[int, str]:
    """The text `version` had for each of `segments`, by position, where it had one.

    Unchanged segments are found by key; an edited one through the old source text it
    replaced, so a reworded paragraph still shows its former translation.
    """
    by_key = {part.segment_key: part.text for part in version.segments}
    old_segments = version.source_revision.segments
    old_key_of = {segment.text: segment.key for segment in old_segments}
    replaced = previous_texts(old_segments, segments)
    earlier: dict[int, str] = {}
    for segment in segments:
        if segment.key in by_key:
            earlier[segment.position] = by_key[segment.key]
        elif segment.position in replaced:
            old_key = old_key_of.get(replaced[segment.position])
            if old_key in by_key:
                earlier[segment.position] = by_key[old_key]
    return earlier


def count_translated(segments: list, drafts: dict) -> int:
    """How many segments have a non-blank draft, as submit counts them."""
    return sum(1 for segment in segments
               if segment.key in drafts and drafts[segment.key].text.strip())


@dataclass(frozen=True)
class Submitted:
    """A version the person wrote that waits for review or release."""

    translation: Translation
    statement: Statement
    title: str
    version: Version


def my_submitted(user: User, limit: int = 20) -> list[Submitted]:
    """The person's latest versions still in review or approved, newest first."""
    rows = db.session.execute(
        select(Translation, Statement, SourceRevision.title, Version)
        .join(Statement, Statement.id == Translation.statement_id)
        .join(SourceRevision, SourceRevision.id == Statement.current_revision_id)
        .join(Version, and_(Version.translation_id == Translation.id,
                            Version.number == _latest_number()))
        .where(Version.created_by_id == user.id,
               Translation.state.in_([TranslationState.IN_REVIEW, TranslationState.APPROVED]))
        .order_by(Version.created_at.desc(), Version.id.desc()).limit(limit)
    ).all()
    return [Submitted(row.Translation, row.Statement, row.title, row.Version) for row in rows]


@dataclass(frozen=True)
class Event:
    """One step in a translation's history: a version submitted, a review, a correction."""

    when: datetime
    kind: str  # "submitted", "approved", "changes_requested", "correction"
    version: Version | None = None
    review: Review | None = None
    correction: Correction | None = None


def conversation(translation: Translation) -> list[Event]:
    """Every version, review (with its paragraph comments) and correction, oldest first."""
    events = []
    for version in translation.versions:
        events.append(Event(version.created_at, "submitted", version=version))
        for review in version.reviews:
            events.append(Event(review.created_at, review.decision.value, version=version,
                                review=review))
    for correction in db.session.scalars(select(Correction).where(
            Correction.translation_id == translation.id).order_by(Correction.id)):
        events.append(Event(correction.opened_at, "correction", correction=correction))
    order = {"submitted": 0, "correction": 1, "approved": 2, "changes_requested": 2}
    # Times may tie (SQLite keeps whole seconds): a review of version 1 still comes before
    # version 2, which it asked for.
    return sorted(events, key=lambda event: (
        event.when, event.version.number if event.version else 0, order[event.kind]))


@dataclass
class EditorRow:
    """One segment in the editor: the source, the draft, and what changed in the source."""

    number: int
    segment: SourceSegment
    text: str
    revision: int
    repeat_of: int | None = None  # number of an earlier segment with the same text
    changed: bool = False
    source_diff: Markup | None = None
    earlier_translation: str | None = None
    # When a save was refused: the text saved elsewhere, shown beside what was typed.
    conflict_text: str | None = None
    reported: bool = False  # the paragraph a correction was opened for
    comments: list[str] = field(default_factory=list)  # the reviewer's, on this paragraph
    # The source as the translator sees it (placeables as numbered tokens), its
    # placeables, and what the checks found in the stored translation.
    source_tokens: str = ""
    placeables: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    markdown: str = ""  # the stored translation, as readers will get it


@dataclass(frozen=True)
class Conflict:
    """A paragraph whose save was refused because it changed elsewhere."""

    typed: str
    current_text: str
    current_revision: int


def editor_rows(translation: Translation, drafts: dict,
                conflicts: dict[str, Conflict] | None = None,
                correction: Correction | None = None,
                review: Review | None = None) -> list[EditorRow]:
    """The editor's segments; changed ones are marked when an earlier version is outdated,
    the reported one when a correction is open, and a reviewer's paragraph comments are
    placed beside their paragraphs when the last review asked for changes."""
    comments: dict[str, list[str]] = {}
    if review is not None and review.decision == ReviewDecision.CHANGES_REQUESTED:
        for note in review.paragraph_comments:
            comments.setdefault(note.segment_key, []).append(note.comment)
    segments = translation.statement.current_revision.segments
    version = latest_version(translation)
    replaced: dict[int, str] = {}
    earlier: dict[int, str] = {}
    if version is not None and version.source_revision_id != translation.statement \
            .current_revision_id:
        replaced = previous_texts(version.source_revision.segments, segments)
        earlier = earlier_translations(version, segments)
    first_number: dict[str, int] = {}
    source_tag = translation.statement.source_language_tag
    target_tag = translation.language_tag
    rows = []
    for number, segment in enumerate(segments, start=1):
        draft = drafts.get(segment.key)
        stored = draft.text if draft else ""
        tokens, placeables = source_tokens(segment.text, segment.kind)
        row = EditorRow(number=number, segment=segment, text=draft_tokens(stored, placeables),
                        revision=draft.revision if draft else 0,
                        repeat_of=first_number.get(segment.key), source_tokens=tokens,
                        placeables=placeables, markdown=stored,
                        problems=problems_of(segment, stored, source_tag, target_tag),
                        reported=correction is not None
                        and correction.segment_key == segment.key,
                        comments=comments.get(segment.key, [])
                        if segment.key not in first_number else [])
        first_number.setdefault(segment.key, number)
        if segment.position in replaced:
            row.changed = True
            row.source_diff = word_diff(replaced[segment.position], segment.text)
            row.earlier_translation = earlier.get(segment.position)
        conflict = (conflicts or {}).get(segment.key)
        if conflict is not None and row.repeat_of is None:
            # Keep what the person typed in the box; the revision is the current one, so
            # saving again is a deliberate "keep mine".
            row.text, row.revision = conflict.typed, conflict.current_revision
            row.conflict_text = draft_tokens(conflict.current_text, placeables)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ReviewRow:
    """One segment of a version under review, beside its source."""

    number: int
    source: SourceSegment
    text: str
    diff: Markup | None  # previous version → this one, when there is a previous version
    unchanged: bool
    problems: list = field(default_factory=list)  # what the checks found


def review_rows(version: Version) -> list[ReviewRow]:
    """The version segment by segment, with a word diff against the previous version."""
    translation = version.translation
    previous = next((other for other in translation.versions
                     if other.number == version.number - 1), None)
    sources = version.source_revision.segments
    earlier = earlier_translations(previous, sources) if previous is not None else {}
    texts = {part.position: part.text for part in version.segments}
    rows = []
    for number, source in enumerate(sources, start=1):
        text = texts.get(source.position, "")
        diff = None
        if previous is not None:
            diff = word_diff(earlier.get(source.position, ""), text)
        rows.append(ReviewRow(number=number, source=source, text=text, diff=diff,
                              unchanged=previous is not None
                              and earlier.get(source.position) == text,
                              problems=problems_of(
                                  source, text, translation.statement.source_language_tag,
                                  translation.language_tag)))
    return rows
