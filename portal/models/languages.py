"""Languages the portal is set up for; names and direction come from CLDR via Babel."""

from datetime import datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale
from sqlalchemy import CheckConstraint, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime


class InvalidLanguageTag(ValueError):
    """Raised for a tag that is not a language CLDR knows."""


@lru_cache(maxsize=512)
def canonical_tag(raw: str) -> str:
    """Return the canonical BCP 47 form of a tag (`pt-br` → `pt-BR`), or raise."""
    try:
        language, territory, script, variant = parse_locale(raw.strip().replace("_", "-"), sep="-")
        tag = "-".join(part for part in (language, script, territory, variant) if part)
        Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError) as exc:
        raise InvalidLanguageTag(raw) from exc
    return tag


@lru_cache(maxsize=1024)
def _maximized(tag: str) -> tuple[str, str | None, str | None]:
    """(language, script, territory) with the missing parts CLDR thinks likely.

    `zh-TW` → (zh, Hant, TW), `pt` → (pt, Latn, BR): so a browser asking for `pt` finds
    `pt-BR`, and one asking for `zh-CN` finds `zh-Hans` but never `zh-Hant`.
    """
    try:
        language, territory, script, _variant = parse_locale(tag.replace("_", "-"), sep="-")
    except ValueError:
        return ("", None, None)
    likely_subtags = get_global("likely_subtags")
    likely = likely_subtags.get(f"{language}_{territory}") or likely_subtags.get(language)
    if likely:
        _language, likely_territory, likely_script, _ = parse_locale(likely)
        script = script or likely_script
        territory = territory or likely_territory
    return language, script, territory


def best_match(accepted: list[str], available: list[str]) -> str | None:
    """The available tag that best serves a reader's ordered list of accepted tags."""
    for wanted in accepted:
        exact = [tag for tag in available if tag.lower() == wanted.lower()]
        if exact:
            return exact[0]
        language, script, territory = _maximized(wanted)
        candidates = [tag for tag in available
                      if _maximized(tag)[:2] == (language, script)]
        if candidates:
            # Prefer the reader's own region, then the language's most likely one.
            return max(candidates, key=lambda tag: _maximized(tag)[2] == territory)
    return None


@lru_cache(maxsize=512)
def locale_for(tag: str) -> Locale:
    """The Babel locale of a canonical tag."""
    return Locale.parse(tag, sep="-")


def babel_name(tag: str) -> str:
    """The locale identifier Babel and gettext catalogs use (`pt-BR` → `pt_BR`)."""
    return str(locale_for(tag))


def _capitalized(name: str) -> str:
    # CLDR gives names as they appear mid-sentence; a list shows them on their own.
    return name[:1].upper() + name[1:]


# Names and direction come from CLDR and never change: an API page or the progress matrix
# asks for them hundreds of times (12 ms of an API page when looked up each time).
@lru_cache(maxsize=512)
def autonym(tag: str) -> str:
    """The language's name in itself, e.g. `Español`, `العربية`."""
    return _capitalized(locale_for(tag).get_display_name(locale_for(tag)))


@lru_cache(maxsize=512)
def english_name(tag: str) -> str:
    """The language's name in English."""
    return locale_for(tag).get_display_name("en")


@lru_cache(maxsize=512)
def direction(tag: str) -> str:
    """`rtl` for scripts written right to left, else `ltr`."""
    return "rtl" if locale_for(tag).character_order == "right-to-left" else "ltr"


class Language(Base):
    """A language coordinators have set up; readers only see enabled ones."""

    __tablename__ = "languages"
    __table_args__ = (CheckConstraint("length(tag) between 2 and 35", name="tag_length"),)

    tag: Mapped[str] = mapped_column(String(35), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())

    @property
    def autonym(self) -> str:
        return autonym(self.tag)

    @property
    def english_name(self) -> str:
        return english_name(self.tag)

    @property
    def direction(self) -> str:
        return direction(self.tag)

    def __repr__(self) -> str:
        return f"<Language {self.tag}>"
