"""Forms of the coordinators' area: statements, releases, organizations, people, audit."""

import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.extensions import db
from portal.inputs import MAX_ID, PortalForm
from portal.models import Role, Statement, utcnow
from portal.models.languages import autonym, english_name

SLUG_PATTERN = re.compile(r"^[a-z0-9-]{1,120}$")
SLUG_MAX = 120
# Deliberately loose: a typo is caught, real addresses (plus signs, long domains) pass.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Input format of <input type="datetime-local">, minutes first, as browsers send it.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# CLDR lists groupings and private-use codes among its two-letter territories; an
# organization is based in a country, not in "European Union" or "Unknown Region".
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
# Longest texts a coordinator may type, in characters (the title is the database's limit).
MAX_TITLE = 300
MAX_SUMMARY = 2_000
MAX_BODY = 100_000
MAX_GUIDANCE = 5_000
MAX_NOTE = 2_000
MAX_ORGANIZATION_NAME = 200
TOO_LONG = _l("Use at most %(max)d characters.")

ROLE_TITLES = {
    Role.TRANSLATOR: _l("Translator"),
    Role.REVIEWER: _l("Reviewer"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Administrator"),
}


def coordinator_zone() -> ZoneInfo:
    """The signed-in coordinator's time zone, in which they type and read times."""
    return current_user.zone


def to_utc(moment: datetime | None) -> datetime | None:
    """An aware datetime converted to UTC, as the database stores it."""
    return moment.astimezone(UTC) if moment is not None else None


def slug_from_title(title: str) -> str:
    """Lowercase ASCII words of a title, hyphenated: `Día del Migrante` → `dia-del-migrante`."""
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_text = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = re.findall(r"[a-z0-9]+", ascii_text.casefold())  # casefold: ß → ss
    return "-".join(words)[:SLUG_MAX].strip("-")


def choices(pairs) -> list[SelectChoice]:
    """Options of a select or of checkboxes, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices(tags) -> list[SelectChoice]:
    """Options for a list of language tags, ordered by autonym."""
    return choices(sorted(((tag, autonym(tag)) for tag in set(tags)),
                          key=lambda pair: pair[1].casefold()))


def is_email(value: str) -> bool:
    """True for something shaped like an e-mail address."""
    return len(value) <= 254 and bool(EMAIL_PATTERN.match(value))


def _email(form, field) -> None:
    if field.data and not is_email(field.data):
        raise ValidationError(_l("This does not look like an e-mail address."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class LanguagesField(SelectMultipleField):
    """Checkboxes of languages; the template lays them out with each autonym in its own script."""

    def pre_validate(self, form) -> None:
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or []):
            # Never repeat the posted values: a lazy string would reach the page unescaped.
            raise ValidationError(_l("Choose languages from the list."))


class LocalDateTimeField(DateTimeLocalField):
    """A datetime typed in the coordinator's own time zone; `.data` is aware."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", LOCAL_FORMATS)
        kwargs.setdefault("tz", coordinator_zone)
        kwargs.setdefault("invalid_value_message",
                          _l("Enter a date and time, for example 2026-12-18 09:00."))
        super().__init__(*args, **kwargs)


class StatementForm(PortalForm):
    """The fields a statement's edit page shares with its creation."""

    title = StringField(_l("Title"), filters=[_strip],
                        validators=[DataRequired(), Length(max=MAX_TITLE, message=TOO_LONG)])
    summary = TextAreaField(_l("Summary"), filters=[_strip],
                            validators=[DataRequired(),
                                        Length(max=MAX_SUMMARY, message=TOO_LONG)],
                            description=_l("One or two sentences; shown in lists and feeds."))
    body = TextAreaField(
        _l("Text"), filters=[_strip],
        validators=[DataRequired(), Length(max=MAX_BODY, message=TOO_LONG)],
        description=_l("Markdown: leave a blank line between paragraphs; start a line with "
                       "## for a heading, - for a list item, > for a quote. Each paragraph "
                       "is translated on its own, so a change to one keeps the others."),
    )
    guidance = TextAreaField(
        _l("Guidance for translators (optional)"), filters=[_strip],
        validators=[Optional(), Length(max=MAX_GUIDANCE, message=TOO_LONG)],
        description=_l("Tone, terms to keep or avoid, context: shown at the top of the "
                       "translators' editor. Markdown."))
    statement_date = DateField(_l("Statement date"), validators=[DataRequired()])
    deadline = LocalDateTimeField(_l("Translation deadline"), validators=[Optional()])
    target_languages = LanguagesField(_l("Target languages"))

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.target_languages.choices = language_choices(languages)


class NewStatementForm(StatementForm):
    """A new statement: also its address and its source language, both fixed afterwards."""

    slug = StringField(
        _l("Address (slug)"), filters=[_strip, _lower],
        validators=[Optional(), Length(max=SLUG_MAX, message=TOO_LONG),
                    Regexp(SLUG_PATTERN, message=_l("Use only the letters a–z, digits and "
                                                    "hyphens."))],
        description=_l("The statement's address in every language, e.g. migrants-day-2026. "
                       "Leave empty to make it from the title."),
    )
    source_language = SelectField(_l("Source language"), validators=[DataRequired()])

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, languages=languages, **kwargs)
        self.source_language.choices = language_choices(languages)

    def validate(self, extra_validators=None) -> bool:
        """Derive the slug from the title when none was typed, then check it is free."""
        if not super().validate(extra_validators):
            return False
        if not self.slug.data:
            self.slug.data = slug_from_title(self.title.data)
            if not self.slug.data:
                self.slug.errors.append(_l("The title has no letters a–z to make an address "
                                           "from; type one."))
                return False
        if db.session.scalar(select(Statement.id).where(Statement.slug == self.slug.data)):
            # gettext, not lazy_gettext: a lazy string counts as safe HTML in templates.
            self.slug.errors.append(_("The address %(slug)s is already taken by another "
                                      "statement; choose another.", slug=self.slug.data))
            return False
        return True


class ReleaseForm(PortalForm):
    """Which approved versions go public with the source, and when."""

    versions = SelectMultipleField(_l("Approved translations"), coerce=int)
    when = RadioField(_l("When"), default="now",
                      choices=choices([("now", _l("Now")), ("at", _l("At this time:"))]))
    release_at = LocalDateTimeField(_l("Release time"), validators=[Optional()])
    note = TextAreaField(_l("Note (optional)"), filters=[_strip],
                         validators=[Length(max=MAX_NOTE, message=TOO_LONG)])

    def __init__(self, *args, version_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.versions.choices = choices(version_choices)

    def validate_release_at(self, field) -> None:
        """A chosen release time must lie ahead: a past one would publish unseen, at once."""
        if self.when.data != "at":
            return
        if field.data is None:
            raise ValidationError(_l("Give the release time, or choose “Now”."))
        if field.data <= utcnow():
            raise ValidationError(_l("This time has already passed. Choose a time in the "
                                     "future, or “Now”."))

    def release_time(self) -> datetime:
        """The chosen moment, in UTC."""
        return to_utc(self.release_at.data) if self.when.data == "at" else utcnow()


class CorrectionsForm(PortalForm):
    """How approved corrections of a statement's released translations go live."""

    corrections = RadioField(
        _l("Corrections of released translations"),
        choices=[SelectChoice("live", _l("Go live as soon as a reviewer approves them")),
                 SelectChoice("release", _l("Wait for a coordinator's release"))],
        validators=[DataRequired()])


class UnpublishForm(PortalForm):
    """Withdraw one language of a statement from readers."""

    language = SelectField(_l("Language"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason"), filters=[_strip],
        validators=[DataRequired(message=_l("Give a reason: it is kept in the audit log.")),
                    Length(max=MAX_NOTE, message=TOO_LONG)],
    )

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(languages)


def country_choices() -> list[SelectChoice]:
    """Two-letter CLDR territories, named in the interface language, ordered by name."""
    names = get_locale().territories
    countries = [(code, name) for code, name in names.items()
                 if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES]
    return choices(sorted(countries, key=lambda pair: _sort_key(pair[1])))


def _sort_key(name: str) -> str:
    # "Åland" next to "Aland", not after "Zimbabwe".
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def _country(form, field) -> None:
    if not field.data or field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(_l("Choose a country from the list."))


class OrganizationForm(PortalForm):
    """A member organization."""

    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(), Length(max=MAX_ORGANIZATION_NAME, message=TOO_LONG)])
    country = SelectField(_l("Country"), validators=[_country],
                          validate_choice=False)
    languages = LanguagesField(_l("Languages it needs"))
    contact_email = StringField(
        _l("Contact e-mail (optional)"), filters=[_strip],
        validators=[Optional(), Length(max=254, message=TOO_LONG), _email],
        description=_l("Told when a statement is published in one of its languages."),
    )

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", _l("Choose a country"))]) + country_choices()
        self.languages.choices = language_choices(languages)


class SkillsForm(PortalForm):
    """A role and the languages a person translates and reviews."""

    role = SelectField(_l("Role"), validators=[DataRequired()])
    translates = LanguagesField(_l("Translates into"))
    reviews = LanguagesField(_l("Reviews"))

    def __init__(self, *args, languages=(), all_roles=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Coordinators manage volunteers; only administrators give the staff roles.
        roles = list(Role) if all_roles else [Role.TRANSLATOR, Role.REVIEWER]
        self.role.choices = choices((role.value, ROLE_TITLES[role]) for role in roles)
        self.translates.choices = language_choices(languages)
        self.reviews.choices = language_choices(languages)

    def workflow_values(self) -> dict:
        """The arguments the workflow takes."""
        return {"role": Role(self.role.data), "translates": list(self.translates.data or []),
                "reviews": list(self.reviews.data or [])}


class InviteForm(SkillsForm):
    """An invitation: an e-mail address, a role and languages."""

    email = StringField(_l("E-mail"), filters=[_strip],
                        validators=[DataRequired(), Length(max=254, message=TOO_LONG), _email])


class PersonActionForm(PortalForm):
    """A button that acts on a person: only the CSRF token, and where to come back to."""

    back = HiddenField()


def _optional_int(value):
    """An id, or None for "all"; ValueError for what cannot be an id (the view says 400)."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


class AuditFilterForm(PortalForm):
    """Filters of the audit log, sent by GET so a filtered page can be linked."""

    class Meta:
        csrf = False  # reading only; a linkable URL matters more

    statement = SelectField(_l("Statement"), coerce=_optional_int, validate_choice=False)
    person = SelectField(_l("Person"), coerce=_optional_int, validate_choice=False)

    def __init__(self, *args, statements=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.statement.choices = choices([("", _l("All statements")), *statements])
        self.person.choices = choices([("", _l("Everyone")), *people])


def language_label(tag: str) -> str:
    """`Español (Spanish)`: the autonym, with the English name when it differs."""
    own, english = autonym(tag), english_name(tag)
    return own if own.casefold() == english.casefold() else f"{own} ({english})"


def today_in(zone: ZoneInfo) -> date:
    """Today's date where the coordinator is."""
    return datetime.now(zone).date()
