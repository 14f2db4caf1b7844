"""Files in and out: TMX for the translation memory, TBX and CSV for the glossary.

Imports are size-capped before parsing, and XML is first read by defusedxml with entity
declarations and external references forbidden (entity bombs, XXE), then by
translate-toolkit, whose own parser also resolves no entities and opens no network.
Each import reports what it added and what it skipped, with reasons.
"""

import csv
import io
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import select
from translate.storage import tbx, tmx

from portal.assist.glossary import TermRefused, save_term, term_key, terms_for
from portal.assist.memory import remember
from portal.extensions import db
from portal.models import MemoryEntry, PartOfSpeech, User

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CSV_COLUMNS = ["term", "translation", "note", "part_of_speech"]
MAX_SKIPS_LISTED = 20


class ImportRefused(ValueError):
    """A file that cannot be imported at all; the message says why."""


@dataclass
class ImportReport:
    """What an import did: how many were added or updated, and what was skipped and why."""

    added: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)
    skipped_count: int = 0

    def skip(self, reason: str) -> None:
        """Count a skipped item, keeping the first reasons to show."""
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPS_LISTED:
            self.skipped.append(reason)


def check_size(data: bytes, limit: int) -> None:
    """Refuse a file over the limit, or an empty one."""
    if not data:
        raise ImportRefused(_("The file is empty."))
    if len(data) > limit:
        raise ImportRefused(_("The file is larger than %(size)d KB.", size=limit // 1024))


def _safe_xml(data: bytes) -> None:
    """Refuse XML with entity declarations or external references, and broken XML."""
    try:
        defused_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportRefused(_("The file declares XML entities or refers to outside "
                              "resources, which the portal does not accept.")) from None
    except Exception:  # ParseError and friends: not well-formed
        raise ImportRefused(_("The file is not well-formed XML.")) from None


def _lang_matches(value: str | None, tag: str) -> bool:
    if not value:
        return False
    value, tag = value.replace("_", "-").lower(), tag.lower()
    return value == tag or value.split("-")[0] == tag or value == tag.split("-")[0]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


# --- the translation memory as TMX -----------------------------------------------------------

def export_tmx(source_tag: str, target_tag: str) -> bytes:
    """The memory of a language pair as a TMX 1.4 file, with each entry's origin as a note."""
    store = tmx.tmxfile(sourcelanguage=source_tag, targetlanguage=target_tag)
    entries = db.session.scalars(select(MemoryEntry).where(
        MemoryEntry.source_language_tag == source_tag,
        MemoryEntry.target_language_tag == target_tag).order_by(MemoryEntry.id))
    for entry in entries:
        note = entry.statement.slug if entry.statement is not None else None
        store.addtranslation(entry.source_text, source_tag, entry.target_text, target_tag,
                             comment=note)
    return bytes(store)


def import_tmx(data: bytes, source_tag: str, target_tag: str, limit: int) -> ImportReport:
    """Remember the units of a TMX file that carry both languages of the pair."""
    check_size(data, limit)
    _safe_xml(data)
    try:
        store = tmx.tmxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError):
        raise ImportRefused(_("This is not a TMX file.")) from None
    report, pairs = ImportReport(), []
    for number, unit in enumerate(store.getunits(), start=1):
        texts = {}
        for node in unit.xmlelement.iter(unit.namespaced("tuv"), "tuv"):
            seg = node.find(unit.namespaced("seg"))
            if seg is None:
                seg = node.find("seg")
            lang = node.get(XML_LANG) or node.get("lang")
            if seg is not None:
                for tag in (source_tag, target_tag):
                    if _lang_matches(lang, tag) and tag not in texts:
                        texts[tag] = _text(seg)
        if not texts.get(source_tag) or not texts.get(target_tag):
            report.skip(_("Unit %(number)d has no text in both %(source)s and %(target)s.",
                          number=number, source=source_tag, target=target_tag))
            continue
        pairs.append((texts[source_tag], texts[target_tag]))
    if not pairs and not report.skipped_count:
        raise ImportRefused(_("The file has no translation units."))
    added = remember(pairs, source_tag, target_tag)
    report.added = added
    duplicates = len(pairs) - added
    report.skipped_count += duplicates
    if duplicates:
        report.skipped.append(_("%(count)d units were already in the memory.",
                                count=duplicates))
    return report


# --- the glossary as TBX and CSV ----------------------------------------------------------

def export_tbx(source_tag: str, target_tag: str) -> bytes:
    """The glossary of a language pair as TBX, with notes and parts of speech."""
    store = tbx.tbxfile(sourcelanguage=source_tag, targetlanguage=target_tag)
    for term in terms_for(source_tag, target_tag):
        unit = store.addsourceunit(term.term)
        unit.target = term.translation
        if term.note:
            unit.addnote(term.note)
        tig = unit.xmlelement.find(f".//{unit.namespaced('tig')}")
        if tig is not None:
            pos = etree.SubElement(tig, unit.namespaced("termNote"), type="partOfSpeech")
            pos.text = term.part_of_speech.value
    return bytes(store)


def export_csv(source_tag: str, target_tag: str) -> str:
    """The glossary of a language pair as CSV: term, translation, note, part_of_speech."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for term in terms_for(source_tag, target_tag):
        writer.writerow([_cell(term.term), _cell(term.translation), _cell(term.note),
                         term.part_of_speech.value])
    return out.getvalue()


def _cell(value: str) -> str:
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _uncell(value: str) -> str:
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def _save_terms(actor: User, rows, source_tag: str, target_tag: str) -> ImportReport:
    report = ImportReport()
    known = {term.term_key for term in terms_for(source_tag, target_tag)}
    for number, row in rows:
        try:
            _term, created = save_term(actor, source_tag, target_tag, row.get("term", ""),
                                       row.get("translation", ""), row.get("note", ""),
                                       row.get("part_of_speech", "") or "noun")
        except TermRefused as refused:
            report.skip(_("Entry %(number)d: %(reason)s", number=number, reason=str(refused)))
            continue
        key = term_key(row.get("term", ""))
        if created and key not in known:
            report.added += 1
        else:
            report.updated += 1
        known.add(key)
    return report


_POS = {kind.value.lower(): kind.value for kind in PartOfSpeech}


def import_csv(actor: User, data: bytes, source_tag: str, target_tag: str,
               limit: int) -> ImportReport:
    """Add or update glossary terms from CSV with a header row (term, translation, …)."""
    check_size(data, limit)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("The file is not UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = ["_".join(name.strip().lower().split()) for name in reader.fieldnames or []]
    if "term" not in header or "translation" not in header:
        raise ImportRefused(_("The first row must name the columns, with at least “term” "
                              "and “translation”."))
    reader.fieldnames = header
    try:
        rows = [(number, {key: _uncell((value or "").strip()) for key, value in row.items()
                          if isinstance(key, str)})
                for number, row in enumerate(reader, start=1)]
    except csv.Error:
        raise ImportRefused(_("The file is not valid CSV.")) from None
    for _number, row in rows:
        row["part_of_speech"] = _POS.get(row.get("part_of_speech", "").lower().replace(
            " ", ""), row.get("part_of_speech", ""))
    return _save_terms(actor, rows, source_tag, target_tag)


def import_tbx(actor: User, data: bytes, source_tag: str, target_tag: str,
               limit: int) -> ImportReport:
    """Add or update glossary terms from a TBX file's entries in both languages."""
    check_size(data, limit)
    _safe_xml(data)
    try:
        store = tbx.tbxfile.parsestring(data)
    except (etree.XMLSyntaxError, AssertionError, ValueError):
        raise ImportRefused(_("This is not a TBX file.")) from None
    rows = []
    for number, unit in enumerate(store.getunits(), start=1):
        texts, kind = {}, ""
        for lang_set in unit.xmlelement.iter(unit.namespaced("langSet"), "langSet"):
            lang = lang_set.get(XML_LANG) or lang_set.get("lang")
            term = next(iter(lang_set.iter(unit.namespaced("term"), "term")), None)
            for tag in (source_tag, target_tag):
                if term is not None and _lang_matches(lang, tag) and tag not in texts:
                    texts[tag] = _text(term)
            for note in lang_set.iter(unit.namespaced("termNote"), "termNote"):
                if note.get("type") == "partOfSpeech" and not kind:
                    kind = _POS.get(_text(note).lower().replace(" ", ""), _text(note))
        notes = [_text(note) for note in unit.xmlelement.iter(unit.namespaced("note"), "note")]
        rows.append((number, {"term": texts.get(source_tag, ""),
                              "translation": texts.get(target_tag, ""),
                              "note": "\n".join(notes), "part_of_speech": kind or "noun"}))
    if not rows:
        raise ImportRefused(_("The file has no term entries."))
    return _save_terms(actor, rows, source_tag, target_tag)


def glossary_count(source_tag: str, target_tag: str) -> int:
    """How many terms a language pair's glossary holds."""
    return len(terms_for(source_tag, target_tag))

