"""Coordination: statements, releases, progress, organizations, people, audit log."""

from flask import Blueprint

bp = Blueprint("coordinate", __name__, url_prefix="/coordinate")

from portal.coordinate import routes  # noqa: E402,F401  (routes attach themselves to bp)
