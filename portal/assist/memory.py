"""The translation memory: every approved segment, per language pair, and suggestions from it.

Exact matches are found by the hash of the whitespace-normalized source text. Fuzzy ones
(rapidfuzz's normalized Indel similarity, `fuzz.ratio`, at least FUZZY_THRESHOLD) are
scored on a few candidates only, found through an index kept in the database
(`memory_shingles`): for each entry, a bottom-k sketch of its source's three-word shingles,
hashed with the language pair. A query looks up its QUERY_SHINGLES smallest shingle
hashes (where a similar entry's sketch values fall), reading at most POSTINGS_LIMIT + 1
rows each; a shingle found in more entries than that is common and counts only when the
segment has nothing rarer. The CANDIDATES entries sharing most shingles, within
the lengths a ratio of 70 allows, are then scored. Both databases keep the same index;
PostgreSQL reads it in one statement with LATERAL, SQLite with a UNION ALL.
docs/performance.md has the figures.
"""

import re
import zlib
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal.content.segments import normalize_whitespace, segment_key
from portal.extensions import db
from portal.models import MemoryEntry, Publication, Statement, Version
from portal.models.memory import memory_shingles

FUZZY_THRESHOLD = 70
MAX_SUGGESTIONS = 3
POSTINGS_LIMIT = 300
SHINGLE = 3
SKETCH = 24
QUERY_SHINGLES = 64
CANDIDATES = 40
# fuzz.ratio = 2·matches / (len1 + len2): a score of 70 needs the shorter text to be at
# least 0.7 / 1.3 of the longer one.
LENGTH_RATIO = 0.7 / 1.3

# Scripts written without spaces between words: their shingles are runs of characters.
UNSPACED_LANGUAGES = {"zh", "ja", "th", "lo", "km", "my", "bo", "yue"}
_WORD = re.compile(r"\w+")


def is_unspaced(tag: str) -> bool:
    """The language is written without spaces between words (Chinese, Japanese, Thai…)."""
    return tag.split("-")[0].lower() in UNSPACED_LANGUAGES


def shingles(text: str, tag: str) -> set[str]:
    """The text's runs of three words (three characters in unspaced scripts), case-folded.

    Runs of words are far more selective than words, so that even a small vocabulary finds
    the texts that share whole phrases; a text of fewer words is one shingle.
    """
    folded = text.casefold()
    if is_unspaced(tag):
        tokens = [char for char in folded if char.isalnum()]
    else:
        tokens = _WORD.findall(folded)
    if len(tokens) < SHINGLE:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[at:at + SHINGLE]) for at in range(len(tokens) - SHINGLE + 1)}


def shingle_hashes(text: str, source_tag: str, target_tag: str) -> list[int]:
    """The text's shingles hashed with the language pair (signed 32-bit), smallest first."""
    prefix = f"{source_tag}>{target_tag}|"
    return sorted({zlib.crc32((prefix + gram).encode()) - 2**31
                   for gram in shingles(text, source_tag)})


def sketch_hashes(text: str, source_tag: str, target_tag: str) -> list[int]:
    """What the index keeps of an entry: the SKETCH smallest of its shingle hashes.

    A bottom-k sketch: two texts that share many shingles share many sketch values, and
    the index stays a few dozen rows per entry whatever its length.
    """
    return shingle_hashes(text, source_tag, target_tag)[:SKETCH]


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
    statement = insert(MemoryEntry)
    statement = statement.on_conflict_do_update(
        index_elements=["source_language_tag", "target_language_tag", "source_key",
                        "target_key"],
        set_={"statement_id": statement.excluded.statement_id,
              "version_id": statement.excluded.version_id, "updated_at": func.now()})
    # One statement, many rows: compiled once, sent in batches by the driver.
    db.session.execute(statement, rows)


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
    _upsert(rows)
    fresh = [(entry_id, text) for entry_id, source, target, text in db.session.execute(
        select(MemoryEntry.id, MemoryEntry.source_key, MemoryEntry.target_key,
               MemoryEntry.source_text).where(
            MemoryEntry.source_language_tag == source_tag,
            MemoryEntry.target_language_tag == target_tag,
            MemoryEntry.source_key.in_({key for key, _target in wanted})))
        if (source, target) in wanted and entry_id not in existing]
    postings = [{"shingle": value, "entry_id": entry_id} for entry_id, text in fresh
                for value in sketch_hashes(text, source_tag, target_tag)]
    if postings:
        db.session.execute(memory_shingles.insert(), postings)
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


def _chunks(values: list, size: int = 900):
    # Bound the parameters of one statement (SQLite's limit was 999 before 3.32).
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _candidates(texts: list[str], source_tag: str,
                target_tag: str) -> dict[str, list[int]]:
    """Per text, the entry ids sharing most shingles; common ones count only if needed.

    One indexed query for all texts (a few for a very long statement).
    """
    wanted = {text: shingle_hashes(text, source_tag, target_tag)[:QUERY_SHINGLES]
              for text in texts}
    postings = _postings(sorted({value for hashes in wanted.values() for value in hashes}))
    result = {}
    for text, hashes in wanted.items():
        lists = [postings[value] for value in hashes if value in postings]
        rare = [ids for ids in lists if len(ids) <= POSTINGS_LIMIT]
        counts = Counter(entry_id for ids in (rare or lists) for entry_id in ids)
        result[text] = [entry_id for entry_id, _count in counts.most_common(CANDIDATES)]
    return result


# One indexed seek per shingle, each cut at POSTINGS_LIMIT + 1 rows, so that a shingle
# found in half the memory (a link's address, a slogan) costs no more than a rare one.
_SEEK = ("SELECT shingle, entry_id FROM memory_shingles WHERE shingle = {value} "
         f"LIMIT {POSTINGS_LIMIT + 1}")
# PostgreSQL: one statement for any number of shingles. A UNION of hundreds of parts cost
# it more to plan than to run (37 ms for the editor of a ten-paragraph statement).
_SEEK_EACH = (f"SELECT wanted.value, seek.entry_id FROM unnest(CAST(:values AS integer[])) "
              f"AS wanted(value) CROSS JOIN LATERAL ("
              f"{_SEEK.format(value='wanted.value')}) AS seek")


def _postings(values: list[int]) -> dict[int, list[int]]:
    """Entry ids per shingle hash, at most POSTINGS_LIMIT + 1 for each."""
    postings: dict[int, list[int]] = {}
    if db.session.get_bind().dialect.name == "postgresql":
        batches = [db.session.execute(sql(_SEEK_EACH), {"values": values})] if values else []
    else:
        # SQLite has no LATERAL; it plans a UNION ALL in microseconds. Plain SQL: an
        # expression with a varying number of parts would be compiled anew each time.
        batches = (db.session.execute(sql(" UNION ALL ".join(
            f"SELECT * FROM ({_SEEK.format(value=f':s{index}')}) AS p{index}"
            for index in range(len(chunk)))), {f"s{index}": value
                                               for index, value in enumerate(chunk)})
            for chunk in _chunks(values, 200))
    for rows in batches:
        for shingle, entry_id in rows:
            postings.setdefault(shingle, []).append(entry_id)
    return postings


def _fuzzy(texts: list[str], source_tag: str, target_tag: str) -> dict[str, list[tuple]]:
    """Per text, (entry id, score) of the best fuzzy matches at or above the threshold."""
    candidates = _candidates(texts, source_tag, target_tag)
    ids = sorted({entry_id for found in candidates.values() for entry_id in found})
    sources: dict[int, str] = {}
    for chunk in _chunks(ids):
        sources.update(db.session.execute(select(MemoryEntry.id, MemoryEntry.source_text)
                                          .where(MemoryEntry.id.in_(chunk))).all())
    result = {}
    for text in texts:
        low, high = len(text) * LENGTH_RATIO, len(text) / LENGTH_RATIO
        choices = {entry_id: sources[entry_id] for entry_id in candidates.get(text, [])
                   if entry_id in sources and low <= len(sources[entry_id]) <= high}
        found = process.extract(text, choices, scorer=fuzz.ratio,
                                score_cutoff=FUZZY_THRESHOLD, limit=MAX_SUGGESTIONS * 2)
        result[text] = [(entry_id, score) for _choice, score, entry_id in found]
    return result


def suggestions_for(texts: list[str], source_tag: str, target_tag: str,
                    fuzzy: bool = True) -> dict[str, list[Suggestion]]:
    """Up to three suggestions per source text: exact matches first, then fuzzy ones."""
    texts = list(dict.fromkeys(normalize_whitespace(text) for text in texts if text.strip()))
    exact = _exact(source_tag, target_tag, {text_key(text) for text in texts})
    needing = [text for text in texts
               if len(exact.get(text_key(text), [])) < MAX_SUGGESTIONS] if fuzzy else []
    fuzzy_found = _fuzzy(needing, source_tag, target_tag) if needing else {}
    scored: dict[str, list[tuple[MemoryEntry | int, int, bool]]] = {}
    for text in texts:
        matches = [(entry, 100, True) for entry in
                   exact.get(text_key(text), [])[:MAX_SUGGESTIONS]]
        shown = {entry.id for entry, _score, _exact in matches}
        matches += [(entry_id, round(score), False)
                    for entry_id, score in fuzzy_found.get(text, []) if entry_id not in shown]
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
