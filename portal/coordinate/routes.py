"""Views of the coordinate blueprint."""

from portal.coordinate import bp  # noqa: F401
