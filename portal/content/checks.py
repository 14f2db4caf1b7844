"""Quality checks of one translated segment against its source.

Errors block a submit (an empty segment, broken markup, a lost link); warnings are shown to
the translator and the reviewer and block nothing. The text checks that translate-toolkit
already knows (numbers, URLs, ending punctuation, whitespace, repeated words, unchanged
text) come from its StandardChecker; this module adds what is ours: placeables, markup
left broken, punctuation equivalents the toolkit does not know (Devanagari danda, Spanish
opening marks) and a length check that expects Chinese and Japanese to be shorter.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from translate.filters import checks as tt

from portal.content.placeables import (
    INLINE_KINDS,
    _inline_children,
    leftover_tokens,
    placeables_of,
    to_tokens,
)
from portal.models.statements import SegmentKind

ERROR, WARNING = "error", "warning"

KIND_NAMES = {
    "link": _l("link"), "autolink": _l("link"), "url": _l("web address"),
    "em": _l("emphasis"), "strong": _l("strong emphasis"), "code": _l("code"),
    "br": _l("line break"), "image": _l("image"),
}
LINK_KINDS = {"link", "autolink", "url"}

# Ending punctuation that means the same as the source's, beyond what translate-toolkit's
# language classes map.
_EQUIVALENT_ENDINGS = {
    ".": {".", "。", "।", "॥", "۔", "።", "．"},
    "?": {"?", "؟", "？", ";", "՞", "፧"},
    "!": {"!", "！", "¡"},
    ",": {",", "،", "，", "、"},
    ":": {":", "：", "፥"},
    ";": {";", "؛", "；", "፤"},
}
_CJK = {"zh", "ja", "ko", "yue"}
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Problem:
    """One finding: severity (error or warning), a stable code, and a message for people."""

    severity: str
    code: str
    message: str

    @property
    def blocking(self) -> bool:
        """Errors keep a translation from being submitted."""
        return self.severity == ERROR

    def as_dict(self) -> dict:
        """The problem as the editor's script receives it."""
        return {"severity": self.severity, "code": self.code, "message": self.message}


@functools.lru_cache(maxsize=64)
def _checker(target: str) -> tt.StandardChecker:
    language = target.replace("-", "_").split("_")[0].lower()
    return tt.StandardChecker(checkerconfig=tt.CheckerConfig(targetlanguage=language))


def _passes(test: str, target: str, source_text: str, translation: str) -> bool:
    """True when translate-toolkit's named test passes."""
    try:
        return bool(getattr(_checker(target), test)(source_text, translation))
    except tt.FilterFailure:
        return False
    except Exception:  # noqa: BLE001 — a toolkit quirk must never stop a save
        return True


def plain_text(markdown: str) -> str:
    """The words of a segment without its markup: what a reader reads."""
    children = _inline_children(markdown)
    if children is None:
        return markdown
    parts = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _ascii_digits(text: str) -> str:
    """Digits of any script (١٢, १२, ١٢) as 0-9, so numbers compare across scripts."""
    return "".join(str(unicodedata.digit(char)) if unicodedata.category(char) == "Nd" else char
                   for char in text)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _ending_problem(source: str, translation: str, target: str) -> Problem | None:
    source, translation = source.rstrip(), translation.rstrip()
    if not source or not translation:
        return None
    if _passes("endpunc", target, source, translation):
        return None
    end, ending = source[-1], translation[-1]
    if ending in _EQUIVALENT_ENDINGS.get(end, ()):
        return None
    punctuation_end = unicodedata.category(end).startswith("P")
    punctuation_ending = unicodedata.category(ending).startswith("P")
    if punctuation_end and punctuation_ending:
        message = _l("The original ends with “%(source)s”, the translation with “%(ending)s”.",
                     source=end, ending=ending)
    elif punctuation_end:
        message = _l("The original ends with “%(source)s”; the translation does not.",
                     source=end)
    elif punctuation_ending:
        message = _l("The translation ends with “%(ending)s”; the original does not.",
                     ending=ending)
    else:
        return None
    return Problem(WARNING, "ending", str(message))


def _spanish_problem(translation: str, target: str) -> Problem | None:
    if _primary(target) not in {"es", "gl", "ast"}:
        return None
    text = translation.rstrip()
    for closing, opening in (("?", "¿"), ("!", "¡")):
        if text.endswith(closing) and opening not in text:
            return Problem(WARNING, "opening-mark", str(_l(
                "A question or exclamation in this language opens with “%(mark)s”.",
                mark=opening)))
    return None


def _length_problem(source: str, translation: str, target: str) -> Problem | None:
    source_length, length = len(source.strip()), len(translation.strip())
    if source_length < 20 or not length:
        return None  # short texts vary too much to judge
    low, high = (0.15, 1.5) if _primary(target) in _CJK else (0.4, 2.5)
    ratio = length / source_length
    if ratio < low:
        return Problem(WARNING, "short", str(_l(
            "Much shorter than the original: is something missing?")))
    if ratio > high:
        return Problem(WARNING, "long", str(_l(
            "Much longer than the original: is something added or repeated?")))
    return None


def _placeable_problems(source: str, translation: str, kind: SegmentKind) -> list[Problem]:
    if kind not in INLINE_KINDS:
        return []
    expected = placeables_of(source, kind)
    problems: list[Problem] = []
    numbers = {placeable.number for placeable in expected}
    leftovers = leftover_tokens(translation)
    broken = [token for token, number in leftovers if number in numbers]
    unknown = [token for token, number in leftovers if number not in numbers]
    if broken:  # a placeable of the original, unpaired or crossing another
        problems.append(Problem(ERROR, "broken-markup", str(_l(
            "Broken markup: %(tokens)s must each be closed, in order, and not cross another "
            "(for example [1]…[/1]).", tokens=" ".join(dict.fromkeys(broken))))))
    if unknown:  # perhaps meant as text: kept as typed
        problems.append(Problem(WARNING, "unknown-placeable", str(_l(
            "%(tokens)s: the original has no such placeable; it is shown as typed.",
            tokens=" ".join(dict.fromkeys(unknown))))))
    if not expected and _inline_children(translation) is None:
        return problems
    _, matched = to_tokens(translation, expected)
    _, own = to_tokens(translation)
    found = {placeable.number for placeable in matched}
    for placeable in expected:
        if placeable.number in found:
            continue
        name = str(KIND_NAMES.get(placeable.kind, placeable.kind))
        if placeable.kind in LINK_KINDS:
            problems.append(Problem(ERROR, "lost-link", str(_l(
                "The %(name)s %(number)d (%(target)s) is missing.", name=name,
                number=placeable.number, target=placeable.target))))
        else:
            problems.append(Problem(WARNING, "missing-placeable", str(_l(
                "The %(name)s %(number)d of the original is missing.", name=name,
                number=placeable.number))))
    extra = len(own) - len(matched)
    if extra > 0:
        problems.append(Problem(WARNING, "extra-markup", str(_l(
            "Markup that is not in the original: check links, emphasis and code.")))
        )
    return problems


def check_segment(source: str, translation: str, source_tag: str, target_tag: str,
                  kind: SegmentKind = SegmentKind.PARAGRAPH) -> list[Problem]:
    """Every problem of one translated segment, errors first."""
    if not translation.strip():
        return [Problem(ERROR, "empty", str(_l("Not translated yet.")))]
    problems = _placeable_problems(source, translation, kind)
    source_plain, plain = plain_text(source), plain_text(translation)
    if kind not in INLINE_KINDS and not _passes("urls", target_tag, source_plain, plain):
        lost = [url for url in _URL.findall(source_plain) if url not in plain]
        if lost:
            problems.append(Problem(ERROR, "lost-link", str(_l(
                "A web address of the original is missing: %(urls)s",
                urls=", ".join(lost)))))
        else:
            problems.append(Problem(WARNING, "urls", str(_l(
                "The web addresses are not the same as in the original."))))
    source_digits = _URL.sub(" ", _ascii_digits(source_plain))
    digits = _URL.sub(" ", _ascii_digits(plain))
    if not _passes("numbers", target_tag, source_digits, digits):
        numbers = re.findall(r"\d+(?:[.,:/-]\d+)*", source_digits)
        problems.append(Problem(WARNING, "numbers", str(_l(
            "The numbers or dates differ from the original (%(numbers)s).",
            numbers=", ".join(numbers) or "—"))))
    if not _passes("startwhitespace", target_tag, source, translation) or \
            not _passes("endwhitespace", target_tag, source, translation):
        problems.append(Problem(WARNING, "whitespace", str(_l(
            "Space at the beginning or end."))))
    if not _passes("doublespacing", target_tag, source_plain, plain):
        problems.append(Problem(WARNING, "double-space", str(_l("Double space."))))
    if not _passes("doublewords", target_tag, source_plain, plain):
        problems.append(Problem(WARNING, "repeated-word", str(_l("A word is repeated."))))
    if plain.strip() == source_plain.strip() or \
            not _passes("unchanged", target_tag, source_plain, plain):
        problems.append(Problem(WARNING, "unchanged", str(_l(
            "Same as the original: is it translated?"))))
    for found in (_ending_problem(source_plain, plain, target_tag),
                  _spanish_problem(plain, target_tag),
                  _length_problem(source_plain, plain, target_tag)):
        if found is not None:
            problems.append(found)
    return sorted(problems, key=lambda problem: problem.severity != ERROR)
