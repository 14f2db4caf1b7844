"""Accounts: sign in and out, invitations, password reset, profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/account")

from portal.auth import routes  # noqa: E402,F401  (routes attach themselves to bp)
