"""Views of the auth blueprint."""

from portal.auth import bp  # noqa: F401
