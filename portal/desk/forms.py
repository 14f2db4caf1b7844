"""Forms of the desk: confirmations, releasing a claim, review decisions, editor fields."""

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.inputs import PortalForm, has_control_characters, strip_control_characters

# A generous cap for one segment (a long table is one segment); stops runaway posts.
MAX_SEGMENT_LENGTH = 50_000
# The autosave body is one segment as JSON: room for MAX_SEGMENT_LENGTH characters even if
# each is escaped as \uXXXX. Anything larger is refused unread (413).
MAX_SAVE_BYTES = 6 * MAX_SEGMENT_LENGTH + 4096
# Drafts count their saves in a 32-bit column.
MAX_REVISION = 2**31 - 1
MAX_RELEASE_REASON = 1_000
MAX_COMMENT = 5_000
TOO_LONG = _l("Use at most %(max)d characters.")


class ConfirmForm(PortalForm):
    """Nothing but the CSRF token, and where to go back to if the workflow refuses."""

    back = HiddenField()


class ReleaseForm(ConfirmForm):
    """Give a claim back, optionally saying why (the coordinators see it in the log)."""

    reason = TextAreaField(_l("Reason (optional)"),
                           validators=[Optional(),
                                       Length(max=MAX_RELEASE_REASON, message=TOO_LONG)])


class DecisionForm(ConfirmForm):
    """A reviewer's verdict; the two buttons post `decision`."""

    comment = TextAreaField(_l("Comment for the translator"),
                            validators=[Optional(), Length(max=MAX_COMMENT, message=TOO_LONG)])
    decision = SelectField(choices=[SelectChoice("approve", _l("Approve")),
                                    SelectChoice("changes", _l("Request changes"))],
                           validators=[DataRequired()])


class CorrectionForm(ConfirmForm):
    """Open a correction: which paragraph is wrong (optional) and a note for the translator."""

    report = HiddenField()
    segment = SelectField(_l("Which paragraph is wrong?"), validators=[Optional()],
                          validate_choice=False)
    note = TextAreaField(_l("What is wrong (optional)"),
                         validators=[Optional(), Length(max=MAX_COMMENT, message=TOO_LONG)])


def paragraph_notes(formdata, positions) -> dict[int, str]:
    """The review form's `note-<position>` fields: comments on single paragraphs."""
    notes = {}
    for position in positions:
        text = strip_control_characters(formdata.get(f"note-{position}", "")).strip()
        if text:
            notes[position] = _text(text)[:MAX_COMMENT]
    return notes


@dataclass(frozen=True)
class SegmentEdit:
    """One segment's text as posted, and the draft revision it was typed over."""

    key: str
    text: str
    revision: int


def _text(value: str) -> str:
    # Browsers post textareas with CRLF; the script and the store use LF.
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _revision(value) -> int:
    try:
        revision = int(value)
    except (TypeError, ValueError):
        revision = -1
    # -1 is never a real revision: the save is refused as stale, nothing overwritten.
    return revision if 0 <= revision <= MAX_REVISION else -1


def segment_edits(formdata, keys: list[str]) -> list[SegmentEdit]:
    """The editor's `text-<key>` / `revision-<key>` fields, for the segment keys given."""
    edits = []
    for key in dict.fromkeys(keys):
        name = f"text-{key}"
        if name in formdata:
            # Typed text: invisible control characters are dropped, as in every form.
            edits.append(SegmentEdit(key, _text(strip_control_characters(formdata[name])),
                                     _revision(formdata.get(f"revision-{key}", "0"))))
    return edits


class RefusedSave(ValueError):
    """An autosave body that cannot be saved; the message says why, for the editor."""


def segment_save(body: bytes) -> tuple[str, int]:
    """(text, revision) from the script's JSON body; RefusedSave when it is unusable."""
    unreadable = _("The editor sent something the portal cannot read. Reload the page and "
                   "try again.")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the stack
        raise RefusedSave(unreadable) from None
    if not isinstance(payload, dict):
        raise RefusedSave(unreadable)
    text, revision = payload.get("text"), payload.get("revision")
    if not isinstance(text, str) or not isinstance(revision, int) or isinstance(revision, bool):
        raise RefusedSave(unreadable)
    if not 0 <= revision <= MAX_REVISION:
        raise RefusedSave(_("The revision must be a whole number from 0 to %(max)d.",
                            max=MAX_REVISION))
    if len(text) > MAX_SEGMENT_LENGTH:
        raise RefusedSave(_("A paragraph can have at most %(max)d characters.",
                            max=MAX_SEGMENT_LENGTH))
    if has_control_characters(text):
        raise RefusedSave(_("The text contains invisible control characters, which cannot be "
                            "saved. Remove them and try again."))
    return _text(text), revision
