"""Translations: the workflow state, drafts, immutable versions and their reviews."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime
from portal.models.people import User, _values
from portal.models.statements import SourceRevision, Statement


class TranslationState(enum.StrEnum):
    """Where the work on one statement in one language is."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    NEEDS_UPDATE = "needs_update"

    @property
    def title(self) -> str:
        """The state's name for people, in the interface language."""
        return str(STATE_TITLES[self])


STATE_TITLES = {
    TranslationState.QUEUED: _l("Queued"),
    TranslationState.IN_PROGRESS: _l("In progress"),
    TranslationState.IN_REVIEW: _l("In review"),
    TranslationState.APPROVED: _l("Approved"),
    TranslationState.PUBLISHED: _l("Published"),
    TranslationState.NEEDS_UPDATE: _l("Needs update"),
}


class ReviewDecision(enum.StrEnum):
    """A reviewer's verdict on a version."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class Translation(Base):
    """One statement in one target language: the unit that is claimed and reviewed."""

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("statement_id", "language_tag"),
        CheckConstraint("state != 'in_progress' or claimed_by_id is not null",
                        name="claim_when_in_progress"),
        CheckConstraint("(claimed_by_id is null) = (claim_expires_at is null)",
                        name="claim_has_expiry"),
        # The progress totals (GROUP BY language, state), its filters and the desk queue
        # (open work in a few languages) read this index alone, never the whole table.
        Index("ix_translations_language_state", "language_tag", "state", "statement_id"),
        # A page of statements and the state of their translations ("published ones of
        # these 18"): without it SQLite walks every published translation by state.
        Index("ix_translations_statement_state", "statement_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    state: Mapped[TranslationState] = mapped_column(
        Enum(TranslationState, native_enum=False, create_constraint=True, length=20,
             values_callable=_values, validate_strings=True, name="translation_state"),
        default=TranslationState.QUEUED, server_default=TranslationState.QUEUED.value,
        index=True,
    )
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the claimant was told their claim runs out within a day (once per claim).
    claim_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )

    statement: Mapped[Statement] = relationship()
    claimed_by: Mapped[User | None] = relationship()
    drafts: Mapped[list["DraftSegment"]] = relationship(
        back_populates="translation", cascade="all, delete-orphan"
    )
    versions: Mapped[list["Version"]] = relationship(
        back_populates="translation", order_by="Version.number"
    )

    def __repr__(self) -> str:
        return f"<Translation {self.statement_id}/{self.language_tag} {self.state}>"


class DraftSegment(Base):
    """The translator's working text for one source segment, saved as they type.

    Keyed by the segment's hash, so the text of an unchanged paragraph carries over to
    the next source revision; `revision` counts saves so a stale save can be refused.
    """

    __tablename__ = "draft_segments"
    __table_args__ = (
        UniqueConstraint("translation_id", "segment_key"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE")
    )
    segment_key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    # The text started from a machine suggestion the translator chose to use.
    machine: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now()
    )

    translation: Mapped[Translation] = relationship(back_populates="drafts")


class Version(Base):
    """An immutable snapshot of a translation, made at each submit."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("translation_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE")
    )
    number: Mapped[int]
    source_revision_id: Mapped[int] = mapped_column(ForeignKey("source_revisions.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    translation: Mapped[Translation] = relationship(back_populates="versions")
    source_revision: Mapped[SourceRevision] = relationship()
    created_by: Mapped[User] = relationship()
    segments: Mapped[list["VersionSegment"]] = relationship(
        back_populates="version", order_by="VersionSegment.position",
        cascade="all, delete-orphan",
    )
    reviews: Mapped[list["Review"]] = relationship(back_populates="version",
                                                   order_by="Review.id")


class VersionSegment(Base):
    """The translated text of one source segment inside a version."""

    __tablename__ = "version_segments"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    segment_key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    # The draft it was made from started from a machine suggestion.
    machine: Mapped[bool] = mapped_column(default=False, server_default=false())

    version: Mapped[Version] = relationship(back_populates="segments")


class Review(Base):
    """A reviewer's approval of a version, or their request for changes."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("decision = 'approved' or length(comment) > 0",
                        name="changes_need_comment"),
        # A version's latest review (desk home, review page) without reading every review.
        Index("ix_reviews_version", "version_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[ReviewDecision] = mapped_column(
        Enum(ReviewDecision, native_enum=False, create_constraint=True, length=20,
             values_callable=_values, validate_strings=True, name="review_decision")
    )
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    version: Mapped[Version] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    paragraph_comments: Mapped[list["ParagraphComment"]] = relationship(
        back_populates="review", order_by="ParagraphComment.position",
        cascade="all, delete-orphan")


class ParagraphComment(Base):
    """A reviewer's comment on one paragraph of the version they sent back."""

    __tablename__ = "paragraph_comments"
    __table_args__ = (
        UniqueConstraint("review_id", "position"),
        CheckConstraint("length(comment) > 0", name="comment_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    # The paragraph's place in the version's source revision, and its key (the hash of its
    # text) so the editor finds it again in a later source revision.
    position: Mapped[int]
    segment_key: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="paragraph_comments")


class ProblemReport(Base):
    """A reader's report of a problem in a published translation, for its reviewers."""

    __tablename__ = "problem_reports"
    __table_args__ = (CheckConstraint("length(message) > 0", name="message_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"), index=True)
    publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("publications.id", ondelete="SET NULL")
    )
    paragraph: Mapped[str] = mapped_column(Text, default="", server_default="")
    message: Mapped[str] = mapped_column(Text)
    reporter_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    statement: Mapped[Statement] = relationship()
    correction_id: Mapped[int | None] = mapped_column(
        ForeignKey("corrections.id", ondelete="SET NULL"), index=True)
    correction: Mapped["Correction | None"] = relationship(back_populates="reports")


class Correction(Base):
    """A published translation opened again to fix a mistake, while readers keep the old text.

    Open while `closed_at` is NULL; closed when the fixed version is released (the
    readers' reports it answers are resolved then, with a link to the fix).
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(
        ForeignKey("translations.id", ondelete="CASCADE"), index=True)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    # The version readers saw when it was opened, and the reported paragraph's key in it.
    published_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    segment_key: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    fixed_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    translation: Mapped[Translation] = relationship()
    opened_by: Mapped[User | None] = relationship()
    fixed_version: Mapped[Version | None] = relationship(foreign_keys=[fixed_version_id])
    reports: Mapped[list[ProblemReport]] = relationship(back_populates="correction",
                                                        order_by="ProblemReport.id")


class TranslationTally(Base):
    """+1 and −1 for each translation entering and leaving a (language, state), by triggers.

    Database triggers on `translations` append a row at every insert, delete and change of
    state or language, whoever makes it (the workflow, a bulk load, a cascade); the
    progress page's totals are the sum of these rows, a few per language and state once
    `compact_tallies` has folded them (`flask portal send-mail` does, every few minutes).
    Appending, never updating, keeps concurrent transitions from waiting on one another.
    The triggers live in the migration d3f8a61c0b27: on SQLite a batch migration that
    rebuilds `translations` drops them, so such a migration must create them again.
    """

    __tablename__ = "translation_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    language_tag: Mapped[str] = mapped_column(String(35))
    state: Mapped[str] = mapped_column(String(20))
    delta: Mapped[int]
