"""Corrections: a released translation opened again to fix a mistake readers reported.

The published text stays online while the fix is translated and reviewed as usual. When
the fixed version is approved and the statement is already public, it goes live at once
(unless coordinators asked to release corrections of that statement themselves); the
readers' reports it answers are then resolved and their authors told.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.content.segments import normalize_whitespace
from portal.dates import date_text
from portal.extensions import db
from portal.models import (
    Correction,
    ProblemReport,
    Publication,
    Translation,
    TranslationState,
    User,
    Version,
    utcnow,
)
from portal.notifications import language_pair, portal_url, queue_email
from portal.visibility import source_is_public
from portal.workflow.audit import record_event
from portal.workflow.errors import AlreadyDone, NotAllowed, WorkflowError
from portal.workflow.locks import lock
from portal.workflow.permissions import can_open_correction, can_release
from portal.workflow.translations import open_state


def open_correction_of(translation: Translation) -> Correction | None:
    """The correction of this translation that is still open, if any."""
    return db.session.scalar(select(Correction).where(
        Correction.translation_id == translation.id, Correction.closed_at.is_(None))
        .order_by(Correction.id.desc()).limit(1))


def reported_segment_key(version: Version | None, paragraph: str) -> str | None:
    """The key of the version's segment whose text is the reported paragraph."""
    wanted = normalize_whitespace(paragraph or "")
    if version is None or not wanted:
        return None
    for part in version.segments:
        if normalize_whitespace(part.text) == wanted:
            return part.segment_key
    return None


def _published_version(translation: Translation) -> Version | None:
    """The newest version of this translation that was ever released and not withdrawn."""
    return db.session.scalar(
        select(Version).join(Publication, Publication.version_id == Version.id)
        .where(Version.translation_id == translation.id, Publication.withdrawn_at.is_(None))
        .order_by(Version.number.desc()).limit(1))


def open_correction(actor: User, translation: Translation, *,
                    report: ProblemReport | None = None, segment_key: str | None = None,
                    note: str = "") -> Correction:
    """Open a released translation for claiming again; readers keep the published text.

    A repeat (a double click, a second report on the same mistake) changes nothing but
    links the report to the correction already open, and is told so.
    """
    if not can_open_correction(actor, translation):
        raise NotAllowed(_l("Only reviewers of this language and its last translator can "
                            "open a correction."))
    lock(translation)
    existing = open_correction_of(translation)
    if existing is not None:
        if report is not None and report.correction_id is None and report.resolved_at is None:
            report.correction_id = existing.id
            db.session.flush()
        raise AlreadyDone(_l("A correction is already open (since %(date)s): the translation "
                             "is %(state)s.", date=date_text(existing.opened_at),
                             state=translation.state.title.lower()))
    if translation.state != TranslationState.PUBLISHED:
        raise WorkflowError(_l("Only a published translation can be corrected; this one is "
                               "%(state)s.", state=translation.state.title.lower()))
    published = _published_version(translation)
    if report is not None and segment_key is None:
        segment_key = reported_segment_key(published, report.paragraph)
    correction = Correction(translation=translation, opened_by=actor,
                            published_version_id=published.id if published else None,
                            segment_key=segment_key, note=note.strip())
    db.session.add(correction)
    db.session.flush()
    if report is not None and report.resolved_at is None:
        report.correction_id = correction.id
    to_state = open_state(translation)
    translation.state = to_state
    record_event(actor, "translation.open_correction", translation=translation,
                 from_state=TranslationState.PUBLISHED, to_state=to_state,
                 detail=f"correction {correction.id}"
                        + (f", report {report.id}" if report is not None else ""))
    db.session.flush()
    return correction


def close_correction(actor: User | None, translation: Translation, version: Version,
                     release_at) -> Correction | None:
    """The fixed version was released: close the correction, resolve its reports, tell
    the readers who left an address. Called by the releases; None when nothing was open."""
    correction = open_correction_of(translation)
    if correction is None:
        return None
    now = utcnow()
    correction.closed_at = now
    correction.fixed_version_id = version.id
    statement = translation.statement
    link = portal_url("reader.statement", lang=translation.language_tag, slug=statement.slug)
    for report in correction.reports:
        if report.resolved_at is not None:
            continue
        report.resolved_at = now
        report.resolved_by_id = actor.id if actor is not None else None
        if report.reporter_email:
            queue_email(report.reporter_email, "report_fixed", language=translation.language_tag,
                        translation=translation, version=version, pair=language_pair(translation),
                        title=statement.current_revision.title, link=link,
                        release_at=release_at, report=report)
    record_event(actor, "translation.close_correction", translation=translation,
                 detail=f"correction {correction.id}: version {version.number}, "
                        f"{len(correction.reports)} report(s)")
    db.session.flush()
    return correction


def set_corrections_need_release(actor: User, statement, required: bool) -> bool:
    """Whether approved corrections of a statement wait for a coordinator's release."""
    if not can_release(actor):
        raise NotAllowed(_l("Only coordinators decide how corrections are released."))
    lock(statement)
    if statement.corrections_need_release == required:
        return False
    statement.corrections_need_release = required
    record_event(actor, "statement.corrections_release", statement=statement,
                 detail="coordinator releases corrections" if required
                 else "corrections go live when approved")
    db.session.flush()
    return True


def correction_is_live_on_approval(translation: Translation, version: Version, now) -> bool:
    """An approved correction goes live at once: the statement's current source is public
    and coordinators did not ask to release its corrections themselves."""
    statement = translation.statement
    return (open_correction_of(translation) is not None
            and not statement.corrections_need_release
            and version.source_revision_id == statement.current_revision_id
            and source_is_public(statement, now))

