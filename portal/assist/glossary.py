"""The glossary: agreed translations of terms, marked in the source and checked in drafts.

Matching is case-insensitive (Unicode case folding) and by whole words, with a light
tolerance for inflection where it is cheap and safe: an English-style plural ending on the
last word (-s, -es), and in Arabic the clitics written joined to a word (و، ف، ب، ل، ك and
the article ال). Languages written without spaces (Chinese, Japanese, Thai…) match anywhere.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select

from portal.assist.memory import is_unspaced
from portal.content.segments import normalize_whitespace
from portal.extensions import db
from portal.models import GlossaryTerm, PartOfSpeech, User, utcnow

MAX_TERM = 200
MAX_NOTE = 2_000
# Arabic clitics written joined to the next word: conjunctions, prepositions, the article.
_ARABIC_PREFIX = "(?:[وف]?(?:[بلك])?(?:ال)?|[وف]?لل)"


def term_key(term: str) -> str:
    """How a term is compared: case-folded, whitespace normalized."""
    return normalize_whitespace(term).casefold()


@lru_cache(maxsize=4096)
def term_pattern(term: str, tag: str) -> re.Pattern:
    """The regular expression that finds a term in a text of language `tag`."""
    words = [re.escape(word) for word in normalize_whitespace(term).split(" ")]
    body = r"\s+".join(words)
    if is_unspaced(tag):
        return re.compile(body, re.IGNORECASE)
    language = tag.split("-")[0].lower()
    prefix = _ARABIC_PREFIX if language == "ar" else ""
    suffix = "(?:e?s|'s|’s)?" if words[-1][-1:].isalpha() and language != "ar" else ""
    return re.compile(rf"(?<!\w){prefix}({body}){suffix}(?!\w)", re.IGNORECASE)


def contains_term(text: str, term: str, tag: str) -> bool:
    """The term occurs in the text, by the matching rules above."""
    return term_pattern(term, tag).search(text) is not None


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a source segment."""

    start: int
    end: int
    term: GlossaryTerm


def find_terms(text: str, terms: list[GlossaryTerm], tag: str) -> list[TermMatch]:
    """Non-overlapping occurrences of terms in a text; longer terms win over their parts."""
    found: list[TermMatch] = []
    for term in sorted(terms, key=lambda item: -len(item.term)):
        for match in term_pattern(term.term, tag).finditer(text):
            start, end = match.span()
            if not any(start < other.end and other.start < end for other in found):
                found.append(TermMatch(start, end, term))
    return sorted(found, key=lambda item: item.start)


def terms_for(source_tag: str, target_tag: str) -> list[GlossaryTerm]:
    """The glossary of a language pair, alphabetically."""
    return list(db.session.scalars(select(GlossaryTerm).where(
        GlossaryTerm.source_language_tag == source_tag,
        GlossaryTerm.target_language_tag == target_tag).order_by(GlossaryTerm.term_key)))


def _mark(text: str, terms: list[GlossaryTerm], tag: str) -> Markup:
    pieces, at = [], 0
    for match in find_terms(text, terms, tag):
        pieces.append(escape(text[at:match.start]))
        agreed = match.term.translation
        pieces.append(Markup(
            '<mark class="term" tabindex="0" title="{title}">{text}'
            '<span class="visually-hidden"> ({label} {agreed})</span></mark>').format(
            title=agreed, text=text[match.start:match.end],
            label=_("glossary:"), agreed=agreed))
        at = match.end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


_TAG = re.compile(r"(<[^>]*>)")


def mark_terms(html, terms: list[GlossaryTerm], tag: str) -> Markup:
    """Mark glossary terms in text or sanitized HTML, each with its agreed translation.

    Plain text is escaped first; in HTML only the text between tags is touched.
    """
    if not terms:
        return Markup(html) if isinstance(html, Markup) else escape(html)
    if not isinstance(html, Markup):
        return _mark(str(html), terms, tag)
    parts = []
    for part in _TAG.split(str(html)):
        if part.startswith("<"):
            parts.append(Markup(part))
        else:
            parts.append(_mark(Markup(part).unescape(), terms, tag))
    return Markup("").join(parts)


def glossary_warnings(source: str, target: str, terms: list[GlossaryTerm], source_tag: str,
                      target_tag: str) -> list[str]:
    """Warnings for one segment: terms of the source whose agreed translation is missing.

    Nothing is checked while the segment is not translated yet.
    """
    if not target.strip():
        return []
    warnings, seen = [], set()
    for match in find_terms(source, terms, source_tag):
        term = match.term
        if term.id in seen:
            continue
        seen.add(term.id)
        if not contains_term(target, term.translation, target_tag):
            warnings.append(_("“%(term)s” should be translated as “%(agreed)s”.",
                              term=term.term, agreed=term.translation))
    return warnings


def check_segments(segments: list[tuple[str, str, str]], source_tag: str,
                   target_tag: str) -> dict[str, list[str]]:
    """Glossary warnings per segment key, for (key, source text, translation) triples."""
    terms = terms_for(source_tag, target_tag)
    return {key: warnings for key, source, target in segments
            if (warnings := glossary_warnings(source, target, terms, source_tag, target_tag))}


class TermRefused(ValueError):
    """A term that cannot be saved; the message says why."""


def _clean(value: str, limit: int, name: str) -> str:
    value = normalize_whitespace(value or "")
    if len(value) > limit:
        raise TermRefused(_("%(field)s can have at most %(max)d characters.", field=name,
                            max=limit))
    return value


def save_term(actor: User | None, source_tag: str, target_tag: str, term: str,
              translation: str, note: str = "", part_of_speech: str = "noun",
              term_id: int | None = None) -> tuple[GlossaryTerm, bool]:
    """Add a term or change one; (term, created). A term already there is updated."""
    term = _clean(term, MAX_TERM, _("A term"))
    translation = _clean(translation, MAX_TERM, _("A translation"))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise TermRefused(_("A note can have at most %(max)d characters.", max=MAX_NOTE))
    if not term or not translation:
        raise TermRefused(_("A term needs the term and its agreed translation."))
    try:
        kind = PartOfSpeech(part_of_speech or "noun")
    except ValueError:
        raise TermRefused(_("Choose a part of speech from the list.")) from None
    existing = None
    if term_id is not None:
        existing = db.session.get(GlossaryTerm, term_id)
    clash = db.session.scalar(select(GlossaryTerm).where(
        GlossaryTerm.source_language_tag == source_tag,
        GlossaryTerm.target_language_tag == target_tag,
        GlossaryTerm.term_key == term_key(term)))
    if existing is None:
        existing = clash
    elif clash is not None and clash.id != existing.id:
        raise TermRefused(_("“%(term)s” is already in the glossary.", term=clash.term))
    created = existing is None
    if created:
        existing = GlossaryTerm(source_language_tag=source_tag, target_language_tag=target_tag)
        db.session.add(existing)
    existing.term, existing.term_key, existing.translation = term, term_key(term), translation
    existing.note, existing.part_of_speech = note, kind
    existing.updated_by_id = actor.id if actor is not None else None
    existing.updated_at = utcnow()
    db.session.flush()
    return existing, created
