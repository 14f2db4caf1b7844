"""Rate limits that hold: per address and per account, counted where every worker sees them."""

from flask import request

# Guessing passwords or flooding inboxes takes many tries; people need only a few.
LOGIN_LIMIT = "10 per minute; 50 per hour"
# Per account as well, so that guessing from many addresses gets no further.
ACCOUNT_LOGIN_LIMIT = "20 per hour"
RESET_LIMIT = "5 per hour"
REPORT_LIMIT = "10 per hour"


def account_key() -> str:
    """The account a sign-in attempt is for: the e-mail address as typed, case-folded."""
    return "account:" + request.form.get("email", "").strip().casefold()[:254]


def failed_sign_in(response) -> bool:
    """Only failed attempts count against an account: its owner signing in never locks it."""
    return response.status_code not in (302, 303)


def check_limit_storage(workers: int, storage_uri: str, enabled: bool = True) -> None:
    """Refuse to serve with per-process counters under several workers.

    Each process would count on its own, so four workers let four times the limit
    through. Raises RuntimeError naming the setting that fixes it.
    """
    if enabled and workers > 1 and storage_uri.startswith("memory://"):
        raise RuntimeError(
            f"{workers} workers would each count rate limits on their own: set REDIS_URL "
            "(e.g. redis://127.0.0.1:6379/0) so that they share the counts, or run one worker."
        )
