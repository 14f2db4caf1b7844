"""Differences between texts: word diffs, and which segments a new revision changed."""

import difflib
import re

from markupsafe import Markup, escape

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> Markup:
    """HTML of `new` with removed words in <del> and added words in <ins>."""
    old_words, new_words = _TOKEN.findall(old), _TOKEN.findall(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(old_words[a1:a2]), "".join(new_words[b1:b2])
        if operation == "equal":
            parts.append(str(escape(added)))
            continue
        if removed:
            parts.append(f"<del>{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{escape(added)}</ins>")
    return Markup("".join(parts))


def previous_texts(old_segments: list, new_segments: list) -> dict[int, str]:
    """For each changed position of the new segments, the old text it replaced, if any.

    Segments are compared by key: unchanged ones are skipped; a replaced run is paired
    position by position, so an edited paragraph is diffed against its former self.
    """
    matcher = difflib.SequenceMatcher(
        a=[segment.key for segment in old_segments],
        b=[segment.key for segment in new_segments], autojunk=False,
    )
    previous: dict[int, str] = {}
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            continue
        for offset, new_index in enumerate(range(b1, b2)):
            old_index = a1 + offset
            previous[new_segments[new_index].position] = (
                old_segments[old_index].text if old_index < a2 else ""
            )
    return previous
