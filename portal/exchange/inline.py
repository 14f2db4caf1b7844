"""Inline Markdown of a segment as codes a translation tool protects, and back.

Links, emphasis, strong emphasis, code, images, autolinks and hard line breaks become
numbered codes: a pair (`<g>`/`<pc>` in XLIFF, `<1>…</1>` in PO) around text that is
translated, or a placeholder (`<x>`/`<ph>`, `<3/>`) for what is not. A code carries only
its number: the Markdown it stands for — a link's address above all — stays in the
portal and is taken from the source segment again on upload, so nobody edits a URL in a
translation tool. Text between codes is the segment's Markdown as written (escapes
included), so what a translator leaves alone comes back unchanged.
"""

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

# "text_join" would fold escapes and entities into plain text; kept apart, their source
# form survives the round trip.
_parser = MarkdownIt("commonmark", {"html": False}).disable("text_join")

PAIRED = ("emphasis", "strong", "link")


@dataclass
class Code:
    """One inline code: its number, what it is, and the Markdown around or in its place."""

    id: int
    kind: str  # emphasis, strong, link; code, image, autolink, break
    start: str  # the Markdown before the content (a placeholder's whole Markdown)
    end: str = ""
    children: list = field(default_factory=list)  # of str and Code; pairs only
    # What a translation tool may show as the code's native text (never a link address).
    display: str = ""

    @property
    def paired(self) -> bool:
        return self.kind in PAIRED


def parse_inline(text: str) -> list:
    """A segment's Markdown as a list of text (str) and Code, codes numbered from 1."""
    tokens = _parser.parseInline(text)[0].children or []
    root: list = []
    stack: list[list] = [root]
    counter = iter(range(1, 10_000))
    for token in tokens:
        here = stack[-1]
        kind = token.type
        if kind in ("text", "text_special"):
            _append_text(here, token.markup if kind == "text_special" else token.content)
        elif kind == "softbreak":
            _append_text(here, "\n")
        elif kind == "hardbreak":
            here.append(Code(next(counter), "break", "\\\n"))
        elif kind == "code_inline":
            here.append(Code(next(counter), "code", _code_span(token.markup, token.content),
                             display=token.content))
        elif kind == "image":
            here.append(Code(next(counter), "image", _image(token), display=token.content))
        elif kind == "link_open" and token.markup == "autolink":
            href = token.attrGet("href") or ""
            here.append(Code(next(counter), "autolink", "", display=href))
            stack.append([])  # the autolink's text: folded into its placeholder on close
            stack[-1].append(here[-1])
        elif kind in ("em_open", "strong_open", "link_open"):
            code = Code(next(counter), {"em_open": "emphasis", "strong_open": "strong"}
                        .get(kind, "link"), *_pair_markup(token))
            here.append(code)
            stack.append(code.children)
        elif kind in ("em_close", "strong_close", "link_close"):
            closed = stack.pop()
            if closed and isinstance(closed[0], Code) and closed[0].kind == "autolink":
                autolink = closed[0]
                autolink.start = "<" + "".join(p for p in closed[1:] if isinstance(p, str)) \
                    + ">"
        else:  # html is off; anything else is kept as its text
            _append_text(here, token.content)
    return root


def _append_text(parts: list, text: str) -> None:
    if parts and isinstance(parts[-1], str):
        parts[-1] += text
    elif text:
        parts.append(text)


def _code_span(markup: str, content: str) -> str:
    # A span that starts or ends with a backtick (or with spaces) needs a space of padding.
    pad = " " if content[:1] in ("`", " ") or content[-1:] in ("`", " ") else ""
    return f"{markup}{pad}{content}{pad}{markup}"


def _destination(href: str, title: str | None) -> str:
    if any(char in href for char in " ()<>"):
        href = "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    if title:
        escaped = title.replace("\\", "\\\\").replace('"', '\\"')
        return f'({href} "{escaped}")'
    return f"({href})"


def _image(token) -> str:
    alt = token.content.replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]" + _destination(token.attrGet("src") or "", token.attrGet("title"))


def _pair_markup(token) -> tuple[str, str]:
    if token.type == "link_open":
        return "[", "]" + _destination(token.attrGet("href") or "", token.attrGet("title"))
    return token.markup, token.markup


def to_markdown(parts: list) -> str:
    """Markdown again from parsed parts."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.paired:
            out.append(part.start + to_markdown(part.children) + part.end)
        else:
            out.append(part.start)
    return "".join(out)


def codes_by_id(parts: list) -> dict[int, Code]:
    """Every code of parsed parts, nested ones included, by number."""
    found: dict[int, Code] = {}
    for part in parts:
        if isinstance(part, Code):
            found[part.id] = part
            found.update(codes_by_id(part.children))
    return found


def align(target: list, source: list) -> list | None:
    """The target's parts renumbered as the source's codes, or None if one has no match.

    A draft's link or emphasis is matched to the source code of the same Markdown, in
    order, so a draft written in the editor can be exported with the source's codes.
    """
    available = list(codes_by_id(source).values())

    def renumber(parts: list) -> list | None:
        result = []
        for part in parts:
            if isinstance(part, str):
                result.append(part)
                continue
            match = next((code for code in available if code.kind == part.kind
                          and code.start == part.start and code.end == part.end), None)
            if match is None:
                return None
            available.remove(match)
            children = renumber(part.children)
            if children is None:
                return None
            result.append(Code(match.id, match.kind, match.start, match.end, children,
                               match.display))
        return result

    return renumber(target)


class DamagedMarkup(ValueError):
    """A translated unit names a code its source does not have, or one code twice."""


def rebuild(target: list, source: list) -> str:
    """Markdown of a translated unit whose codes refer to the source's codes by number.

    Each code's Markdown is the source's, whatever the file said; a code the source does
    not have, or one used twice, raises DamagedMarkup.
    """
    known = codes_by_id(source)
    seen: set[int] = set()

    def walk(parts: list) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            code = known.get(part.id)
            if code is None or part.id in seen or code.paired != part.paired:
                raise DamagedMarkup(part.id)
            seen.add(part.id)
            out.append(code.start + walk(part.children) + code.end if code.paired
                       else code.start)
        return "".join(out)

    return walk(target)


# PO files carry codes as <1>…</1> and <3/>: tags translators know from other software.
_PO_CODE = re.compile(r"<(/?)(\d{1,4})(/?)>")


def to_placeholders(parts: list) -> str:
    """Parsed parts as PO text: pairs as <n>…</n>, placeholders as <n/>."""
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part.paired:
            out.append(f"<{part.id}>{to_placeholders(part.children)}</{part.id}>")
        else:
            out.append(f"<{part.id}/>")
    return "".join(out)


def from_placeholders(text: str, source: list) -> list:
    """PO text back into parts; tags of numbers the source has no code for stay text."""
    known = codes_by_id(source)
    root: list = []
    stack: list[tuple[Code | None, list]] = [(None, root)]
    position = 0
    for match in _PO_CODE.finditer(text):
        closing, number, empty = match.group(1), int(match.group(2)), match.group(3)
        code = known.get(number)
        if code is None or (closing and empty):
            continue
        _append_text(stack[-1][1], text[position:match.start()])
        position = match.end()
        if empty:
            stack[-1][1].append(Code(number, code.kind, ""))
        elif closing:
            if stack[-1][0] is None or stack[-1][0].id != number:
                raise DamagedMarkup(number)
            stack.pop()
        else:
            opened = Code(number, code.kind, "")
            stack[-1][1].append(opened)
            stack.append((opened, opened.children))
    if len(stack) != 1:
        raise DamagedMarkup(stack[-1][0].id)
    _append_text(root, text[position:])
    return root


def describe_codes(parts: list) -> str:
    """What each code stands for, for a note beside a PO entry (never a link's address)."""
    names = {"emphasis": "emphasis", "strong": "strong emphasis", "link": "link",
             "code": "code", "image": "image", "autolink": "web address", "break": "line break"}
    lines = []
    for number, code in sorted(codes_by_id(parts).items()):
        tag = f"<{number}>…</{number}>" if code.paired else f"<{number}/>"
        extra = f": {code.display}" if code.kind in ("code", "image") and code.display else ""
        lines.append(f"{tag} {names[code.kind]}{extra}")
    return "\n".join(lines)
