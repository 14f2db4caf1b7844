"""Drafts written with the translator's aids: exact memory matches and machine suggestions.

Both save through `save_draft_segment`, so the autosave rules hold: a save names the
revision the page was loaded with, and text saved elsewhere in between is never overwritten.
"""

from sqlalchemy import update

from portal.assist.memory import suggestions_for
from portal.content.segments import normalize_whitespace
from portal.extensions import db
from portal.models import DraftSegment, Translation, User
from portal.workflow.errors import StaleDraft
from portal.workflow.translations import drafts_by_key, save_draft_segment


def fill_exact_matches(actor: User, translation: Translation,
                       loaded: dict[str, int]) -> tuple[int, int]:
    """Fill empty segments that have an exact match; (filled, left because saved elsewhere).

    `loaded` holds the draft revisions the translator's page showed, per segment key: a
    segment saved since then is left alone.
    """
    segments = translation.statement.current_revision.segments
    drafts = drafts_by_key(translation)
    empty = {segment.key: segment.text for segment in segments
             if not (drafts.get(segment.key) and drafts[segment.key].text.strip())}
    if not empty:
        return 0, 0
    found = suggestions_for(list(empty.values()), translation.statement.source_language_tag,
                            translation.language_tag, fuzzy=False)
    filled = stale = 0
    for key, source in empty.items():
        matches = found.get(normalize_whitespace(source), [])
        if not matches:
            continue
        draft = drafts.get(key)
        revision = loaded.get(key, draft.revision if draft else 0)
        try:
            save_draft_segment(actor, translation, key, matches[0].text, revision)
        except StaleDraft:
            stale += 1
            continue
        filled += 1
    return filled, stale


def use_machine_suggestion(actor: User, translation: Translation, segment_key: str,
                           text: str, base_revision: int) -> DraftSegment:
    """Save a machine suggestion the translator chose as the segment's text, marked machine.

    The mark stays while the segment is edited further: the text started from a machine.
    """
    draft = save_draft_segment(actor, translation, segment_key, text, base_revision)
    db.session.execute(update(DraftSegment).where(DraftSegment.id == draft.id)
                       .values(machine=True).execution_options(synchronize_session=False))
    db.session.refresh(draft)
    return draft

