"""Dates and times as people read them: the month by name, never 12/2/26.

Numeric short formats read differently around the world (12/2 is 2 December or 12 February),
and some languages' "medium" format is numeric too (Arabic, German, Japanese); volunteers and
coordinators work across continents, so every date shown names its month, through the CLDR
skeleton `yMMMd`. Flask-Babel supplies the interface language and the person's time zone.
"""

from datetime import date, datetime

from babel.dates import format_skeleton
from flask_babel import format_time, get_locale, get_timezone

DATE_SKELETON = "yMMMd"  # year, abbreviated month name, day — in each language's order


def date_text(value: date | datetime) -> str:
    """A date with its month named ("Dec 2, 2026", "2 dic 2026", "2 ديسمبر 2026")."""
    if isinstance(value, datetime):
        return format_skeleton(DATE_SKELETON, value, tzinfo=get_timezone(), locale=get_locale())
    return format_skeleton(DATE_SKELETON, value, locale=get_locale())


def moment_text(value: datetime) -> str:
    """A moment with its month named, in the person's zone ("Dec 2, 2026, 3:05 PM")."""
    # CLDR's own glue for a date and a time ("{1}, {0}"), with the short time: seconds say
    # nothing to a person.
    glue = get_locale().datetime_formats["medium"]
    return glue.format(format_time(value, "short"), date_text(value))
