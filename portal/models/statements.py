"""Statements, their source revisions and segments, releases and publications."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
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


class SegmentKind(enum.StrEnum):
    """Where a segment sits in a statement; the kind decides how it is joined back."""

    TITLE = "title"
    SUMMARY = "summary"
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    LIST_ITEM = "list_item"
    QUOTE = "quote"
    VERBATIM = "verbatim"  # blocks kept as written: tables, code, rules


def _segment_kind_type() -> Enum:
    return Enum(SegmentKind, native_enum=False, create_constraint=True, length=20,
                values_callable=_values, validate_strings=True, name="segment_kind")


class Statement(Base):
    """One piece of content, written once in its source language."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint("length(slug) between 1 and 120", name="slug_length"),
        # Coordinators' lists, newest first, a page at a time.
        Index("ix_statements_date_id", "statement_date", "id"),
        # Deadline reminders every few minutes, and the progress page's deadline filter.
        Index("ix_statements_deadline", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    source_language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    statement_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Coordinators' notes for translators (tone, terms, context), Markdown, shown in the editor.
    guidance: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_revisions.id", use_alter=True)
    )
    # A correction of a released translation goes live once approved, unless coordinators
    # asked to release corrections of this statement themselves.
    corrections_need_release: Mapped[bool] = mapped_column(
        default=False, server_default=false())

    current_revision: Mapped["SourceRevision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list["SourceRevision"]] = relationship(
        back_populates="statement", foreign_keys="SourceRevision.statement_id",
        order_by="SourceRevision.number",
    )
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Statement {self.slug}>"


class SourceRevision(Base):
    """The source text as saved at one edit; never changed afterwards."""

    __tablename__ = "source_revisions"
    __table_args__ = (
        UniqueConstraint("statement_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    statement: Mapped[Statement] = relationship(
        back_populates="revisions", foreign_keys=[statement_id]
    )
    segments: Mapped[list["SourceSegment"]] = relationship(
        back_populates="revision", order_by="SourceSegment.position",
        cascade="all, delete-orphan",
    )


class SourceSegment(Base):
    """One translatable unit of a revision: title, summary or a Markdown block."""

    __tablename__ = "source_segments"
    __table_args__ = (
        UniqueConstraint("revision_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        ForeignKey("source_revisions.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    kind: Mapped[SegmentKind] = mapped_column(_segment_kind_type())
    # The Markdown that precedes the text when the statement is joined: "## ", "- ", "> ".
    markup: Mapped[str] = mapped_column(String(20), default="", server_default="")
    key: Mapped[str] = mapped_column(String(32), index=True)
    text: Mapped[str] = mapped_column(Text)

    revision: Mapped[SourceRevision] = relationship(back_populates="segments")


class Release(Base):
    """A coordinator's decision that texts of a statement go public at a time."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    release_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    statement: Mapped[Statement] = relationship()
    created_by: Mapped[User | None] = relationship()
    publications: Mapped[list["Publication"]] = relationship(back_populates="release")


class Publication(Base):
    """The text readers see for one statement in one language, frozen at its release.

    The source itself is published too (with no version). Readers see, per statement and
    language, the latest publication whose release time has passed and that was not
    withdrawn; a statement is visible once its source-language publication is.
    """

    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_statement_language", "statement_id", "language_tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    source_revision_id: Mapped[int] = mapped_column(ForeignKey("source_revisions.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    statement: Mapped[Statement] = relationship()
    release: Mapped[Release] = relationship(back_populates="publications")
    source_revision: Mapped[SourceRevision] = relationship()


class Edition(Base):
    """When readers see one publication: a window kept in a form the databases can index.

    Maintained by portal.visibility whenever a release, an unpublish or a withdrawal
    changes a statement's publications: a publication is visible from its release time
    until the next publication of the same statement and language is released (or for
    ever). `statement_from` is when the statement itself became readable — the first
    release of its source text — and is NULL while its source is not public. A release
    scheduled for midnight appears at midnight with no job: the window is compared with
    the time of the request.
    """

    __tablename__ = "editions"
    __table_args__ = (
        # The listing: one language, newest first, bounded by the page. The last three
        # columns make it covering (SQLite has no INCLUDE), so that counting a
        # language's statements and walking to a deep page read only the index.
        Index("ix_editions_listing", "language_tag", "statement_date", "visible_from",
              "statement_id", "visible_until", "statement_from", "publication_id"),
        # Covering for "when did this statement's source first appear" and for a
        # statement's edition in one language, so that SQLite picks it even without
        # statistics (refresh_editions, the progress matrix's cells).
        Index("ix_editions_statement", "statement_id", "language_tag", "visible_from",
              "visible_until", "statement_from"),
        # Every released statement, newest first, whatever the reader's language: the
        # listing shows the untranslated ones too, in their source language.
        Index("ix_editions_sources", "is_source", "statement_date", "visible_from",
              "statement_id", "visible_until", "statement_from", "publication_id"),
    )

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    statement_date: Mapped[date] = mapped_column(Date)
    source_revision_id: Mapped[int] = mapped_column(ForeignKey("source_revisions.id"))
    visible_from: Mapped[datetime] = mapped_column(UTCDateTime)
    visible_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    statement_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An edition of the statement's source language (its text as written).
    is_source: Mapped[bool] = mapped_column(default=False, server_default=false())


class ReaderState(Base):
    """One row: the generation of what readers see, raised by every change of it.

    Cached public pages are keyed by it (portal.caching), so every worker, and Redis,
    stop serving a page as soon as a release, an unpublish or a language change commits.
    """

    __tablename__ = "reader_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
