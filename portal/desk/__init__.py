"""The volunteers' desk: my work, the queue, the editor, reviews."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

# The views attach themselves to bp.
from portal.desk import offline, routes  # noqa: E402,F401,I001
