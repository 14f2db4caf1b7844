"""The public reader pages: listing, statement, feed, search, sitemap."""

from flask import Blueprint
from werkzeug.routing import BaseConverter

bp = Blueprint("reader", __name__)


class LanguageTagConverter(BaseConverter):
    """A URL part shaped like a BCP 47 tag, in any casing (`fil`, `pt-br`, `zh-Hans`).

    Paths like `/favicon.ico` or `/apple-touch-icon.png` are then never taken for a
    language (no redirect to a slash, no 404 page in a made-up language): they simply
    match no reader route. Which tags exist is decided later, by resolve_url_language.
    """

    regex = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*"


@bp.record_once
def _register_converter(state):
    state.app.url_map.converters["lang"] = LanguageTagConverter


from portal.reader import routes  # noqa: E402,F401  (routes attach themselves to bp)
