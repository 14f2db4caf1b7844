"""Translation-memory suggestions at scale: one segment against 100,000 remembered ones.

    python bench/tm.py                      # SQLite and PostgreSQL, 100,000 entries
    BENCH_DATABASES=sqlite BENCH_TM_SIZE=20000 python bench/tm.py

For each database it fills an en → es memory once (bench/.data/tm_<size>.sqlite3, and the
PostgreSQL database bench_tm_<size> on BENCH_POSTGRES_URL; both reused on the next run)
with paragraphs, summaries, list items and titles written by portal.benchdata's writer,
whose sentences recur across texts as a statement archive's do. Then it times
`portal.assist.memory.suggestions_for` for one segment at a time: BENCH_TM_QUERIES
segments that are remembered ones with a sentence or a few words changed (fuzzy matches
exist), some remembered verbatim (exact), and some new (nothing to find). It prints the
median and p95 in milliseconds (wall clock, and the process's own CPU time, which a busy
machine does not inflate; the load average is printed beside), and, for comparison, the
same lookups by brute force with rapidfuzz over every remembered text of the pair and, on
PostgreSQL, by pg_trgm's `%` operator on a GIN trigram index (made in the bench database
only).
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
sys.path.insert(0, str(ROOT))

SIZE = int(os.environ.get("BENCH_TM_SIZE", "100000"))
QUERIES = int(os.environ.get("BENCH_TM_QUERIES", "60"))
# pg_trgm lookups take seconds each on this memory: a few are enough to compare.
TRGM_QUERIES = int(os.environ.get("BENCH_TM_TRGM_QUERIES", "5"))
DATABASES = [item.strip() for item in
             os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if item.strip()]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432").rstrip("/")


def texts(rng: random.Random, count: int) -> list[str]:
    """Distinct source segments, about as a statement archive's are mixed."""
    from portal.benchdata import Writer
    from portal.models import SegmentKind

    writer = Writer("en", rng, pool_size=3000)
    kinds = [SegmentKind.PARAGRAPH] * 6 + [SegmentKind.SUMMARY, SegmentKind.LIST_ITEM,
                                           SegmentKind.TITLE, SegmentKind.HEADING]
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen[writer.segment(rng.choice(kinds))] = None
    return list(seen)


def queries(rng: random.Random, remembered: list[str], count: int) -> list[str]:
    """Changed remembered segments (fuzzy), a few verbatim (exact) and a few new ones."""
    from portal.benchdata import Writer
    from portal.models import SegmentKind

    writer = Writer("en", random.Random(99), pool_size=300)
    long_ones = [text for text in remembered if len(text) > 200]
    result = []
    for index in range(count):
        if index % 6 == 0:
            result.append(rng.choice(remembered))
        elif index % 6 == 1:
            result.append(writer.segment(SegmentKind.PARAGRAPH))
        else:
            words = rng.choice(long_ones).split(" ")
            for _ in range(rng.randint(1, 4)):
                words[rng.randrange(len(words))] = rng.choice(("new", "changed", "workers"))
            result.append(" ".join(words))
    return result


def database_url(kind: str) -> str:
    if kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DATA / f'tm_{SIZE}.sqlite3'}"
    from sqlalchemy import create_engine, text
    name = f"bench_tm_{SIZE}"
    engine = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{POSTGRES}/{name}"


def copy_from_sqlite(path: Path, db) -> None:
    """Fill the PostgreSQL memory from the SQLite bench file of the same size, by COPY."""
    import sqlite3

    from sqlalchemy import text

    source = sqlite3.connect(path)
    db.session.execute(text("TRUNCATE memory_shingles, memory_entries"))
    db.session.commit()
    raw = db.session.connection().connection.dbapi_connection
    columns = ("id, source_language_tag, target_language_tag, source_key, target_key, "
               "source_length, source_text, target_text")
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY memory_entries ({columns}) FROM STDIN") as copy:
            for row in source.execute(f"SELECT {columns} FROM memory_entries"):
                copy.write_row(row)
        with cursor.copy("COPY memory_shingles (shingle, entry_id) FROM STDIN") as copy:
            for row in source.execute("SELECT shingle, entry_id FROM memory_shingles"):
                copy.write_row(row)
        cursor.execute("SELECT setval('memory_entries_id_seq', (SELECT max(id) FROM "
                       "memory_entries))")
        cursor.execute("ANALYZE memory_entries")
        cursor.execute("ANALYZE memory_shingles")
    raw.commit()
    source.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(kind: str) -> dict:
    from flask_migrate import upgrade
    from rapidfuzz import fuzz, process
    from sqlalchemy import func, select, text

    from portal import create_app
    from portal.assist.memory import remember, suggestions_for
    from portal.extensions import db
    from portal.models import Language, MemoryEntry

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(kind), "TESTING": False,
                      "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    rng = random.Random(1)
    remembered = texts(rng, SIZE)
    result = {"database": kind, "size": SIZE}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for tag in ("en", "es"):
            if db.session.get(Language, tag) is None:
                db.session.add(Language(tag=tag))
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(MemoryEntry))
        copied = DATA / f"tm_{SIZE}.sqlite3"
        if have < SIZE and kind == "postgresql" and copied.exists():
            # The same memory as the SQLite run, copied: COPY is far faster than remember().
            started = time.perf_counter()
            copy_from_sqlite(copied, db)
            result["load_seconds"] = round(time.perf_counter() - started, 1)
            print(f"{kind}: copied {SIZE} entries in {result['load_seconds']} s", flush=True)
            have = SIZE
        if have < SIZE:
            started = time.perf_counter()
            for start in range(have, SIZE, 2000):
                chunk = remembered[start:start + 2000]
                remember([(source, "ES " + source[::-1]) for source in chunk], "en", "es")
                db.session.commit()
            result["load_seconds"] = round(time.perf_counter() - started, 1)
            print(f"{kind}: loaded {SIZE} entries in {result['load_seconds']} s", flush=True)
        asked = queries(random.Random(2), remembered, QUERIES)
        with app.test_request_context():
            suggestions_for(asked[:3], "en", "es")  # warm the connection and caches
            timings, cpu, found = [], [], []
            for query in asked:
                started, started_cpu = time.perf_counter(), time.process_time()
                answer = suggestions_for([query], "en", "es")
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                found.append(len(next(iter(answer.values()), [])))
        result["median_ms"] = round(statistics.median(timings), 1)
        result["p95_ms"] = round(percentile(timings, 0.95), 1)
        # This process's CPU time: on SQLite the whole lookup, on PostgreSQL the client side.
        result["cpu_median_ms"] = round(statistics.median(cpu), 1)
        result["load_average"] = round(os.getloadavg()[0], 1)
        result["with_suggestions"] = sum(1 for count in found if count)
        # The same without a prefilter: rapidfuzz over every text of the pair, in memory.
        every = list(db.session.scalars(select(MemoryEntry.source_text)))
        brute = []
        for query in asked[:10]:
            started = time.perf_counter()
            process.extract(query, every, scorer=fuzz.ratio, score_cutoff=70, limit=3)
            brute.append((time.perf_counter() - started) * 1000)
        result["rapidfuzz_all_median_ms"] = round(statistics.median(brute), 1)
        print(result, flush=True)
        if kind == "postgresql":
            db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            db.session.execute(text(
                "CREATE INDEX IF NOT EXISTS bench_memory_trigrams ON memory_entries "
                "USING gin (source_text gin_trgm_ops)"))
            db.session.commit()
            trigram = []
            # The changed segments (fuzzy matches exist), or whatever was asked.
            for query in asked[2:2 + TRGM_QUERIES] or asked[:TRGM_QUERIES]:
                started = time.perf_counter()
                db.session.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.5"))
                db.session.execute(text(
                    "SELECT id, similarity(source_text, :q) AS score FROM memory_entries "
                    "WHERE source_language_tag = 'en' AND target_language_tag = 'es' "
                    "AND source_text % :q ORDER BY score DESC LIMIT 3"), {"q": query}).all()
                db.session.commit()
                trigram.append((time.perf_counter() - started) * 1000)
            result["pg_trgm_median_ms"] = round(statistics.median(trigram), 1)
            result["pg_trgm_p95_ms"] = round(percentile(trigram, 0.95), 1)
    print(result, flush=True)
    return result


if __name__ == "__main__":
    for database in DATABASES:
        run(database)
