"""The volunteers' desk: my work, the queue, the editor, reviews."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

# The views attach themselves to bp: the editor and reviews, working offline, and the
# translator's aids.
from portal.desk import assist, offline, routes  # noqa: E402,F401,I001
