"""Views of the desk blueprint."""

from portal.desk import bp  # noqa: F401
