"""Helpers every template may use: language names and direction, dates, Markdown."""

from babel.lists import format_list
from flask import Flask, g
from flask_babel import format_date, get_locale

from portal.content import render_markdown, render_with_report_links
from portal.content.qr import qr_code_svg
from portal.dates import date_text, moment_text
from portal.models.languages import autonym, direction
from portal.urls import absolute_url
from portal.workflow import permissions


def page_language() -> str:
    """The language of the page being rendered, as a BCP 47 tag."""
    language = getattr(g, "language", None)
    if language:
        return language
    return str(get_locale()).replace("_", "-")


def name_list(names: list[str]) -> str:
    """People's names joined as the page's language joins a list ("A, B and C")."""
    return format_list(names, locale=get_locale())


def iso_datetime(moment) -> str:
    """RFC 3339 in UTC, as Atom and sitemaps want it."""
    return moment.isoformat().replace("+00:00", "Z")


def register_template_helpers(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["markdown_with_report_links"] = render_with_report_links
    app.jinja_env.filters["iso"] = iso_datetime
    app.jinja_env.globals.update(
        autonym=autonym, direction=direction, format_date=format_date,
        date_text=date_text, moment_text=moment_text, name_list=name_list,
        qr_code_svg=qr_code_svg,
        page_language=page_language, absolute_url=absolute_url,
        # Permission predicates: templates show what the workflow would allow.
        is_coordinator=permissions.is_coordinator, can_claim=permissions.can_claim,
        can_edit=permissions.can_edit, can_review=permissions.can_review,
        can_translate=permissions.can_translate, can_release=permissions.can_release,
    )
