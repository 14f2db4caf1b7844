"""Files for translating offline: XLIFF 1.2, XLIFF 2.0 and PO, written and read back.

One unit per distinct source segment. Its id is `<segment key>.<draft revision>`: the
segment key is the hash of the source text (portal.content.segments), so a unit whose
source has changed since the export is recognised on upload, and the draft revision is
the one the file was made from, so the upload obeys the editor's rule that nothing saved
in the meantime is overwritten unseen. The file names its statement and language (XLIFF
`original`, PO header `X-Statement`) so a file for other work is refused.

Inline Markdown travels as codes (portal.exchange.inline). Title and "block" segments are
plain text: titles are not Markdown, blocks (tables, code) are kept as written.
"""

import re
from dataclasses import dataclass

from lxml import etree
from translate.storage import po
from translate.storage.poparser import PoParseError

from portal.exchange.inline import (
    Code,
    align,
    describe_codes,
    from_placeholders,
    parse_inline,
    to_placeholders,
)
from portal.exchange.safexml import XmlRefused, parse_xml
from portal.models import SegmentKind

XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF20 = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# format name → (file extension, media type, what people call it)
FORMATS = {
    "xliff12": ("xlf", "application/xliff+xml", "XLIFF 1.2"),
    "xliff20": ("xlf", "application/xliff+xml", "XLIFF 2.0"),
    "po": ("po", "text/x-gettext-translation", "PO (gettext)"),
}

_UNIT_ID = re.compile(r"^([0-9a-f]{16})\.(\d{1,9})$")
_PLAIN_KINDS = (SegmentKind.TITLE, SegmentKind.VERBATIM)


def source_parts(kind: SegmentKind, text: str) -> list:
    """A source segment as parts: Markdown codes, or one plain text for titles and blocks."""
    return [text] if kind in _PLAIN_KINDS else parse_inline(text)


@dataclass
class ExportUnit:
    """One unit of an offline file: a distinct source segment and its current draft."""

    key: str
    revision: int
    kind: SegmentKind
    number: int  # the paragraph's number in the editor
    source: list
    target: list | None

    @property
    def id(self) -> str:
        return f"{self.key}.{self.revision}"


def export_units(segments, drafts: dict) -> list[ExportUnit]:
    """Units for the current source segments (one per distinct text) with their drafts."""
    units, seen = [], set()
    for number, segment in enumerate(segments, start=1):
        if segment.key in seen:
            continue  # a repeated paragraph is translated once, where it first appears
        seen.add(segment.key)
        draft = drafts.get(segment.key)
        source = source_parts(segment.kind, segment.text)
        target = None
        if draft is not None and draft.text.strip():
            target = [draft.text] if segment.kind in _PLAIN_KINDS else \
                align(parse_inline(draft.text), source)
            if target is None:  # the draft has markup the source lacks: sent as written
                target = [draft.text]
        units.append(ExportUnit(segment.key, draft.revision if draft else 0, segment.kind,
                                number, source, target))
    return units


@dataclass(frozen=True)
class FileIdentity:
    """Whose work a file is: the statement's slug and the two languages."""

    slug: str
    source_language: str
    target_language: str

    @property
    def original(self) -> str:
        return f"{self.slug}/{self.target_language}"


# --- XLIFF 1.2 ----------------------------------------------------------------------------

_G_CTYPE = {"emphasis": "italic", "strong": "bold", "link": "link"}
_X_CTYPE = {"image": "image", "autolink": "x-autolink", "break": "lb"}


def _fill(element, parts: list, write_code) -> None:
    """Put parts into an XML element: text, tails and one child per code."""
    last = None
    for part in parts:
        if isinstance(part, str):
            if last is None:
                element.text = (element.text or "") + part
            else:
                last.tail = (last.tail or "") + part
        else:
            last = write_code(element, part)


def _xliff12_code(parent, code: Code):
    ns = f"{{{XLIFF12}}}"
    if code.paired:
        child = etree.SubElement(parent, ns + "g", id=str(code.id), ctype=_G_CTYPE[code.kind])
        _fill(child, code.children, _xliff12_code)
    elif code.kind == "code":
        # Native code a tool shows but protects; on upload the source's own is used.
        child = etree.SubElement(parent, ns + "ph", id=str(code.id), ctype="x-code")
        child.text = code.start
    else:
        child = etree.SubElement(parent, ns + "x", id=str(code.id), ctype=_X_CTYPE[code.kind])
    return child


def write_xliff12(identity: FileIdentity, units: list[ExportUnit], labels: dict) -> bytes:
    """An XLIFF 1.2 document of the units."""
    ns = f"{{{XLIFF12}}}"
    root = etree.Element(ns + "xliff", nsmap={None: XLIFF12}, version="1.2")
    file = etree.SubElement(root, ns + "file", original=identity.original,
                            datatype="x-markdown", **{
                                "source-language": identity.source_language,
                                "target-language": identity.target_language})
    body = etree.SubElement(file, ns + "body")
    for unit in units:
        element = etree.SubElement(body, ns + "trans-unit", id=unit.id, resname=unit.key)
        element.set(XML_SPACE, "preserve")
        _fill(etree.SubElement(element, ns + "source"), unit.source, _xliff12_code)
        if unit.target is not None:
            target = etree.SubElement(element, ns + "target", state="translated")
            _fill(target, unit.target, _xliff12_code)
        note = etree.SubElement(element, ns + "note")
        note.text = f"{unit.number} · {labels[unit.kind]}"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- XLIFF 2.0 ----------------------------------------------------------------------------

_PC = {"emphasis": {"type": "fmt", "subType": "xlf:i"},
       "strong": {"type": "fmt", "subType": "xlf:b"},
       "link": {"type": "link"}}
_PH = {"code": {"type": "other"}, "image": {"type": "image"}, "autolink": {"type": "link"},
       "break": {"type": "fmt", "subType": "xlf:lb"}}


def _xliff20_code(parent, code: Code):
    ns = f"{{{XLIFF20}}}"
    if code.paired:
        child = etree.SubElement(parent, ns + "pc", id=str(code.id), **_PC[code.kind])
        _fill(child, code.children, _xliff20_code)
    else:
        child = etree.SubElement(parent, ns + "ph", id=str(code.id), **_PH[code.kind])
        if code.kind == "code":
            child.set("disp", code.start)
    return child


def write_xliff20(identity: FileIdentity, units: list[ExportUnit], labels: dict) -> bytes:
    """An XLIFF 2.0 document of the units (core only: files, units, segments, notes)."""
    ns = f"{{{XLIFF20}}}"
    root = etree.Element(ns + "xliff", nsmap={None: XLIFF20}, version="2.0",
                         srcLang=identity.source_language, trgLang=identity.target_language)
    file = etree.SubElement(root, ns + "file", id="f1", original=identity.original)
    for unit in units:
        element = etree.SubElement(file, ns + "unit", id=unit.id, name=unit.key)
        element.set(XML_SPACE, "preserve")
        notes = etree.SubElement(element, ns + "notes")
        etree.SubElement(notes, ns + "note").text = f"{unit.number} · {labels[unit.kind]}"
        segment = etree.SubElement(element, ns + "segment",
                                   state="translated" if unit.target is not None else "initial")
        _fill(etree.SubElement(segment, ns + "source"), unit.source, _xliff20_code)
        if unit.target is not None:
            _fill(etree.SubElement(segment, ns + "target"), unit.target, _xliff20_code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- PO -----------------------------------------------------------------------------------

def write_po(identity: FileIdentity, units: list[ExportUnit], labels: dict) -> bytes:
    """A PO file of the units; codes as <n>…</n> and <n/>, explained in a comment."""
    store = po.pofile()
    store.updateheader(add_missing=True, x_generator="Statement Portal")
    header = store.header()
    header.target += f"Language: {identity.target_language}\n" \
                     f"X-Source-Language: {identity.source_language}\n" \
                     f"X-Statement: {identity.original}\n"
    for unit in units:
        entry = store.addsourceunit(to_placeholders(unit.source))
        entry.setcontext(unit.id)
        if unit.target is not None:
            entry.target = to_placeholders(unit.target)
        entry.addnote(f"{unit.number} · {labels[unit.kind]}", origin="developer")
        described = describe_codes(unit.source)
        if described:
            entry.addnote("Keep the tags: " + described.replace("\n", "; "),
                          origin="developer")
    return bytes(store)


WRITERS = {"xliff12": write_xliff12, "xliff20": write_xliff20, "po": write_po}


# --- reading uploads ----------------------------------------------------------------------

class OfflineFileError(ValueError):
    """A file the portal cannot read; `line` names where, when known."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass
class UploadedUnit:
    """A unit read from a file: its id as written, and the target as parts or PO text."""

    unit_id: str
    line: int | None
    target: list | None = None  # XLIFF: parts whose codes carry only numbers
    po_text: str | None = None  # PO: text with <n> tags, read against the source later
    damaged: bool = False  # codes the portal does not write (split pairs and the like)

    @property
    def key(self) -> str | None:
        match = _UNIT_ID.match(self.unit_id)
        return match.group(1) if match else None

    @property
    def base_revision(self) -> int | None:
        match = _UNIT_ID.match(self.unit_id)
        return int(match.group(2)) if match else None

    @property
    def empty(self) -> bool:
        if self.po_text is not None:
            return not self.po_text.strip()
        return not self.target or not any(
            isinstance(part, Code) or part.strip() for part in self.target)


@dataclass
class OfflineFile:
    """What an upload holds: whose work it says it is (None if it does not say), its units."""

    original: str | None
    units: list[UploadedUnit]


def read_offline_file(data: bytes) -> OfflineFile:
    """Read an uploaded XLIFF 1.2, XLIFF 2.0 or PO file; OfflineFileError if it is neither."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") or head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        try:
            root = parse_xml(data)
        except XmlRefused as refused:
            raise OfflineFileError(refused.problem, refused.line) from None
        if root.tag == f"{{{XLIFF12}}}xliff":
            return _read_xliff(root, XLIFF12)
        if root.tag == f"{{{XLIFF20}}}xliff":
            return _read_xliff(root, XLIFF20)
        raise OfflineFileError("this XML is not XLIFF 1.2 or 2.0", root.sourceline)
    return _read_po(data)


class _Damaged(Exception):
    pass


def _read_parts(element, ns: str) -> list:
    """A target element's content as parts: text and codes that carry only their number."""
    parts: list = []
    if element.text:
        parts.append(element.text)
    for child in element:
        name = etree.QName(child).localname if etree.QName(child).namespace == ns else None
        if name in ("g", "pc", "x", "ph"):
            try:
                number = int(child.get("id", ""))
            except ValueError:
                raise _Damaged from None
            paired = name in ("g", "pc")
            parts.append(Code(number, "link" if paired else "code", "",
                              children=_read_parts(child, ns) if paired else []))
        elif name == "mrk":  # markers a tool adds (segmentation, terms): their text counts
            parts.extend(_read_parts(child, ns))
        elif name in ("sm", "em"):  # empty annotation markers of XLIFF 2.0
            pass
        else:  # split pairs (bx/ex, sc/ec, bpt/ept, it) or foreign elements
            raise _Damaged
        if child.tail:
            parts.append(child.tail)
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def _read_xliff(root, ns: str) -> OfflineFile:
    q = f"{{{ns}}}"
    files = root.findall(q + "file")
    original = files[0].get("original") if len(files) == 1 else None
    units = []
    if ns == XLIFF12:
        for element in root.iter(q + "trans-unit"):
            unit = UploadedUnit(element.get("id", ""), element.sourceline)
            target = element.find(q + "target")
            _set_target(unit, [target] if target is not None else [], ns)
            units.append(unit)
    else:
        for element in root.iter(q + "unit"):
            unit = UploadedUnit(element.get("id", ""), element.sourceline)
            # A tool may have split a unit into several segments: their targets, in order.
            targets = [child.find(q + "target") for child in element
                       if child.tag in (q + "segment", q + "ignorable")]
            _set_target(unit, [target for target in targets if target is not None], ns)
            units.append(unit)
    return OfflineFile(original, units)


def _set_target(unit: UploadedUnit, targets: list, ns: str) -> None:
    parts: list = []
    try:
        for target in targets:
            for part in _read_parts(target, ns):
                if isinstance(part, str) and parts and isinstance(parts[-1], str):
                    parts[-1] += part
                else:
                    parts.append(part)
    except _Damaged:
        unit.damaged = True
        return
    unit.target = parts


def _read_po(data: bytes) -> OfflineFile:
    try:
        store = po.pofile(data)
    except PoParseError as error:
        message = str(error)
        match = re.search(r"line (\d+)", message)
        raise OfflineFileError(message.split(":")[0], int(match.group(1)) if match
                               else None) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise OfflineFileError(str(error).split("\n")[0]) from None
    header = store.parseheader()
    units = []
    for entry in store.units:
        if entry.isheader() or entry.isobsolete():
            continue
        context = entry.getcontext() or ""
        units.append(UploadedUnit(context, None, po_text=entry.target or ""))
    if not units and not header:
        raise OfflineFileError("this is not an XLIFF or PO file", 1)
    return OfflineFile(header.get("X-Statement"), units)


def target_parts(unit: UploadedUnit, source: list) -> list:
    """The unit's target as parts numbered like the source; DamagedMarkup when they cannot."""
    from portal.exchange.inline import DamagedMarkup

    if unit.damaged:
        raise DamagedMarkup(0)
    if unit.po_text is not None:
        return from_placeholders(unit.po_text, source)
    return unit.target or []
