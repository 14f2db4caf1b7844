"""Member organizations: who they are, where, and which languages they need."""

import re

from babel import Locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, true

from portal.extensions import db
from portal.models import Language, Organization, User, organization_languages
from portal.workflow.audit import record_event
from portal.workflow.errors import NotAllowed, WorkflowError
from portal.workflow.permissions import is_coordinator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Groupings and private-use codes CLDR lists among territories; not where anyone is based.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


def is_country_code(code: str) -> bool:
    """A two-letter CLDR territory code that names a country or region, e.g. `PH`."""
    # The set of codes is the same in every locale; English is only the lookup key.
    return (len(code) == 2 and code.isalpha() and code.isupper()
            and code not in _NOT_COUNTRIES and code in Locale("en").territories)


def demanded_languages() -> list[str]:
    """Tags of the languages at least one member organization needs."""
    return list(db.session.scalars(
        select(organization_languages.c.language_tag).distinct()
        .order_by(organization_languages.c.language_tag)
    ))


def create_organization(actor: User, *, name: str, country: str, languages: list[str],
                        contact_email: str | None = None) -> Organization:
    """Add a member organization."""
    _check_coordinator(actor)
    organization = Organization()
    _apply(organization, name=name, country=country, languages=languages,
           contact_email=contact_email)
    db.session.add(organization)
    db.session.flush()
    record_event(actor, "organization.create", detail=_describe(organization))
    db.session.flush()
    return organization


def update_organization(actor: User, organization: Organization, *, name: str, country: str,
                        languages: list[str], contact_email: str | None = None) -> Organization:
    """Change a member organization's name, country, languages or contact."""
    _check_coordinator(actor)
    before = _describe(organization)
    _apply(organization, name=name, country=country, languages=languages,
           contact_email=contact_email)
    db.session.flush()
    record_event(actor, "organization.update", detail=f"{before} → {_describe(organization)}")
    db.session.flush()
    return organization


def _check_coordinator(actor: User) -> None:
    if not is_coordinator(actor):
        raise NotAllowed(_l("Only coordinators manage member organizations."))


def _apply(organization: Organization, *, name: str, country: str, languages: list[str],
           contact_email: str | None) -> None:
    """Check every value first, so a refusal leaves the organization untouched."""
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise WorkflowError(_l("Give the organization a name of at most 200 characters."), 400)
    # Checked before any change so autoflush cannot write a half-edited row.
    taken = db.session.scalar(select(Organization.id).where(
        func.lower(Organization.name) == name.lower(),
        Organization.id != organization.id if organization.id is not None else true(),
    ))
    if taken is not None:
        raise WorkflowError(_l("There is already a member organization called %(name)s.",
                               name=name), 400)
    if not is_country_code(country):
        raise WorkflowError(_l("%(code)s is not a country code.", code=country), 400)
    contact_email = (contact_email or "").strip() or None
    if contact_email is not None and (len(contact_email) > 254
                                      or not _EMAIL.match(contact_email)):
        raise WorkflowError(_l("%(email)s does not look like an e-mail address.",
                               email=contact_email), 400)
    wanted = sorted(set(languages))
    found = list(db.session.scalars(select(Language).where(Language.tag.in_(wanted))))
    missing = sorted(set(wanted) - {language.tag for language in found})
    if missing:
        raise WorkflowError(_l("%(tags)s is not a language of this portal.",
                               tags=", ".join(missing)), 400)
    organization.name = name
    organization.country = country
    organization.contact_email = contact_email
    organization.languages = sorted(found, key=lambda language: language.tag)


def _describe(organization: Organization) -> str:
    tags = ", ".join(language.tag for language in organization.languages)
    return f"{organization.name} ({organization.country}): {tags or '-'}"
