"""What comes in from outside, checked at the edge, before it reaches a query or a page.

- `<int:…>` in a route matches only what an id column can hold: a larger id is a 404.
- Page numbers in query strings are whole numbers up to MAX_PAGE, else 400 with a message.
- C0 control characters other than tab, line feed and carriage return are invisible,
  PostgreSQL cannot store NUL, and XML cannot carry any of them: form text fields drop
  them as they are read (PortalForm), and URL paths and query strings that contain them
  are refused with 400.
- The `xml_text` template filter removes what XML 1.0 cannot carry from text already
  stored, so feeds stay well-formed whatever the database holds.
"""

import re
from typing import NoReturn

from flask import Flask, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.exceptions import default_exceptions
from werkzeug.routing import IntegerConverter
from wtforms import PasswordField, StringField, TextAreaField

# The largest id any table can have: ids are INTEGER columns, 32 bits on PostgreSQL
# (which refuses to compare a larger number with one: a 500, not a 404).
MAX_ID = 2**31 - 1
# Far past any listing, small enough that page × page size stays a valid offset.
MAX_PAGE = 100_000

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
LINE_BREAKS = re.compile("[\r\n\u0085\u2028\u2029]+")
# Not allowed anywhere in an XML 1.0 document: C0 controls but tab and line breaks,
# lone surrogates, U+FFFE and U+FFFF.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def refuse(code: int, message: str) -> NoReturn:
    """Stop with HTTP `code`, saying `message` on the error page as well as in JSON."""
    error = default_exceptions[code](description=message)
    error.explained = True  # portal.errors shows it to the person
    raise error


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` that only matches numbers an id can be; larger ones are a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        if signed and min is None:
            min = -MAX_ID - 1  # noqa: A001
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_number(name: str = "page") -> int:
    """The page asked for in the query string: 1 when absent; 400 unless a whole number.

    Zero and negative numbers are returned: each listing answers them its own way.
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return 1
    try:
        page = int(raw)
    except ValueError:
        page = None
    if page is None or page > MAX_PAGE:
        refuse(400, _("The page number must be a whole number from 1 to %(max)d.",
                      max=MAX_PAGE))
    return page


def strip_control_characters(value):
    """WTForms filter: typed text without invisible control characters (keeps line breaks)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def single_line(value):
    """WTForms filter: a one-line field's text with line breaks as spaces.

    A browser's text input cannot hold a line break, so one comes from a forged post; in a
    title or a name it would end up in an e-mail header.
    """
    return LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


def has_control_characters(value: str) -> bool:
    """True when `value` holds a C0 control character other than tab and line breaks."""
    return bool(CONTROL_CHARACTERS.search(value))


def xml_text(value):
    """`value` without the characters XML 1.0 cannot carry; markup stays markup."""
    if value is None:
        return ""
    if hasattr(value, "__html__"):
        return Markup(XML_INVALID.sub("", value.__html__()))
    return XML_INVALID.sub("", str(value))


class PortalForm(FlaskForm):
    """A FlaskForm whose text fields drop control characters before any other filter.

    One-line fields also turn line breaks into spaces. Passwords are kept exactly as
    typed: they are only ever hashed.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class,
                                                                       PasswordField):
                filters = [strip_control_characters,
                           *(() if issubclass(field_class, TextAreaField) else (single_line,)),
                           *(unbound_field.kwargs.get("filters") or ())]
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)


def _refuse_control_characters_in_url():
    values = [*(request.view_args or {}).values(), *request.args.keys(),
              *(value for _key, value in request.args.items(multi=True))]
    if any(isinstance(value, str) and has_control_characters(value) for value in values):
        refuse(400, _("The address contains invisible control characters. Check the link "
                      "and try again."))


def init_app(app: Flask) -> None:
    """Install the checks; call it before any blueprint with `<int:…>` routes is registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(_refuse_control_characters_in_url)
    app.jinja_env.filters["xml_text"] = xml_text
