"""Forms of the desk: confirmations, releasing a claim, review decisions, editor fields."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

# A generous cap for one segment (a long table is one segment); stops runaway posts.
MAX_SEGMENT_LENGTH = 50_000


class ConfirmForm(FlaskForm):
    """Nothing but the CSRF token, and where to go back to if the workflow refuses."""

    back = HiddenField()


class ReleaseForm(ConfirmForm):
    """Give a claim back, optionally saying why (the coordinators see it in the log)."""

    reason = TextAreaField(_l("Reason (optional)"),
                           validators=[Optional(), Length(max=1000)])


class DecisionForm(ConfirmForm):
    """A reviewer's verdict; the two buttons post `decision`."""

    comment = TextAreaField(_l("Comment for the translator"),
                            validators=[Optional(), Length(max=5000)])
    decision = SelectField(choices=[SelectChoice("approve", _l("Approve")),
                                    SelectChoice("changes", _l("Request changes"))],
                           validators=[DataRequired()])


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
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a real revision: the save is refused as stale, nothing overwritten


def segment_edits(formdata, keys: list[str]) -> list[SegmentEdit]:
    """The editor's `text-<key>` / `revision-<key>` fields, for the segment keys given."""
    edits = []
    for key in dict.fromkeys(keys):
        name = f"text-{key}"
        if name in formdata:
            edits.append(SegmentEdit(key, _text(formdata[name]),
                                     _revision(formdata.get(f"revision-{key}", "0"))))
    return edits


def segment_save(payload) -> tuple[str, int] | None:
    """(text, revision) from the script's JSON body, or None when it is malformed."""
    if not isinstance(payload, dict):
        return None
    text, revision = payload.get("text"), payload.get("revision")
    if not isinstance(text, str) or len(text) > MAX_SEGMENT_LENGTH:
        return None
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        return None
    return _text(text), revision
