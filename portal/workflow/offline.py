"""Bringing a file translated offline back into the drafts, under the rules of autosave.

Each unit goes through `save_draft_segment` with the draft revision the file was made
from, so a paragraph saved in the meantime (in the editor, another tab, another upload)
is never overwritten: it becomes a conflict the person settles, paragraph by paragraph.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from portal.content.segments import normalize_whitespace
from portal.exchange.inline import DamagedMarkup, rebuild
from portal.exchange.offline import OfflineFile, source_parts, target_parts
from portal.extensions import db
from portal.models import SourceRevision, SourceSegment, Translation, User
from portal.workflow.audit import record_event
from portal.workflow.errors import StaleDraft, WorkflowError
from portal.workflow.translations import drafts_by_key, save_draft_segment


@dataclass
class OfflineConflict:
    """A paragraph changed since the file was made: the file's text and the saved one."""

    key: str
    number: int
    source: str
    file_text: str
    saved_text: str
    saved_revision: int


@dataclass
class UploadReport:
    """What an upload did, unit by unit, for the page that tells the person."""

    saved: list[int] = field(default_factory=list)  # paragraph numbers
    unchanged: int = 0
    untranslated: int = 0
    source_changed: list[str] = field(default_factory=list)  # the old source texts
    unknown: list[str] = field(default_factory=list)  # unit ids as written in the file
    damaged: list[int] = field(default_factory=list)  # paragraph numbers
    refused: list[tuple[int, str]] = field(default_factory=list)  # (number, why)
    conflicts: list[OfflineConflict] = field(default_factory=list)


def _old_sources(translation: Translation, keys: set[str]) -> dict[str, str]:
    """Source texts of earlier revisions of the statement, by key, among `keys`."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(SourceSegment.key, SourceSegment.text).join(SourceRevision).where(
            SourceRevision.statement_id == translation.statement_id,
            SourceSegment.key.in_(keys))).all()
    return {key: text for key, text in rows}


def import_offline_file(actor: User, translation: Translation, upload: OfflineFile,
                        max_length: int) -> UploadReport:
    """Save each translated unit of an uploaded file as a draft; report the rest.

    Units whose source changed since the export, unknown units and units whose inline
    codes were damaged are listed and not imported; a unit saved in the meantime is a
    conflict, never overwritten.
    """
    segments = translation.statement.current_revision.segments
    current = {}
    for number, segment in enumerate(segments, start=1):
        current.setdefault(segment.key, (number, segment))
    report = UploadReport()
    strangers = [unit for unit in upload.units if unit.key not in current]
    old = _old_sources(translation, {unit.key for unit in strangers if unit.key})
    for unit in strangers:
        if unit.key in old:
            report.source_changed.append(old[unit.key])
        else:
            report.unknown.append(unit.unit_id or "?")
    drafts = drafts_by_key(translation)
    done: set[str] = set()
    for unit in upload.units:
        if unit.key not in current or unit.key in done:
            continue
        done.add(unit.key)
        number, segment = current[unit.key]
        if unit.empty:
            report.untranslated += 1
            continue
        source = source_parts(segment.kind, segment.text)
        try:
            text = rebuild(target_parts(unit, source), source).strip()
        except DamagedMarkup:
            report.damaged.append(number)
            continue
        draft = drafts.get(unit.key)
        if draft is not None and normalize_whitespace(draft.text) == normalize_whitespace(text):
            report.unchanged += 1
            continue
        if len(text) > max_length:
            report.refused.append((number, "too long"))
            continue
        try:
            save_draft_segment(actor, translation, unit.key, text, unit.base_revision)
        except StaleDraft as stale:
            report.conflicts.append(OfflineConflict(unit.key, number, segment.text, text,
                                                    stale.current_text,
                                                    stale.current_revision))
        except WorkflowError as refused:  # a title over its length, say
            report.refused.append((number, str(refused.message)))
        else:
            report.saved.append(number)
    if report.saved:
        record_event(actor, "translation.offline_upload", translation=translation,
                     detail=f"{len(report.saved)} paragraph(s) saved, "
                            f"{len(report.conflicts)} conflict(s)")
    db.session.flush()
    return report


def take_file_texts(actor: User, translation: Translation,
                    choices: list[tuple[str, str, int]]) -> list[OfflineConflict]:
    """Save the file's text for each (key, text, revision seen) the person chose to take.

    A paragraph already holding that text is left alone (a repeated click); one changed
    again since the conflict page was shown comes back as a conflict.
    """
    segments = translation.statement.current_revision.segments
    numbers = {}
    for number, segment in enumerate(segments, start=1):
        numbers.setdefault(segment.key, (number, segment))
    drafts = drafts_by_key(translation)
    again = []
    for key, text, revision in choices:
        if key not in numbers:
            continue
        draft = drafts.get(key)
        if draft is not None and normalize_whitespace(draft.text) == normalize_whitespace(text):
            continue
        try:
            save_draft_segment(actor, translation, key, text, revision)
        except StaleDraft as stale:
            number, segment = numbers[key]
            again.append(OfflineConflict(key, number, segment.text, text, stale.current_text,
                                         stale.current_revision))
    db.session.flush()
    return again
