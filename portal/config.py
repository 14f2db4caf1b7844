"""Settings read from the environment, with safe defaults."""

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def load_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        log.warning(
            "SECRET_KEY is not set; generated one in %s. Set SECRET_KEY when more than one "
            "host serves the portal.",
            key_file,
        )
        key_file.parent.mkdir(parents=True, exist_ok=True)
        # Created private to this user: the key signs sessions and links.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Collect the settings the portal reads from the environment."""
    default_db = "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "DEFAULT_LANGUAGE": os.environ.get("DEFAULT_LANGUAGE", "en"),
        "STATEMENTS_PER_PAGE": _int("STATEMENTS_PER_PAGE", 10),
        "CLAIM_HOURS": _int("CLAIM_HOURS", 72),
        "MAX_CLAIMS": _int("MAX_CLAIMS", 3),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        # How long a rendered public page is kept at most (a change of content ends it).
        "PAGE_CACHE_SECONDS": _int("PAGE_CACHE_SECONDS", 300),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") == "1",
        # Behind a reverse proxy, trust this many X-Forwarded-For hops for client addresses.
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
        "SITE_NAME": os.environ.get("SITE_NAME", "Statement Portal"),
        # Who speaks in the statements: named on printed leaflets and in the thanks to
        # the volunteers who translated them.
        "ALLIANCE_NAME": os.environ.get("ALLIANCE_NAME") or os.environ.get(
            "SITE_NAME", "Statement Portal"),
        # The largest request body accepted, in bytes; larger ones get 413 unread. A statement
        # at its longest (portal/coordinate/forms.py), URL-encoded, still fits.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        # The largest translation file accepted back from a translator's own tool, in bytes.
        "OFFLINE_UPLOAD_BYTES": _int("OFFLINE_UPLOAD_BYTES", 1_000_000),
        # The canonical origin: every absolute link is built on it (see portal.urls).
        "PORTAL_URL": os.environ.get("PORTAL_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Hosts a request may name; derived from PORTAL_URL when unset (create_app).
        "TRUSTED_HOSTS": _list("TRUSTED_HOSTS"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Statement Portal <portal@localhost>"),
        # A LibreTranslate-compatible server for machine suggestions; unset: no MT at all.
        "MT_URL": (os.environ.get("MT_URL") or "").rstrip("/") or None,
        "MT_API_KEY": os.environ.get("MT_API_KEY") or None,
        "MT_TIMEOUT": _int("MT_TIMEOUT", 10),
        # The largest TMX, TBX or CSV file accepted for import, in bytes.
        "MAX_IMPORT_BYTES": _int("MAX_IMPORT_BYTES", 5 * 1024 * 1024),
        "INVITATION_DAYS": _int("INVITATION_DAYS", 14),
        "PASSWORD_RESET_HOURS": _int("PASSWORD_RESET_HOURS", 2),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent.parent / "translations"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
