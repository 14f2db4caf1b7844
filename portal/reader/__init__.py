"""The public reader pages: listing, statement, feed, search, sitemap."""

from flask import Blueprint

bp = Blueprint("reader", __name__)

from portal.reader import routes  # noqa: E402,F401  (routes attach themselves to bp)
