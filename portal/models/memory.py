"""What translators lean on: the translation memory and the glossary, per language pair."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime
from portal.models.people import _values
from portal.models.statements import Statement


class MemoryEntry(Base):
    """One approved segment: its source text and its translation, with where it came from.

    Keyed by the hashes of both texts, so the same pair remembered twice is one entry (the
    newest origin wins) and a source with two accepted translations has two entries.
    """

    __tablename__ = "memory_entries"
    __table_args__ = (
        # Its leading columns serve the exact-match lookup.
        UniqueConstraint("source_language_tag", "target_language_tag", "source_key",
                         "target_key"),
        CheckConstraint("source_length > 0", name="source_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    target_language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    source_key: Mapped[str] = mapped_column(String(32))
    target_key: Mapped[str] = mapped_column(String(32))
    source_length: Mapped[int]
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    # Where it came from; an imported entry (TMX) has no statement.
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now())

    statement: Mapped[Statement | None] = relationship()


# The fuzzy-match index of the memory: for each entry, a sketch of its source text's
# three-word shingles hashed with the language pair (portal.assist.memory.sketch_hashes),
# so one indexed lookup finds the entries of that pair that share a shingle.
memory_shingles = Table(
    "memory_shingles", Base.metadata,
    Column("shingle", Integer, primary_key=True),
    Column("entry_id", ForeignKey("memory_entries.id", ondelete="CASCADE"), primary_key=True),
    sqlite_with_rowid=False,
)


class PartOfSpeech(enum.StrEnum):
    """The grammatical kind of a glossary term (TBX's partOfSpeech values)."""

    NOUN = "noun"
    VERB = "verb"
    ADJECTIVE = "adjective"
    ADVERB = "adverb"
    PROPER_NOUN = "properNoun"
    OTHER = "other"

    @property
    def title(self) -> str:
        """The kind's name for people, in the interface language."""
        return str(PART_OF_SPEECH_TITLES[self])


PART_OF_SPEECH_TITLES = {
    PartOfSpeech.NOUN: _l("noun"),
    PartOfSpeech.VERB: _l("verb"),
    PartOfSpeech.ADJECTIVE: _l("adjective"),
    PartOfSpeech.ADVERB: _l("adverb"),
    PartOfSpeech.PROPER_NOUN: _l("proper noun"),
    PartOfSpeech.OTHER: _l("other"),
}


class GlossaryTerm(Base):
    """A term of the source language and its agreed translation in one target language."""

    __tablename__ = "glossary_terms"
    __table_args__ = (
        # One agreed translation per term (compared case-insensitively) and language pair.
        UniqueConstraint("source_language_tag", "target_language_tag", "term_key"),
        CheckConstraint("length(term) > 0 and length(translation) > 0",
                        name="term_and_translation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    target_language_tag: Mapped[str] = mapped_column(ForeignKey("languages.tag"))
    term: Mapped[str] = mapped_column(String(200))
    term_key: Mapped[str] = mapped_column(String(200))  # casefolded, whitespace normalized
    translation: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    part_of_speech: Mapped[PartOfSpeech] = mapped_column(
        Enum(PartOfSpeech, native_enum=False, create_constraint=True, length=20,
             values_callable=_values, validate_strings=True, name="part_of_speech"),
        default=PartOfSpeech.NOUN, server_default=PartOfSpeech.NOUN.value)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.now(), onupdate=func.now())
