"""The volunteers' desk: my work, the queue, the editor, reviews."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from portal.desk import (
    offline,  # noqa: E402,F401  (files for translating offline)
    routes,  # noqa: E402,F401  (routes attach themselves to bp)
)
