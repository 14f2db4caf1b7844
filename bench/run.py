"""Benchmarks of the portal at scale: page times in-process, throughput under gunicorn.

`make bench` runs everything: for each database (a SQLite file, PostgreSQL) and each size
(1,000 and 10,000 statements × 30 languages) it loads the archive once with
`flask portal bench-data` (kept in bench/.data/ and in PostgreSQL databases named
bench_<size>, reused on the next run), then measures every page type with the Flask test
client in a fresh process — p50/p95 of BENCH_REQUESTS requests after a warm-up, with the
page cache cleared before each request (cold) and kept (warm) — and that process's memory.
Then it serves the largest PostgreSQL archive with gunicorn (gunicorn.conf.py, two
workers, Redis) and measures requests per second with wrk against a bare Flask
hello-world served the same way, and through nginx (deploy/nginx.conf) against nginx
serving a static copy of the page.

Environment (all optional):
  BENCH_SIZES=1000,10000          archive sizes, in statements
  BENCH_DATABASES=sqlite,postgresql
  BENCH_PAGES=listing,search      only the pages whose names contain one of these words
  BENCH_REQUESTS=30               timed requests per page and cache state
  BENCH_THROUGHPUT=1              0 skips the gunicorn/wrk/nginx part
  BENCH_SECONDS=10 BENCH_CONNECTIONS=16   each wrk run
  BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432   server of bench_<size>
  BENCH_REDIS_URL=redis://127.0.0.1:6379/14   the Redis database gunicorn uses (flushed)

Other uses:
  python bench/run.py --explain "listing deep" --db postgresql --size 10000
      the page's SQL, slowest first, with EXPLAIN ANALYZE (EXPLAIN QUERY PLAN on SQLite)
  python bench/run.py --profile "desk home" --db sqlite --size 10000
      cProfile of the page's request (cold cache)
  python bench/run.py --report    the last results, as Markdown tables
"""

import argparse
import contextlib
import cProfile
import gc
import json
import math
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PYTHON = sys.executable
PASSWORD = "bench-password-2026"  # the bench accounts' password (bench databases only)
LANGUAGES = 30
SEED = 1
TARGETS = {"reader": 50.0, "desk": 150.0, "coordinator": 150.0}  # p95, ms
RSS_TARGET_MIB = 200
RATIO_TARGET = 0.8

sys.path.insert(0, str(ROOT))


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def postgres_base() -> str:
    return os.environ.get("BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432").rstrip("/")


def database_url(database: str, size: int) -> str:
    if database == "sqlite":
        return f"sqlite:///{DATA / f'bench_{size}.sqlite3'}"
    return f"{postgres_base()}/bench_{size}"


def app_environment(url: str, **extra) -> dict:
    """The environment of the portal's processes: the bench database, no REDIS_URL."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("REDIS_URL", "DATABASE_URL", "FLASK_APP")}
    env.update({"DATABASE_URL": url, "PORTAL_INSTANCE_PATH": str(DATA / "instance"),
                "SECRET_KEY": "bench-secret-key", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def flask(url: str, *args: str, stdin: str | None = None, **extra) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, check=True,
                   input=stdin, text=True, env=app_environment(url, RATELIMIT_ENABLED="0",
                                                               **extra))


# --- the machine --------------------------------------------------------------------------

def machine() -> dict:
    def first(path: str, key: str) -> str:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip() if ":" in line else \
                        line.split("=", 1)[1].strip().strip('"')
        return "unknown"

    memory_kib = int(first("/proc/meminfo", "MemTotal").split()[0] or 0)
    return {
        "cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": first("/etc/os-release", "PRETTY_NAME"), "kernel": platform.release(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
    }


def postgres_version() -> str:
    from sqlalchemy import create_engine, text
    try:
        engine = create_engine(f"{postgres_base()}/postgres")
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
        engine.dispose()
        return version
    except Exception as error:
        return f"unavailable ({type(error).__name__})"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- loading ------------------------------------------------------------------------------

def statement_count(url: str) -> int | None:
    """Statements in the database; None when it or its tables do not exist."""
    from sqlalchemy import create_engine, text
    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM statements")).scalar()
    except Exception:  # a missing database or table: load afresh
        return None
    finally:
        engine.dispose()


def recreate(database: str, size: int) -> None:
    """An empty database of our own: the SQLite file, or PostgreSQL's bench_<size>."""
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / f'bench_{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text
    name = f"bench_{size}"
    assert re.fullmatch(r"bench_\d+", name)  # never any other database
    engine = create_engine(f"{postgres_base()}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def ensure_loaded(database: str, size: int) -> dict:
    """Load the archive unless it is there already; returns how long loading took."""
    url = database_url(database, size)
    record = DATA / f"load-{database}-{size}.json"
    count = statement_count(url)
    if count == size and record.exists():
        print(f"== {database} {size:,}: archive loaded before, reused")
        flask(url, "db", "upgrade")  # new migrations, if any
        return json.loads(record.read_text())
    print(f"== {database} {size:,}: loading the archive"
          + (f" (found {count} statements: starting afresh)" if count else ""))
    recreate(database, size)
    flask(url, "db", "upgrade")
    started = time.perf_counter()
    load_before = load_average()
    flask(url, "portal", "bench-data", "--statements", str(size), "--languages",
          str(LANGUAGES), "--seed", str(SEED), "--password-stdin", stdin=PASSWORD + "\n")
    seconds = time.perf_counter() - started
    settled = settle(database, url)
    result = {"database": database, "size": size, "load_seconds": round(seconds, 1),
              "settle_seconds": round(settled, 1), "load_average": [load_before,
                                                                   load_average()],
              "bytes": database_bytes(database, size)}
    record.write_text(json.dumps(result, indent=2))
    print(f"   loaded in {seconds:.0f} s ({result['bytes'] / 2**30:.1f} GiB)")
    return result


def settle(database: str, url: str) -> float:
    """What a running portal's database reaches by itself after a load, done at once:
    PostgreSQL vacuumed and analyzed (autovacuum's steady state), SQLite's WAL folded."""
    from sqlalchemy import create_engine, text
    started = time.perf_counter()
    if database == "postgresql":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
    else:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return time.perf_counter() - started


def database_bytes(database: str, size: int) -> int:
    if database == "sqlite":
        return sum(path.stat().st_size for path in DATA.glob(f"bench_{size}.sqlite3*"))
    from sqlalchemy import create_engine, text
    engine = create_engine(database_url(database, size))
    with engine.connect() as connection:
        value = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    return value


# --- pages --------------------------------------------------------------------------------

@dataclass
class Page:
    name: str
    area: str  # reader, desk or coordinator: its target
    url: str
    who: str | None = None  # translator, reviewer or coordinator: signed in


@dataclass
class Timing:
    page: str
    area: str
    url: str
    database: str
    size: int
    cache: str  # cold or warm
    p50: float
    p95: float
    requests: int
    queries: int
    bytes: int
    status: int
    target: float = 0.0
    peak_mib: float = 0.0  # the process's VmHWM once this page was measured

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.p95 <= self.target


@dataclass
class Measurement:
    database: str
    size: int
    timings: list[Timing] = field(default_factory=list)
    vm_hwm_mib: float = 0.0
    vm_rss_mib: float = 0.0
    start_mib: float = 0.0
    load_average: list[float] = field(default_factory=list)


def make_app(url: str):
    from portal import create_app
    os.environ["PORTAL_INSTANCE_PATH"] = str(DATA / "instance")
    os.environ.pop("REDIS_URL", None)  # the page cache in this process: SimpleCache
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret-key",
                       "PORTAL_URL": "http://127.0.0.1:5000"})


def pages(app) -> list[Page]:
    """Every page type, on URLs chosen in the archive: typical rows, and the deep ones."""
    from sqlalchemy import and_, func, select
    from sqlalchemy.orm import aliased

    from portal.benchdata import RARE_WORD, REVIEWER, TRANSLATOR
    from portal.extensions import db
    from portal.models import (
        Edition,
        Language,
        Statement,
        Translation,
        TranslationState,
        User,
        Version,
        utcnow,
    )
    from portal.visibility import statement_availability, visible_now

    with app.app_context():
        now = utcnow()
        per_page = app.config["STATEMENTS_PER_PAGE"]
        english = db.session.scalar(select(func.count()).select_from(Edition).where(
            Edition.language_tag == "en", visible_now(now)))
        last_page = max(1, math.ceil(english / per_page))
        # A recent statement read in a translation, with the most languages.
        shown = db.session.execute(
            select(Statement.slug, Statement.source_language_tag)
            .join(Edition, Edition.statement_id == Statement.id)
            .where(visible_now(now), Statement.source_language_tag == "en")
            .group_by(Statement.id, Statement.slug, Statement.source_language_tag,
                      Statement.statement_date)
            .order_by(func.count().desc(), Statement.statement_date.desc()).limit(1)).one()
        # A readable statement missing in one language: readers get its source. Asked of
        # the app itself, among recent statements with a language still queued.
        fallback = next(
            candidate for candidate in db.session.execute(
                select(Statement.slug, Translation.language_tag)
                .join(Translation, Translation.statement_id == Statement.id)
                .where(Translation.state == TranslationState.QUEUED,
                       Statement.statement_date < now.date())
                .order_by(Statement.statement_date.desc()).limit(500))
            if (found := statement_availability(candidate.slug, now))[0] is not None
            and candidate.language_tag not in found[1])
        translator = db.session.scalar(select(User).where(User.email == TRANSLATOR))
        claim = db.session.scalar(
            select(Translation.id).where(Translation.claimed_by_id == translator.id,
                                         Translation.state == TranslationState.IN_PROGRESS)
            .order_by(Translation.id).limit(1))
        reviewer = db.session.scalar(select(User).where(User.email == REVIEWER))
        review_tags = [skill.language_tag for skill in reviewer.skills if skill.can_review]
        newer = aliased(Version)
        latest = (select(func.max(newer.number)).where(newer.translation_id == Translation.id)
                  .correlate(Translation).scalar_subquery())
        review = db.session.scalar(
            select(Version.id).join(Translation, and_(Translation.id == Version.translation_id,
                                                      Version.number == latest))
            .where(Translation.state == TranslationState.IN_REVIEW,
                   Translation.language_tag.in_(review_tags))
            .order_by(Version.number.desc(), Version.id.desc()).limit(1))
        # The release page of the statement with the most approved translations waiting.
        release = db.session.scalar(
            select(Translation.statement_id)
            .where(Translation.state == TranslationState.APPROVED)
            .group_by(Translation.statement_id)
            .order_by(func.count().desc(), Translation.statement_id.desc()).limit(1))
        target = next(tag for tag in ("es", "fr", "ar") if db.session.get(Language, tag))
    return [
        Page("listing /en/ page 1", "reader", "/en/"),
        Page(f"listing /en/ deep page {last_page}", "reader", f"/en/?page={last_page}"),
        Page("statement page", "reader", f"/{target}/statements/{shown.slug}"),
        Page("fallback page", "reader", f"/{fallback.language_tag}/statements/{fallback.slug}"),
        Page("feed.atom", "reader", "/en/feed.atom"),
        Page("search, common word", "reader", "/en/search?q=workers"),
        Page("search, rare word", "reader", f"/en/search?q={RARE_WORD.lower()}"),
        Page("API statements", "reader", "/api/v1/statements?lang=en"),
        Page("sitemap index", "reader", "/sitemap.xml"),
        Page("sitemap block 1", "reader", "/sitemaps/statements-1.xml"),
        Page("desk home", "desk", "/desk/", "translator"),
        Page("desk queue", "desk", "/desk/queue", "translator"),
        Page("editor", "desk", f"/desk/translations/{claim}", "translator"),
        Page("review page", "desk", f"/desk/versions/{review}", "reviewer"),
        Page("coordinator statements", "coordinator", "/coordinate/", "coordinator"),
        Page("progress matrix", "coordinator", "/coordinate/progress", "coordinator"),
        Page("release page", "coordinator", f"/coordinate/statements/{release}/release",
             "coordinator"),
    ]


def chosen_pages(all_pages: list[Page], names: str | None = None) -> list[Page]:
    words = [names] if names else env_list("BENCH_PAGES", "")
    if not words:
        return all_pages
    return [page for page in all_pages if any(word.lower() in page.name.lower()
                                              for word in words)]


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in(app, who: str | None):
    """A test client, signed in through the login form as one of the bench accounts."""
    from portal.benchdata import BENCH_DOMAIN
    client = app.test_client()
    if who is None:
        return client
    page = client.get("/account/login").get_data(as_text=True)
    response = client.post("/account/login", data={
        "email": f"{who}@{BENCH_DOMAIN}", "password": PASSWORD,
        "csrf_token": _CSRF.search(page).group(1)})
    assert response.status_code in (302, 303), f"cannot sign in as {who}"
    return client


class QueryCounter:
    """SQL statements run by one request, with their times (for --explain)."""

    def __init__(self, engine):
        from sqlalchemy import event
        self.statements: list[tuple[str, object, float]] = []
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, _statement, _parameters, _context, _many):
        self._started.append(time.perf_counter())

    def _after(self, _conn, _cursor, statement, parameters, _context, _many):
        elapsed = time.perf_counter() - self._started.pop()
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.statements.append((statement, parameters, elapsed))

    def reset(self) -> None:
        self.statements = []


def fetch(client, url: str) -> tuple[int, int]:
    """(status, bytes) of one request, its body read (streamed ones too) and dropped."""
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    return response.status_code, size


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(database: str, size: int, names: str | None = None) -> Measurement:
    """Every page, cold and warm, in this process (run in a fresh one by the parent)."""
    from portal.caching import cache
    from portal.extensions import db

    app = make_app(database_url(database, size))
    requests = int(os.environ.get("BENCH_REQUESTS", "30"))
    result = Measurement(database, size, load_average=[load_average()])
    clients = {}
    with app.app_context():
        counter = QueryCounter(db.engine)
    chosen = chosen_pages(pages(app), names)
    gc.freeze()  # what is loaded so far stays, as gunicorn.conf.py freezes it before forking
    result.start_mib = memory()[1]  # the app imported and its URLs chosen
    for page in chosen:
        if page.who not in clients:
            clients[page.who] = signed_in(app, page.who)
        client = clients[page.who]
        for mode in ("cold", "warm"):
            times, statuses, queries, size_bytes = [], set(), 0, 0
            count = requests
            for number in range(3 + count):
                if mode == "cold":
                    with app.app_context():
                        cache.clear()
                counter.reset()
                started = time.perf_counter()
                status, size_bytes = fetch(client, page.url)
                elapsed = (time.perf_counter() - started) * 1000
                statuses.add(status)
                if number == 0 and elapsed > 1000:
                    count = min(count, 5)  # a page of seconds: five samples tell enough
                if number >= 3:
                    times.append(elapsed)
                    queries = len(counter.statements)
                if number >= 2 + count:
                    break
            timing = Timing(page.name, page.area, page.url, database, size, mode,
                            round(percentile(times, 0.5), 1), round(percentile(times, 0.95), 1),
                            len(times), queries, size_bytes, max(statuses),
                            TARGETS[page.area], memory()[0])
            result.timings.append(timing)
            print(f"   {page.name:32} {mode:4}  p50 {timing.p50:8.1f} ms  p95 {timing.p95:8.1f} "
                  f"ms  {queries:3} queries  {size_bytes / 1024:8.0f} KiB  {timing.status}  "
                  f"peak {timing.peak_mib} MiB",
                  flush=True)
    result.vm_hwm_mib, result.vm_rss_mib = memory()
    result.load_average.append(load_average())
    return result


def memory() -> tuple[float, float]:
    """(VmHWM, VmRSS) of this process, in MiB."""
    status = Path("/proc/self/status").read_text()
    return tuple(round(int(re.search(rf"{key}:\s+(\d+)", status).group(1)) / 1024, 1)
                 for key in ("VmHWM", "VmRSS"))


def explain(database: str, size: int, name: str, top: int) -> None:
    """The SQL of one page (cold), slowest first, each with its plan."""
    from portal.caching import cache
    from portal.extensions import db
    app = make_app(database_url(database, size))
    page = chosen_pages(pages(app), name)[0]
    client = signed_in(app, page.who)
    with app.app_context():
        counter = QueryCounter(db.engine)
        cache.clear()
    fetch(client, page.url)  # warm the process (connections, templates)
    with app.app_context():
        cache.clear()
    counter.reset()
    fetch(client, page.url)
    statements = sorted(counter.statements, key=lambda row: -row[2])
    print(f"{page.name} ({page.url}) on {database} {size:,}: {len(statements)} statements, "
          f"{sum(row[2] for row in statements) * 1000:.1f} ms in SQL")
    with app.app_context():
        connection = db.engine.connect()
        for statement, parameters, seconds in statements[:top]:
            print(f"\n--- {seconds * 1000:.1f} ms\n{statement}\n{parameters}")
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if database == "postgresql" else \
                "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            print("\n".join(" | ".join(str(value) for value in row) for row in rows))
        connection.close()


def profile(database: str, size: int, name: str) -> None:
    from portal.caching import cache
    app = make_app(database_url(database, size))
    page = chosen_pages(pages(app), name)[0]
    client = signed_in(app, page.who)
    fetch(client, page.url)
    with app.app_context():
        cache.clear()
    profiler = cProfile.Profile()
    profiler.enable()
    fetch(client, page.url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


# --- throughput ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers at {url}")


@contextlib.contextmanager
def gunicorn(app_spec: str, url: str, name: str, *extra: str):
    """gunicorn with the shipped gunicorn.conf.py: two workers, Redis, a port of our own."""
    port = free_port()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    env = app_environment(url, WEB_CONCURRENCY="2", REDIS_URL=redis_url,
                          BIND=f"127.0.0.1:{port}", PORTAL_URL=f"http://127.0.0.1:{port}",
                          PROXY_HOPS="1")
    log = open(DATA / f"gunicorn-{name}.log", "w")  # closed below
    process = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"),
         *extra, app_spec], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def worker_memory(master: subprocess.Popen) -> list[dict]:
    """VmRSS and VmHWM of the gunicorn master's workers, in MiB."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            text_ = status.read_text()
            if re.search(rf"^PPid:\s+{master.pid}$", text_, re.M):
                found.append({key: round(int(re.search(rf"{key}:\s+(\d+)", text_).group(1))
                                         / 1024, 1) for key in ("VmRSS", "VmHWM")})
    return found


def wrk(url: str) -> dict:
    """Requests per second at BENCH_CONNECTIONS connections for BENCH_SECONDS."""
    seconds = os.environ.get("BENCH_SECONDS", "10")
    connections = os.environ.get("BENCH_CONNECTIONS", "16")
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                             url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p50 = float(latency.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[latency.group(2)]
    return {"url": url, "rps": rate, "non_2xx": int(errors.group(1)) if errors else 0,
            "p50_ms": round(p50, 2)}


def redis_flush() -> None:
    import redis
    redis.Redis.from_url(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")) \
        .flushdb()


def throughput(database: str, size: int) -> dict:
    """Portal pages against hello-world under the same gunicorn; then through nginx."""
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): throughput skipped")
        return {}
    url = database_url(database, size)
    app = make_app(url)
    chosen = {page.name: page.url for page in pages(app)}
    paths = {"statement page": chosen["statement page"], "listing /en/": "/en/"}
    result = {"database": database, "size": size, "tool": "wrk 2 threads, "
              f"{os.environ.get('BENCH_CONNECTIONS', '16')} connections, "
              f"{os.environ.get('BENCH_SECONDS', '10')} s", "runs": [],
              "load_average": [load_average()]}
    print(f"== throughput: gunicorn (2 workers) on {database} {size:,}")
    with gunicorn("hello:app", url, "hello", "--pythonpath", str(ROOT / "bench")) as (port, _):
        hello = wrk(f"http://127.0.0.1:{port}/")
        result["runs"].append({"name": "hello-world", **hello})
        print(f"   hello-world             {hello['rps']:8.0f} req/s")
    redis_flush()
    with gunicorn("wsgi:app", url, "portal") as (port, master):
        for name, path in paths.items():
            wait_for(f"http://127.0.0.1:{port}{path}")  # cached from here on
            run = wrk(f"http://127.0.0.1:{port}{path}")
            run["ratio"] = round(run["rps"] / hello["rps"], 2)
            result["runs"].append({"name": f"portal {name} (page cache warm)", **run})
            print(f"   portal {name:16} {run['rps']:8.0f} req/s  {run['ratio']:.2f}× hello-world"
                  f"  ({run['non_2xx']} non-2xx)")
        result["workers"] = worker_memory(master)
        nginx = nginx_runs(port, paths)
        if nginx:
            result["nginx"] = nginx
    result["load_average"].append(load_average())
    return result


def nginx_conf(portal_port: int, nginx_port: int, static_port: int) -> str | None:
    """deploy/nginx.conf, adapted to run here: plain HTTP on local ports, our cache folder."""
    source = ROOT / "deploy" / "nginx.conf"
    if not source.exists():
        return None
    conf = source.read_text()
    # Drop the port-80 server that only redirects to HTTPS.
    conf = re.sub(r"\nserver \{\n(?:(?!\n\}).)*return 301.*?\n\}\n", "\n", conf, flags=re.S)
    conf = re.sub(r"^\s*listen \[::\]:443.*$\n", "", conf, flags=re.M)
    conf = re.sub(r"^(\s*)listen 443.*$", rf"\1listen 127.0.0.1:{nginx_port};", conf,
                  flags=re.M)
    conf = re.sub(r"^\s*ssl_\w+ .*$\n", "", conf, flags=re.M)
    conf = re.sub(r"server_name [^;]+;", "server_name 127.0.0.1 localhost;", conf)
    conf = conf.replace("/var/cache/nginx/statement-portal", str(DATA / "nginx" / "cache"))
    conf = conf.replace("127.0.0.1:8000", f"127.0.0.1:{portal_port}")
    conf = conf.replace("/srv/statement-portal/", f"{ROOT}/")
    nginx = DATA / "nginx"
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers read our folder
    return f"""{user}worker_processes 2;
pid {nginx}/nginx.pid;
error_log {nginx}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {nginx}/access.log;
    client_body_temp_path {nginx}/tmp/body;
    proxy_temp_path {nginx}/tmp/proxy;
    fastcgi_temp_path {nginx}/tmp/fastcgi;
    uwsgi_temp_path {nginx}/tmp/uwsgi;
    scgi_temp_path {nginx}/tmp/scgi;
{conf}
    # The same page as a static file: the ceiling for nginx itself.
    server {{
        listen 127.0.0.1:{static_port};
        root {nginx}/static;
        default_type text/html;
    }}
}}
"""


def nginx_runs(portal_port: int, paths: dict[str, str]) -> list[dict]:
    if shutil.which("nginx") is None:
        print("nginx is not installed (apt-get install nginx-light): nginx runs skipped")
        return []
    nginx_port, static_port = free_port(), free_port()
    conf_text = nginx_conf(portal_port, nginx_port, static_port)
    if conf_text is None:
        print("deploy/nginx.conf does not exist: nginx runs skipped")
        return []
    folder = DATA / "nginx"
    shutil.rmtree(folder, ignore_errors=True)
    for sub in ("cache", "tmp", "static"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(conf_text)
    check = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(folder)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        print("deploy/nginx.conf could not be adapted here:\n" + check.stderr)
        return []
    statics = {}
    for name, path in paths.items():
        with urllib.request.urlopen(f"http://127.0.0.1:{portal_port}{path}") as response:
            body = response.read()
        static = re.sub(r"\W+", "-", name).strip("-") + ".html"
        (folder / "static" / static).write_bytes(body)
        statics[name] = static
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(folder), "-g",
                                "daemon off;"], start_new_session=True)
    runs = []
    try:
        wait_for(f"http://127.0.0.1:{static_port}/{next(iter(statics.values()))}")
        for name, path in paths.items():
            proxied = f"http://127.0.0.1:{nginx_port}{path}"
            wait_for(proxied)
            with urllib.request.urlopen(proxied) as response:
                response.read()
                status = response.headers.get("X-Cache-Status", "")
            run = wrk(proxied)
            static = wrk(f"http://127.0.0.1:{static_port}/{statics[name]}")
            run.update(ratio=round(run["rps"] / static["rps"], 2), cache_status=status,
                       static_rps=static["rps"])
            runs.append({"name": f"nginx → portal {name}", **run})
            print(f"   nginx → portal {name:16} {run['rps']:8.0f} req/s  "
                  f"{run['ratio']:.2f}× nginx static ({static['rps']:.0f} req/s), "
                  f"X-Cache-Status {status}, {run['non_2xx']} non-2xx")
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return runs


# --- the run and its report ---------------------------------------------------------------

def verdict(timing: dict) -> str:
    if timing["status"] != 200:
        return f"ERROR {timing['status']}"
    return "OK" if timing["p95"] <= timing["target"] else "MISSED"


def print_table(measurements: list[dict]) -> None:
    header = (f"{'page':34} {'db':10} {'size':>6} {'cache':5} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'target':>6} {'queries':>7}  result")
    print("\n" + header + "\n" + "-" * len(header))
    for measurement in measurements:
        for timing in measurement["timings"]:
            print(f"{timing['page']:34} {timing['database']:10} {timing['size']:>6} "
                  f"{timing['cache']:5} {timing['p50']:8.1f} {timing['p95']:8.1f} "
                  f"{timing['target']:6.0f} {timing['queries']:7}  {verdict(timing)}")
    print()
    for measurement in measurements:
        fits = "OK" if measurement["vm_hwm_mib"] <= RSS_TARGET_MIB else "MISSED"
        print(f"memory {measurement['database']} {measurement['size']:,}: "
              f"{memory_summary(measurement)}; target ≤ {RSS_TARGET_MIB} MiB: {fits}")


def memory_summary(measurement: dict) -> str:
    """Start, peak and end memory, and the page that raised the peak most."""
    text_ = (f"{measurement.get('start_mib', 0)} MiB once started, peak "
             f"{measurement['vm_hwm_mib']} MiB (VmHWM), {measurement['vm_rss_mib']} MiB at the "
             f"end (VmRSS)")
    previous, rise, culprit = measurement.get("start_mib", 0), 0.0, None
    for timing in measurement["timings"]:
        if timing.get("peak_mib", 0) - previous > rise:
            rise, culprit = timing["peak_mib"] - previous, timing["page"]
        previous = max(previous, timing.get("peak_mib", 0))
    return text_ + (f"; the largest rise, {rise:.0f} MiB, during {culprit}" if culprit else "")


def markdown(results: dict) -> str:
    """The saved results as the tables of docs/performance.md."""
    lines = []
    for key in sorted(results.get("measurements", {}), key=lambda k: (k.split("-")[0],
                                                                       int(k.split("-")[1]))):
        measurement = results["measurements"][key]
        lines += [f"\n#### {measurement['database']}, {measurement['size']:,} statements\n",
                  "| page | queries | cold p50 | cold p95 | warm p50 | warm p95 | target p95 "
                  "| result (cold / warm) |", "|---|---:|---:|---:|---:|---:|---:|---|"]
        timings = measurement["timings"]
        for cold in (t for t in timings if t["cache"] == "cold"):
            warm = next(t for t in timings if t["cache"] == "warm" and t["page"] == cold["page"])
            lines.append(f"| {cold['page']} | {cold['queries']} | {cold['p50']:.1f} | "
                         f"{cold['p95']:.1f} | {warm['p50']:.1f} | {warm['p95']:.1f} | "
                         f"{cold['target']:.0f} | {verdict(cold)} / {verdict(warm)} |")
        lines.append(f"\nMemory of the measuring process: {memory_summary(measurement)}. "
                     f"Load average before/after: {measurement['load_average']}.")
    return "\n".join(lines)


def results_file() -> Path:
    return DATA / "results.json"


def saved_results() -> dict:
    path = results_file()
    return json.loads(path.read_text()) if path.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--explain", metavar="PAGE")
    parser.add_argument("--top", type=int, default=3, help="statements --explain shows")
    parser.add_argument("--profile", metavar="PAGE")
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    if args.measure:
        result = measure(args.db, args.size)
        Path(args.out).write_text(json.dumps(asdict(result)))
        return
    if args.explain:
        return explain(args.db, args.size, args.explain, args.top)
    if args.profile:
        return profile(args.db, args.size, args.profile)
    if args.report:
        print(markdown(saved_results()))
        return

    results = saved_results()
    results["machine"] = machine()
    print("Machine: " + ", ".join(f"{key} {value}" for key, value in results["machine"].items()))
    sizes = [int(size) for size in env_list("BENCH_SIZES", "1000,10000")]
    databases = env_list("BENCH_DATABASES", "sqlite,postgresql")
    measured = []
    for database in databases:
        for size in sizes:
            results.setdefault("loads", {})[f"{database}-{size}"] = \
                ensure_loaded(database, size)
            out = DATA / f"measure-{database}-{size}.json"
            print(f"== {database} {size:,}: measuring in a fresh process")
            subprocess.run([PYTHON, str(Path(__file__).resolve()), "--measure", "--db",
                            database, "--size", str(size), "--out", str(out)], check=True,
                           cwd=ROOT, env=app_environment(database_url(database, size)))
            measurement = json.loads(out.read_text())
            results.setdefault("measurements", {})[f"{database}-{size}"] = measurement
            measured.append(measurement)
            results_file().write_text(json.dumps(results, indent=2))
    print_table(measured)
    if os.environ.get("BENCH_THROUGHPUT", "1") == "1":
        database = "postgresql" if "postgresql" in databases else databases[0]
        result = throughput(database, max(sizes))
        if result:
            results["throughput"] = result
            results_file().write_text(json.dumps(results, indent=2))
            for run in result["runs"] + result.get("nginx", []):
                if "ratio" in run:
                    fits = "OK" if run["ratio"] >= RATIO_TARGET else "MISSED"
                    print(f"{run['name']:44} {run['rps']:8.0f} req/s  {run['ratio']:.2f}×  "
                          f"target ≥ {RATIO_TARGET}×: {fits}")
            for number, worker in enumerate(result.get("workers", []), start=1):
                fits = "OK" if worker["VmHWM"] <= RSS_TARGET_MIB else "MISSED"
                print(f"gunicorn worker {number}: VmRSS {worker['VmRSS']} MiB, VmHWM "
                      f"{worker['VmHWM']} MiB, target ≤ {RSS_TARGET_MIB} MiB: {fits}")
    print(f"\nResults kept in {results_file().relative_to(ROOT)}; "
          "`python bench/run.py --report` prints them as Markdown.")


if __name__ == "__main__":
    main()
