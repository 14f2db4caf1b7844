"""Moving an archive in and out: Markdown with front matter, WordPress exports, backups.

One Markdown file per statement and language:

    ---
    slug: migrants-day-2026
    date: 2026-12-18
    language: es
    source_language: en
    translation_of: migrants-day-2026   # translations only
    title: Día Internacional del Migrante
    summary: …
    published: 2026-12-18T08:00:00Z      # optional: when readers first saw it
    ---
    The body, in Markdown.

`flask portal export` writes this format and `flask portal import` reads it (and WordPress
WXR exports), so an export imported into an empty portal shows readers the same texts.
Imports are idempotent: a statement whose slug exists is left alone.
"""

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import nh3
import yaml
from markdownify import markdownify
from sqlalchemy import func, select

from portal.content import split_statement
from portal.exchange.safexml import XmlRefused, parse_xml
from portal.extensions import db
from portal.models import (
    Language,
    Publication,
    Release,
    Role,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    VersionSegment,
    utcnow,
)
from portal.models.languages import InvalidLanguageTag, canonical_tag
from portal.visibility import content_changed, refresh_editions
from portal.workflow.audit import record_event
from portal.workflow.releases import assemble_version
from portal.workflow.statements import create_statement
from portal.workflow.translations import MAX_TITLE

IMPORTED_EMAIL = "imported@portal.invalid"
# Bounds on what an archive may unpack to: a ZIP bomb stops here.
MAX_FILE_BYTES = 5_000_000
MAX_ARCHIVE_BYTES = 500_000_000
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")


class ArchiveError(ValueError):
    """The archive cannot be read; the message names the file and the problem."""


@dataclass
class Document:
    """One statement in one language, as an archive holds it."""

    slug: str
    language: str
    source_language: str
    statement_date: date
    title: str
    summary: str
    body: str
    published: datetime | None = None
    origin: str = ""  # the file (and item) it came from, for messages

    @property
    def is_source(self) -> bool:
        return self.language == self.source_language


@dataclass
class ImportReport:
    """What an import created, and what it left alone or could not read."""

    created: list[tuple[str, list[str]]] = field(default_factory=list)  # (slug, languages)
    existing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    not_mirrored: list[tuple[str, str]] = field(default_factory=list)  # (slug, language)


# --- reading ------------------------------------------------------------------------------

def read_archive(path: Path, default_language: str) -> tuple[list[Document], list[str]]:
    """Documents from a folder, a ZIP, a Markdown file or a WordPress export; and problems."""
    documents: list[Document] = []
    problems: list[str] = []
    for name, data in _files(path):
        try:
            if name.lower().endswith(".md"):
                documents.append(parse_markdown(data, name))
            elif name.lower().endswith(".xml"):
                documents.extend(parse_wxr(data, name, default_language))
        except ArchiveError as error:
            problems.append(str(error))
    return documents, problems


def _files(path: Path):
    """(name, bytes) of each .md and .xml file under `path`, bounded in size."""
    if path.is_dir():
        for item in sorted(path.rglob("*")):
            if item.is_file() and item.suffix.lower() in (".md", ".xml"):
                if item.stat().st_size > MAX_FILE_BYTES:
                    raise ArchiveError(f"{item}: larger than {MAX_FILE_BYTES} bytes")
                yield str(item.relative_to(path)), item.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in sorted(archive.infolist(), key=lambda info: info.filename):
                if info.is_dir() or Path(info.filename).suffix.lower() not in (".md", ".xml"):
                    continue
                total += info.file_size
                if info.file_size > MAX_FILE_BYTES or total > MAX_ARCHIVE_BYTES:
                    raise ArchiveError(f"{info.filename}: the archive unpacks to too much")
                with archive.open(info) as member:  # read at most the bound, whatever it says
                    data = member.read(MAX_FILE_BYTES + 1)
                if len(data) > MAX_FILE_BYTES:
                    raise ArchiveError(f"{info.filename}: larger than {MAX_FILE_BYTES} bytes")
                yield info.filename, data
    elif path.is_file():
        if path.stat().st_size > MAX_FILE_BYTES * 20:
            raise ArchiveError(f"{path}: too large")
        yield path.name, path.read_bytes()
    else:
        raise ArchiveError(f"{path}: no such folder or file")


def _tag(raw, origin: str) -> str:
    try:
        return canonical_tag(str(raw))
    except InvalidLanguageTag:
        raise ArchiveError(f"{origin}: '{raw}' is not a language tag") from None


def _date(raw, origin: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise ArchiveError(f"{origin}: '{raw}' is not a date (YYYY-MM-DD)") from None


def _moment(raw, origin: str) -> datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        moment = raw
    else:
        try:
            moment = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ArchiveError(f"{origin}: '{raw}' is not a date and time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_markdown(data: bytes, origin: str) -> Document:
    """One Markdown file with front matter."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError(f"{origin}: not UTF-8 text") from None
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ArchiveError(f"{origin}: no front matter (a block between --- lines)")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ArchiveError(f"{origin}: front matter is not YAML ({error})") from None
    if not isinstance(meta, dict):
        raise ArchiveError(f"{origin}: front matter is not a list of fields")
    meta = {str(key).replace("-", "_").lower(): value for key, value in meta.items()}
    missing = [name for name in ("slug", "date", "language", "title") if not meta.get(name)]
    if missing:
        raise ArchiveError(f"{origin}: front matter lacks {', '.join(missing)}")
    language = _tag(meta["language"], origin)
    slug = str(meta.get("translation_of") or meta["slug"]).strip()
    source_language = _tag(meta.get("source_language") or language, origin)
    return Document(
        slug=_check_slug(slug, origin), language=language, source_language=source_language,
        statement_date=_date(meta["date"], origin), title=_title(str(meta["title"])),
        summary=str(meta.get("summary") or "").strip(), body=text[match.end():].strip(),
        published=_moment(meta.get("published"), origin), origin=origin)


def _check_slug(slug: str, origin: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise ArchiveError(f"{origin}: '{slug}' is not an address (a-z, 0-9 and -)")
    return slug


def _title(raw: str) -> str:
    return " ".join(raw.split())[:MAX_TITLE]


# --- WordPress ----------------------------------------------------------------------------

WP = "http://wordpress.org/export/1.2/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
EXCERPT = "http://wordpress.org/export/1.2/excerpt/"
_ALLOWED = {"a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
            "hr", "i", "li", "ol", "p", "pre", "strong", "ul", "table", "thead", "tbody",
            "tr", "th", "td"}
_BLOCK = re.compile(r"<(p|h[1-6]|ul|ol|blockquote|pre|table|div)\b", re.IGNORECASE)


def _wp(element, name: str, namespace: str = WP) -> str:
    found = element.find(f"{{{namespace}}}{name}")
    return (found.text or "") if found is not None else ""


def html_to_markdown(content: str) -> str:
    """WordPress post HTML as Markdown: sanitized first, paragraphs as WordPress makes them."""
    if not _BLOCK.search(content):  # classic editor: blank lines are paragraphs (wpautop)
        content = "".join(f"<p>{part.strip()}</p>" for part in re.split(r"\n\s*\n", content)
                          if part.strip())
    clean = nh3.clean(content, tags=_ALLOWED, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel=None)
    markdown = markdownify(clean, heading_style="ATX", bullets="-", escape_underscores=False,
                           escape_asterisks=True)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in
                                                markdown.splitlines())).strip()


def _plain(content: str) -> str:
    return html.unescape(nh3.clean(content, tags=set())).strip()


def parse_wxr(data: bytes, origin: str, default_language: str) -> list[Document]:
    """Published posts of a WordPress export, with Polylang or WPML languages if present."""
    try:
        root = parse_xml(data)
    except XmlRefused as refused:
        where = f" line {refused.line}" if refused.line else ""
        raise ArchiveError(f"{origin}:{where} {refused.problem}") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ArchiveError(f"{origin}: not a WordPress export (WXR)")
    posts = []
    for item in channel.iter("item"):
        if _wp(item, "post_type") != "post" or _wp(item, "status") != "publish":
            continue
        meta = {_wp(entry, "meta_key"): _wp(entry, "meta_value")
                for entry in item.findall(f"{{{WP}}}postmeta")}
        categories = {entry.get("domain"): entry.get("nicename") for entry in
                      item.findall("category")}
        language = categories.get("language") or meta.get("_wpml_import_language_code") \
            or default_language
        group = categories.get("post_translations") or \
            meta.get("_wpml_import_translation_group") or f"post-{_wp(item, 'post_id')}"
        name = f"{origin} (post {_wp(item, 'post_id')})"
        gmt = _wp(item, "post_date_gmt")
        published = _moment(gmt if gmt and not gmt.startswith("0000")
                            else _wp(item, "post_date"), name)
        body = html_to_markdown(_wp(item, "encoded", CONTENT))
        summary = html_to_markdown(_wp(item, "encoded", EXCERPT))
        if not summary:  # the first paragraph stands as the summary, as readers meet it
            summary, _, body = body.partition("\n\n")
        posts.append({
            "group": group, "language": _tag(language, name), "published": published,
            "slug": _wp(item, "post_name") or f"post-{_wp(item, 'post_id')}",
            "title": _plain(item.findtext("title") or ""), "summary": summary, "body": body,
            "source": meta.get("_wpml_import_source_language_code"), "origin": name})
    documents = []
    groups: dict[str, list[dict]] = {}
    for post in posts:
        groups.setdefault(post["group"], []).append(post)
    for members in groups.values():
        # The source is the post WPML names as such, else the one written first.
        named = {_tag(post["source"], post["origin"]) for post in members if post["source"]}
        source = next((post for post in members if post["language"] in named), None) or \
            min(members, key=lambda post: post["published"])
        slug = _check_slug(re.sub(r"[^a-z0-9-]+", "-", source["slug"].lower()).strip("-"),
                           source["origin"])
        for post in members:
            documents.append(Document(
                slug=slug, language=post["language"], source_language=source["language"],
                statement_date=source["published"].date(), title=_title(post["title"]),
                summary=post["summary"].strip(), body=post["body"].strip(),
                published=post["published"], origin=post["origin"]))
    return documents


# --- importing ----------------------------------------------------------------------------

def imported_account() -> User:
    """The account imported content is credited to; nobody can sign in with it."""
    user = db.session.scalar(select(User).where(User.email == IMPORTED_EMAIL))
    if user is None:
        user = User(email=IMPORTED_EMAIL, display_name="Imported", role=Role.TRANSLATOR,
                    active=False)
        db.session.add(user)
        db.session.flush()
    return user


def _ensure_language(tag: str) -> None:
    if db.session.get(Language, tag) is None:
        db.session.add(Language(tag=tag))
        db.session.flush()


def _release_time(document: Document, now: datetime) -> datetime:
    if document.published is not None:
        return document.published
    return min(datetime.combine(document.statement_date, time(8, 0), tzinfo=UTC),
               now - timedelta(minutes=1))


def import_documents(documents: list[Document], origin: str) -> ImportReport:
    """Create each statement not yet in the portal, published in every language it has."""
    report = ImportReport()
    by_slug: dict[str, list[Document]] = {}
    for document in documents:
        by_slug.setdefault(document.slug, []).append(document)
    account = None
    now = utcnow().replace(microsecond=0)
    for slug, group in by_slug.items():
        if db.session.scalar(select(Statement.id).where(Statement.slug == slug)) is not None:
            report.existing.append(slug)
            continue
        sources = [document for document in group if document.is_source]
        languages = [document.language for document in group]
        if len(sources) != 1 or len(set(languages)) != len(languages):
            report.problems.append(f"{slug}: needs exactly one source text and one file per "
                                   f"language (found {', '.join(sorted(languages))})")
            continue
        account = account or imported_account()
        _import_statement(account, sources[0], [d for d in group if not d.is_source], now,
                          report, origin)
    if report.created:
        content_changed()
    db.session.flush()
    return report


def _import_statement(account: User, source: Document, translations: list[Document],
                      now: datetime, report: ImportReport, origin: str) -> None:
    for tag in {source.language, *(document.language for document in translations)}:
        _ensure_language(tag)
    statement = create_statement(
        None, slug=source.slug, source_language=source.language,
        statement_date=source.statement_date, title=source.title, summary=source.summary,
        body=source.body, target_languages=[document.language for document in translations])
    statement.created_by = account
    revision = statement.current_revision
    revision.created_by_id = account.id
    segments = revision.segments
    releases: dict[datetime, list[Version]] = {_release_time(source, now): []}
    loose: list[Document] = []
    for document in translations:
        translation = db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id,
            Translation.language_tag == document.language))
        parts = split_statement(document.title, document.summary, document.body)
        if [part.kind for part in parts] != [segment.kind for segment in segments]:
            # Not block for block the source's: published as it is; its translation stays
            # open, so a volunteer can bring it into the workflow.
            loose.append(document)
            report.not_mirrored.append((source.slug, document.language))
            continue
        version = Version(translation=translation, number=1, source_revision=revision,
                          created_by=account)
        version.segments = [VersionSegment(position=segment.position, segment_key=segment.key,
                                           text=part.text)
                            for segment, part in zip(segments, parts, strict=True)]
        db.session.add(version)
        translation.state = TranslationState.APPROVED
        releases.setdefault(_release_time(document, now), []).append(version)
    db.session.flush()
    source_time = _release_time(source, now)
    _publish(statement, releases.pop(source_time), source_time, account, origin, source=True)
    for moment, versions in sorted(releases.items()):
        _publish(statement, versions, moment, account, origin)
    for document in loose:
        release = Release(statement=statement, release_at=_release_time(document, now),
                          created_by=account, note=f"Imported from {origin}")
        db.session.add(release)
        db.session.add(Publication(statement=statement, release=release,
                                   language_tag=document.language, source_revision=revision,
                                   title=document.title, summary=document.summary,
                                   body=document.body))
    db.session.flush()
    refresh_editions([statement.id])
    languages = [source.language, *(document.language for document in translations)]
    record_event(account, "statement.import", statement=statement,
                 detail=f"from {origin}: {', '.join(languages)}")
    report.created.append((source.slug, languages))


def _publish(statement: Statement, versions: list[Version], release_at: datetime,
              account: User, origin: str, source: bool = False) -> None:
    """A release of imported texts, as release_statement makes one but e-mailing nobody.

    Member organizations are told of new statements, not of an archive moving house.
    """
    release = Release(statement=statement, release_at=release_at, created_by=account,
                      note=f"Imported from {origin}")
    db.session.add(release)
    revision = statement.current_revision
    if source:
        db.session.add(Publication(
            statement=statement, release=release, language_tag=statement.source_language_tag,
            source_revision=revision, title=revision.title, summary=revision.summary,
            body=revision.body))
    for version in versions:
        title, summary, body = assemble_version(version)
        db.session.add(Publication(
            statement=statement, release=release, language_tag=version.translation.language_tag,
            source_revision=revision, version_id=version.id, title=title, summary=summary,
            body=body))
        version.translation.state = TranslationState.PUBLISHED
        record_event(account, "translation.release", translation=version.translation,
                     from_state=TranslationState.APPROVED, to_state=TranslationState.PUBLISHED,
                     detail=f"version 1, imported, at {release_at.isoformat()}")


# --- exporting ----------------------------------------------------------------------------

def _front_matter(fields: dict) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000).strip()


def export_archive(now: datetime | None = None) -> tuple[bytes, int]:
    """A ZIP of every statement in every published language: what readers see, as Markdown.

    Per statement and language, the publication readers see now (or, for an embargoed one,
    the one they will see); withdrawn texts are left out. Returns the bytes and the count.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(Publication, Release.release_at, Statement)
        .join(Release, Publication.release_id == Release.id)
        .join(Statement, Publication.statement_id == Statement.id)
        .where(Publication.withdrawn_at.is_(None))
        .order_by(Statement.slug, Publication.language_tag, Release.release_at,
                  Publication.id)).all()
    chosen: dict[tuple[str, str], tuple] = {}
    for publication, release_at, statement in rows:
        key = (statement.slug, publication.language_tag)
        held = chosen.get(key)
        # The newest that has been released; a future one only while none has.
        if held is None or release_at <= now or held[1] > now:
            chosen[key] = (publication, release_at, statement)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for (slug, language), (publication, release_at, statement) in sorted(chosen.items()):
            fields = {"slug": slug, "date": statement.statement_date,
                      "language": language, "source_language": statement.source_language_tag}
            if language != statement.source_language_tag:
                fields["translation_of"] = slug
            fields.update(title=publication.title, summary=publication.summary,
                          published=release_at.astimezone(UTC).isoformat().replace(
                              "+00:00", "Z"))
            text = f"---\n{_front_matter(fields)}\n---\n\n{publication.body}\n"
            archive.writestr(f"{slug}/{language}.md", text)
    return buffer.getvalue(), len(chosen)


def count_statements() -> int:
    """How many statements the portal holds."""
    return db.session.scalar(select(func.count(Statement.id))) or 0
