"""What the checks say about a translation: per segment for the editor and the review, and
which problems keep a submit from happening (empty segments, broken markup, lost links)."""

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l

from portal.content.checks import Problem, check_segment, plain_text
from portal.content.placeables import Placeable, draft_markdown, placeables_of
from portal.models import SourceSegment, Translation
from portal.workflow.errors import WorkflowError

MAX_NAMED = 8  # paragraphs named in one message; the rest are counted


def source_placeables(segment: SourceSegment) -> list[Placeable]:
    """The numbered placeables of a source segment."""
    return placeables_of(segment.text, segment.kind)


def stored_text(segment: SourceSegment, posted: str) -> str:
    """What the editor posted (token text) as the Markdown to store."""
    return draft_markdown(posted, source_placeables(segment))


def problems_of(segment: SourceSegment, text: str, source_tag: str,
                target_tag: str) -> list[Problem]:
    """The checks' findings for one stored translation of a segment; none while it is empty."""
    if not text.strip():
        return []
    return check_segment(segment.text, text, source_tag, target_tag, segment.kind)


def excerpt(segment: SourceSegment, length: int = 32) -> str:
    """The start of a segment's words, to name it in a message."""
    flat = " ".join(plain_text(segment.text).split())
    if len(flat) <= length:
        return flat
    cut = flat[:length - 1]
    if " " in cut[length // 2:]:  # end on a whole word where the words have spaces
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _name(number: int, segment: SourceSegment) -> str:
    return f"{number} (“{excerpt(segment)}”)"


class UnfinishedTranslation(WorkflowError):
    """A submit refused by the checks; `first` is the number of the first segment to fix."""

    status = 400

    def __init__(self, message, first: int):
        super().__init__(message)
        self.first = first


def check_submittable(translation: Translation, drafts: dict) -> None:
    """Raise UnfinishedTranslation naming every empty or broken segment, else nothing."""
    statement = translation.statement
    segments = statement.current_revision.segments
    empty: list[tuple[int, SourceSegment]] = []
    broken: list[tuple[int, SourceSegment, Problem]] = []
    seen: set[str] = set()
    for number, segment in enumerate(segments, start=1):
        if segment.key in seen:  # a repeated paragraph is translated at its first place
            continue
        seen.add(segment.key)
        draft = drafts.get(segment.key)
        text = draft.text if draft else ""
        if not text.strip():
            empty.append((number, segment))
            continue
        for problem in problems_of(segment, text, statement.source_language_tag,
                                   translation.language_tag):
            if problem.blocking:
                broken.append((number, segment, problem))
    if not empty and not broken:
        return
    sentences = []
    if len(empty) == 1:
        number, segment = empty[0]
        sentences.append(str(_l("Paragraph %(name)s is empty.", name=_name(number, segment))))
    elif empty:
        names = [_name(number, segment) for number, segment in empty[:MAX_NAMED]]
        if len(empty) > MAX_NAMED:
            names.append(str(_l("%(count)d more", count=len(empty) - MAX_NAMED)))
        sentences.append(ngettext(
            "%(num)d of %(total)d paragraphs are not translated yet: %(names)s.",
            "%(num)d of %(total)d paragraphs are not translated yet: %(names)s.",
            len(empty), total=len(segments), names=format_list(names, locale=get_locale())))
    for number, segment, problem in broken[:MAX_NAMED]:
        sentences.append(str(_l("Paragraph %(name)s: %(problem)s", name=_name(number, segment),
                                problem=problem.message)))
    first = min([number for number, _ in empty] + [number for number, _, _ in broken])
    raise UnfinishedTranslation(" ".join(sentences), first)

