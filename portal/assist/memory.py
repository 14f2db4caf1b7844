"""The translation memory: every approved segment, per language pair, and suggestions from it.

Exact matches are found by the hash of the whitespace-normalized source text. Fuzzy ones
(rapidfuzz's normalized Indel similarity, `fuzz.ratio`, at least FUZZY_THRESHOLD) are
scored on a few candidates only, found through a word index kept in the database
(`memory_words`: one row per distinct word of an entry's source, hashed with its language
pair). A query reads each of its words' postings up to POSTINGS_LIMIT rows; a word with
more postings than that is common and counts only when the segment has no rarer word. The
entries sharing most words, within the lengths a ratio of 70 allows, are then scored.
This runs alike on SQLite and PostgreSQL; docs/performance.md has the figures.
"""

import re
import zlib
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, bindparam, func, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.content.segments import normalize_whitespace, segment_key
from portal.extensions import db
from portal.models import MemoryEntry, Publication, Statement, Version
from portal.models.memory import memory_words

FUZZY_THRESHOLD = 70
MAX_SUGGESTIONS = 3
POSTINGS_LIMIT = 300
CANDIDATES = 40
# fuzz.ratio = 2·matches / (len1 + len2): a score of 70 needs the shorter text to be at
# least 0.7 / 1.3 of the longer one.
LENGTH_RATIO = 0.7 / 1.3

# Scripts written without spaces between words: their "words" are character pairs.
UNSPACED_LANGUAGES = {"zh", "ja", "th", "lo", "km", "my", "bo", "yue"}
_WORD = re.compile(r"\w+")


def is_unspaced(tag: str) -> bool:
    """The language is written without spaces between words (Chinese, Japanese, Thai…)."""
    return tag.split("-")[0].lower() in UNSPACED_LANGUAGES


def words_of(text: str, tag: str) -> set[str]:
    """The distinct index words of a text: words of 3+ letters, or character pairs."""
    folded = text.casefold()
    if is_unspaced(tag):
        letters = "".join(char for char in folded if char.isalnum())
        return {letters[i:i + 2] for i in range(len(letters) - 1)} or ({letters} - {""})
    return {word for word in _WORD.findall(folded) if len(word) >= 3 or word.isdigit()}


def word_hashes(text: str, source_tag: str, target_tag: str) -> set[int]:
    """The text's words hashed with the language pair, as signed 32-bit integers."""
    prefix = f"{source_tag}>{target_tag}|"
    return {zlib.crc32((prefix + word).encode()) - 2**31 for word in words_of(text, source_tag)}


def text_key(text: str) -> str:
    """The key of a text in the memory: the hash of its whitespace-normalized form."""
    return segment_key(text)


@dataclass(frozen=True)
class Suggestion:
    """A remembered translation offered for a segment, with its score and origin."""

    text: str
    score: int
    exact: bool
    source_text: str
    entry_id: int
    statement_title: str | None = None
    statement_slug: str | None = None
    published: bool = False


def _upsert(rows: list[dict]) -> None:
    """Insert entries; an entry already remembered takes the newest origin."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(MemoryEntry).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["source_language_tag", "target_language_tag", "source_key",
                        "target_key"],
        set_={"statement_id": statement.excluded.statement_id,
              "version_id": statement.excluded.version_id, "updated_at": func.now()})
    db.session.execute(statement)


def remember(pairs: list[tuple[str, str]], source_tag: str, target_tag: str,
             statement_id: int | None = None, version_id: int | None = None) -> int:
    """Remember (source, translation) pairs of a language pair; returns how many were new."""
    rows, seen = [], set()
    for source, target in pairs:
        source, target = normalize_whitespace(source), target.strip()
        if not source or not target:
            continue
        keys = (text_key(source), text_key(target))
        if keys in seen:
            continue
        seen.add(keys)
        rows.append({"source_language_tag": source_tag, "target_language_tag": target_tag,
                     "source_key": keys[0], "target_key": keys[1],
                     "source_length": len(source), "source_text": source,
                     "target_text": target, "statement_id": statement_id,
                     "version_id": version_id})
    if not rows:
        return 0
    wanted = {(row["source_key"], row["target_key"]) for row in rows}
    existing = _existing_ids(source_tag, target_tag, wanted)
    for start in range(0, len(rows), 500):
        _upsert(rows[start:start + 500])
    fresh = [(entry_id, text) for entry_id, source, target, text in db.session.execute(
        select(MemoryEntry.id, MemoryEntry.source_key, MemoryEntry.target_key,
               MemoryEntry.source_text).where(
            MemoryEntry.source_language_tag == source_tag,
            MemoryEntry.target_language_tag == target_tag,
            MemoryEntry.source_key.in_({key for key, _target in wanted})))
        if (source, target) in wanted and entry_id not in existing]
    postings = [{"word": word, "entry_id": entry_id} for entry_id, text in fresh
                for word in word_hashes(text, source_tag, target_tag)]
    if postings:
        db.session.execute(memory_words.insert(), postings)
    db.session.flush()
    return len(fresh)


def _existing_ids(source_tag: str, target_tag: str, keys: set[tuple[str, str]]) -> set[int]:
    found = db.session.execute(select(MemoryEntry.id, MemoryEntry.source_key,
                                      MemoryEntry.target_key).where(
        MemoryEntry.source_language_tag == source_tag,
        MemoryEntry.target_language_tag == target_tag,
        MemoryEntry.source_key.in_({key for key, _ in keys}))).all()
    return {entry_id for entry_id, source, target in found if (source, target) in keys}


def remember_version(version: Version) -> int:
    """Remember every segment of an approved version, with the statement it came from."""
    translation = version.translation
    statement = translation.statement
    sources = {segment.position: segment.text for segment in version.source_revision.segments}
    pairs = [(sources[part.position], part.text) for part in version.segments
             if part.position in sources]
    return remember(pairs, statement.source_language_tag, translation.language_tag,
                    statement_id=statement.id, version_id=version.id)


def _exact(source_tag: str, target_tag: str, keys: set[str]) -> dict[str, list[MemoryEntry]]:
    found: dict[str, list[MemoryEntry]] = {}
    if not keys:
        return found
    entries = db.session.scalars(select(MemoryEntry).where(
        MemoryEntry.source_language_tag == source_tag,
        MemoryEntry.target_language_tag == target_tag,
        MemoryEntry.source_key.in_(keys),
    ).order_by(MemoryEntry.updated_at.desc(), MemoryEntry.id.desc())).all()
    for entry in entries:
        found.setdefault(entry.source_key, []).append(entry)
    return found


def _candidates(text: str, source_tag: str, target_tag: str) -> list[int]:
    """Entry ids sharing the most of the text's words; common words count only if needed."""
    hashes = sorted(word_hashes(text, source_tag, target_tag))
    if not hashes:
        return []
    parts = [select(memory_words.c.word, memory_words.c.entry_id)
             .where(memory_words.c.word == bindparam(f"w{index}", hash_, type_=Integer))
             .limit(POSTINGS_LIMIT + 1).subquery().select()
             for index, hash_ in enumerate(hashes)]
    postings: dict[int, list[int]] = {}
    for word, entry_id in db.session.execute(union_all(*parts)):
        postings.setdefault(word, []).append(entry_id)
    rare = [ids for ids in postings.values() if len(ids) <= POSTINGS_LIMIT]
    counts = Counter(entry_id for ids in (rare or postings.values()) for entry_id in ids)
    return [entry_id for entry_id, _count in counts.most_common(CANDIDATES)]


def _fuzzy(text: str, source_tag: str, target_tag: str, skip: set[int]) -> list[tuple]:
    """(entry id, score) of the best fuzzy matches at or above the threshold."""
    ids = [entry_id for entry_id in _candidates(text, source_tag, target_tag)
           if entry_id not in skip]
    if not ids:
        return []
    length = len(text)
    choices = dict(db.session.execute(select(MemoryEntry.id, MemoryEntry.source_text).where(
        MemoryEntry.id.in_(ids),
        MemoryEntry.source_length.between(int(length * LENGTH_RATIO),
                                          int(length / LENGTH_RATIO) + 1))).all())
    found = process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD,
                            limit=MAX_SUGGESTIONS)
    return [(entry_id, score) for _choice, score, entry_id in found]


def suggestions_for(texts: list[str], source_tag: str, target_tag: str,
                    fuzzy: bool = True) -> dict[str, list[Suggestion]]:
    """Up to three suggestions per source text: exact matches first, then fuzzy ones."""
    texts = list(dict.fromkeys(normalize_whitespace(text) for text in texts if text.strip()))
    exact = _exact(source_tag, target_tag, {text_key(text) for text in texts})
    scored: dict[str, list[tuple[MemoryEntry | int, int, bool]]] = {}
    for text in texts:
        matches = [(entry, 100, True) for entry in
                   exact.get(text_key(text), [])[:MAX_SUGGESTIONS]]
        if fuzzy and len(matches) < MAX_SUGGESTIONS:
            skip = {entry.id for entry, _score, _exact in matches}
            matches += [(entry_id, round(score), False) for entry_id, score in
                        _fuzzy(text, source_tag, target_tag, skip)]
        scored[text] = matches[:MAX_SUGGESTIONS]
    return _with_origins(scored)


def _with_origins(scored: dict[str, list[tuple]]) -> dict[str, list[Suggestion]]:
    """Load the fuzzy entries and the statements they came from, in two queries."""
    ids = {item for matches in scored.values() for item, _s, _e in matches
           if isinstance(item, int)}
    loaded = {entry.id: entry for entry in db.session.scalars(
        select(MemoryEntry).where(MemoryEntry.id.in_(ids)))} if ids else {}
    entries = [loaded.get(item) if isinstance(item, int) else item
               for matches in scored.values() for item, _s, _e in matches]
    statement_ids = {entry.statement_id for entry in entries if entry and entry.statement_id}
    statements = {statement.id: statement for statement in db.session.scalars(
        select(Statement).where(Statement.id.in_(statement_ids)))} if statement_ids else {}
    published = set(db.session.scalars(select(Publication.statement_id).where(
        Publication.statement_id.in_(statement_ids)).distinct())) if statement_ids else set()
    result: dict[str, list[Suggestion]] = {}
    for text, matches in scored.items():
        result[text] = []
        for item, score, is_exact in matches:
            entry = loaded.get(item) if isinstance(item, int) else item
            if entry is None:
                continue
            statement = statements.get(entry.statement_id)
            result[text].append(Suggestion(
                text=entry.target_text, score=score, exact=is_exact,
                source_text=entry.source_text, entry_id=entry.id,
                statement_title=statement.current_revision.title if statement else None,
                statement_slug=statement.slug if statement else None,
                published=entry.statement_id in published))
    return result
