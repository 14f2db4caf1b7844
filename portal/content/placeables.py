"""Inline markup as numbered placeables, so translators never type a URL or an asterisk.

A source paragraph such as ``Read [our report](https://example.org) *now*`` is shown to the
translator as ``Read [1]our report[/1] [2]now[/2]``: paired tokens ``[n]…[/n]`` stand for
links, emphasis and strong emphasis, standalone tokens ``{n}`` for inline code, line breaks,
images and URLs. The translator moves the tokens; the server turns the token text back into
Markdown with the source's link targets, so what is stored (and rendered for readers) stays
Markdown. Everything else in token text passes through as Markdown, so text typed by hand
before placeables existed, or imported from elsewhere, keeps working.

Numbering comes from the source. A translation's Markdown is shown with the same numbers by
matching its markup to the source's (a link by its target, code by its content, emphasis by
order); markup with no counterpart in the source stays visible as Markdown, and the checks
(`portal.content.checks`) say so.
"""

import functools
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from portal.models.statements import SegmentKind

_parser = MarkdownIt("commonmark", {"html": False}).enable("table")

# Kinds of segment whose text is one Markdown paragraph's inline content.
INLINE_KINDS = {SegmentKind.PARAGRAPH, SegmentKind.HEADING, SegmentKind.LIST_ITEM,
                SegmentKind.QUOTE}

PAIRED = {"link", "em", "strong"}
# A bare web address in running text; trailing sentence punctuation is not part of it.
_BARE_URL = re.compile(r"https?://[\w\-.~:/?#@!$&'()*+,;=%]*[\w\-~/#=&%+]")
# Line starts that would turn a paragraph into a list, heading, quote or rule.
# A block quote needs no space after its ">" (CommonMark), so ">" always starts one.
_BLOCK_START = re.compile(r"^([ \t]*)(\d{1,9}(?=[.)](?:\s|$))|[-+=](?=\s|$|#)|[>#])", re.M)
_MARKUP = re.compile(r"[*_`<\\]|\]\(|https?://")
# Placeables are numbered from 1: "{0}" is text (a format string, say), never a token.
TOKEN = re.compile(r"(?<!\\)(?:\[(/?)([1-9]\d{0,2})\]|\{([1-9]\d{0,2})\})")
# Characters that would otherwise start Markdown markup, or look like a token.
_ESCAPE = re.compile(r"[`*\[\]]|\\(?=[!-/:-@\[-`{-~]|$)|<(?=[A-Za-z/!?])|\{(?=[1-9]\d{0,2}\})"
                     r"|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Placeable:
    """One piece of inline markup: its number, kind and the Markdown it stands for."""

    number: int
    kind: str  # link, em, strong, code, br, url, autolink, image
    open: str  # Markdown before the content (paired) or the whole markup (standalone)
    close: str = ""  # Markdown after the content (paired only)
    target: str = ""  # a link's or URL's address, code's content: what must be kept

    @property
    def paired(self) -> bool:
        """True when the placeable wraps translated text ([n]…[/n])."""
        return self.kind in PAIRED

    @property
    def signature(self) -> tuple[str, str]:
        """What makes a translation's markup the same placeable as the source's."""
        return (self.kind, self.target)

    def as_dict(self) -> dict:
        """The placeable for the editor's script and templates."""
        return {"number": self.number, "kind": self.kind, "paired": self.paired,
                "target": self.target}


def escape_text(text: str) -> str:
    """Plain text as Markdown that shows it literally (and never reads as a token)."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), text)


def _escape_block_start(match: re.Match) -> str:
    marker = match.group(2)
    if marker[0].isdigit():  # "1." → "1\." : an ordered list marker no more
        return match.group(1) + marker + "\\"
    return match.group(1) + "\\" + marker


@functools.lru_cache(maxsize=2048)
def _inline_children(markdown: str) -> tuple | None:
    """The inline tokens of Markdown that is exactly one paragraph, else None.

    Cached: an editor page parses each source and draft several times (tokens, checks);
    callers only read the tokens.
    """
    tokens = _parser.parse(markdown)
    if len(tokens) != 3 or tokens[0].type != "paragraph_open" or tokens[1].type != "inline":
        return None
    return tuple(tokens[1].children or ())


def _code_markdown(content: str, fence: str) -> str:
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _link_close(href: str, title: str | None) -> str:
    target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    if title:
        escaped = title.replace("\\", "\\\\").replace('"', '\\"')
        return f']({target} "{escaped}")'
    return f"]({target})"


def _text_parts(text: str):
    """Plain text split into ('text', …) and ('url', …) parts."""
    position = 0
    for match in _BARE_URL.finditer(text):
        if match.start() > position:
            yield "text", text[position:match.start()]
        yield "url", match.group(0)
        position = match.end()
    if position < len(text):
        yield "text", text[position:]


def _walk(children):
    """The inline stream as ('text', str) and ('open'|'close'|'single', Placeable-ish) items.

    Placeables here are numbered 0; the callers number them.
    """
    index = 0
    while index < len(children):
        token = children[index]
        kind = token.type
        if kind == "link_open" and token.markup == "autolink":
            # <https://…>: the address is the whole thing; skip its text and close.
            href = str(token.attrs.get("href", ""))
            source = children[index + 1].content if index + 1 < len(children) else href
            yield "single", Placeable(0, "autolink", f"<{source}>", target=href)
            index += 3
            continue
        if kind == "link_open":
            href = str(token.attrs.get("href", ""))
            title = token.attrs.get("title")
            yield "open", Placeable(0, "link", "[", _link_close(href, title and str(title)),
                                    target=href)
        elif kind in ("em_open", "strong_open"):
            name = kind[:-5]
            yield "open", Placeable(0, name, token.markup, token.markup)
        elif kind in ("link_close", "em_close", "strong_close"):
            yield "close", kind[:-6]
        elif kind == "code_inline":
            yield "single", Placeable(0, "code", _code_markdown(token.content, token.markup),
                                      target=token.content)
        elif kind == "hardbreak":
            yield "single", Placeable(0, "br", "\\\n")
        elif kind == "softbreak":
            yield "text", "\n"
        elif kind == "image":
            src = str(token.attrs.get("src", ""))
            alt = escape_text(token.content)
            yield "single", Placeable(0, "image", f"![{alt}{_link_close(src, None)}",
                                      target=src)
        elif kind == "text":
            for part, value in _text_parts(token.content):
                if part == "url":
                    yield "single", Placeable(0, "url", value, target=value)
                else:
                    yield "text", value
        else:  # anything else inline (html is off): keep its text
            yield "text", token.content
        index += 1


def _edges(markdown: str) -> tuple[str, str]:
    stripped = markdown.strip()
    if not stripped:
        return markdown, ""
    start = markdown.index(stripped[0])
    return markdown[:start], markdown[start + len(stripped):]


def to_tokens(markdown: str, source: list[Placeable] | None = None) -> tuple[str, list[Placeable]]:
    """Markdown → (token text, placeables).

    Without `source`, the placeables are numbered in order (this is how a source paragraph
    is shown). With the source's placeables, a translation's markup takes the number of the
    matching source placeable; markup without a match stays as Markdown in the text.
    """
    children = _inline_children(markdown)
    if children is None:  # not a single paragraph (a multi-block list item): as it is
        return markdown, []
    lead, trail = _edges(markdown)
    unused = list(source) if source is not None else None
    found: list[Placeable] = []
    out: list[str] = []
    stack: list[tuple[str, Placeable | None]] = []

    def number_for(placeable: Placeable) -> Placeable | None:
        if unused is None:
            numbered = Placeable(len(found) + 1, placeable.kind, placeable.open,
                                 placeable.close, placeable.target)
            found.append(numbered)
            return numbered
        for candidate in unused:
            if candidate.signature == placeable.signature:
                unused.remove(candidate)
                found.append(candidate)
                return candidate
        return None

    for item, value in _walk(children):
        if item == "text":
            out.append(escape_text(value))
        elif item == "single":
            numbered = number_for(value)
            if numbered is None:
                out.append(value.open)
            else:
                out.append(f"{{{numbered.number}}}" + ("\n" if value.kind == "br" else ""))
        elif item == "open":
            numbered = number_for(value)
            stack.append((value.kind, numbered if numbered else value))
            out.append(f"[{numbered.number}]" if numbered else value.open)
        else:  # close
            _, opened = stack.pop() if stack else (value, None)
            if opened is None:
                continue
            if opened.number:
                out.append(f"[/{opened.number}]")
            else:
                out.append(opened.close)
    text = _BLOCK_START.sub(_escape_block_start, "".join(out))
    return lead + text + trail, found if source is None else sorted(found,
                                                                     key=lambda p: p.number)


def to_markdown(token_text: str, placeables: list[Placeable]) -> str:
    """Token text → Markdown: each known, well-nested token becomes its Markdown.

    A token that is unknown, unpaired or crosses another is left as typed, so nothing is
    lost and the checks report it as broken markup.
    """
    by_number = {placeable.number: placeable for placeable in placeables}
    matches = list(TOKEN.finditer(token_text))
    replace: dict[int, str] = {}  # match index → Markdown
    stack: list[tuple[int, int]] = []  # (number, match index) of open paired tokens
    for index, match in enumerate(matches):
        closing, paired_number, single_number = match.groups()
        if single_number is not None:
            placeable = by_number.get(int(single_number))
            if placeable is not None and not placeable.paired:
                replace[index] = placeable.open
            continue
        number = int(paired_number)
        placeable = by_number.get(number)
        if placeable is None or not placeable.paired:
            continue
        if not closing:
            stack.append((number, index))
        elif stack and stack[-1][0] == number:
            _, opened = stack.pop()
            replace[opened] = placeable.open
            replace[index] = placeable.close
        elif any(open_number == number for open_number, _ in stack):
            # Crossed (…[1]…[2]…[/1]…[/2]): leave both as typed.
            while stack and stack[-1][0] != number:
                stack.pop()
            stack.pop()
    out, position = [], 0
    for index, match in enumerate(matches):
        if index not in replace:
            continue
        out.append(token_text[position:match.start()])
        out.append(replace[index])
        position = match.end()
        if replace[index].endswith("\n") and token_text.startswith("\n", position):
            position += 1  # the line end after a break token belongs to it
    out.append(token_text[position:])
    return "".join(out)


def leftover_tokens(markdown: str) -> list[tuple[str, int]]:
    """(token, number) of tokens still in stored Markdown: unknown, unpaired or crossed."""
    return [(match.group(0), int(match.group(2) or match.group(3)))
            for match in TOKEN.finditer(markdown)]


def placeables_of(markdown: str, kind: SegmentKind | None = None) -> list[Placeable]:
    """The numbered placeables of a source segment (none for titles, summaries, blocks)."""
    if kind is not None and kind not in INLINE_KINDS:
        return []
    return to_tokens(markdown)[1]


def source_tokens(markdown: str, kind: SegmentKind | None = None) -> tuple[str, list[Placeable]]:
    """A source segment as the translator sees it: token text and its placeables."""
    if kind is not None and kind not in INLINE_KINDS:
        return markdown, []
    return to_tokens(markdown)


def draft_tokens(markdown: str, source: list[Placeable]) -> str:
    """A stored translation shown in the editor, with the source's numbers."""
    if not source:
        return markdown
    return to_tokens(markdown, source)[0]


def draft_markdown(token_text: str, source: list[Placeable]) -> str:
    """What the editor posted, as the Markdown to store."""
    if not source:
        return token_text
    return to_markdown(token_text, source)


def has_markup(markdown: str) -> bool:
    """True when Markdown renders as more than its words (worth a preview)."""
    return bool(_MARKUP.search(markdown))


def placeable_html(token_text: str) -> Markup:
    """Token text as HTML with each token marked, for showing a source paragraph."""
    escaped = str(escape(token_text))
    return Markup(TOKEN.sub(lambda m: f'<span class="ph">{m.group(0)}</span>', escaped))
