"""The data model, one module per aggregate; import from here."""

from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.languages import Language
from portal.models.memory import GlossaryTerm, MemoryEntry, PartOfSpeech
from portal.models.organizations import Organization, organization_languages
from portal.models.outbox import DeadlineReminder, OutboxMessage
from portal.models.people import Invitation, LanguageSkill, Role, User
from portal.models.statements import (
    Edition,
    Publication,
    ReaderState,
    Release,
    SegmentKind,
    SourceRevision,
    SourceSegment,
    Statement,
)
from portal.models.translations import (
    Correction,
    DraftSegment,
    ParagraphComment,
    ProblemReport,
    Review,
    ReviewDecision,
    Translation,
    TranslationState,
    TranslationTally,
    Version,
    VersionSegment,
)

__all__ = [
    "AuditEvent", "Base", "Correction", "DeadlineReminder", "DraftSegment", "Edition",
    "GlossaryTerm", "Invitation", "Language", "LanguageSkill", "MemoryEntry", "Organization",
    "OutboxMessage", "ParagraphComment", "PartOfSpeech", "ProblemReport", "Publication",
    "ReaderState", "Release", "Review",
    "ReviewDecision", "Role", "SegmentKind",
    "SourceRevision", "SourceSegment", "Statement", "Translation", "TranslationState",
    "TranslationTally",
    "User", "Version", "VersionSegment", "organization_languages", "utcnow",
]
