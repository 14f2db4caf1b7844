"""Refusals: each carries a message for the person and the HTTP status a view returns."""

from flask_babel import lazy_gettext as _l

from portal.dates import moment_text


class WorkflowError(Exception):
    """A transition that cannot happen; `message` says why, in the interface language."""

    status = 409

    def __init__(self, message, status: int | None = None):
        # Rendered now, in the current locale, as plain text: a lazy string would count
        # as safe HTML in templates, and messages may quote what people typed.
        self.message = str(message)
        super().__init__(self.message)
        if status is not None:
            self.status = status


class NotAllowed(WorkflowError):
    """The person may not do this."""

    status = 403


class AlreadyDone(WorkflowError):
    """The action already took effect (a second click, a concurrent twin); nothing changed.

    Views answer it with the truth as information, never as a refusal.
    """

    status = 409


class ClaimLost(WorkflowError):
    """Someone else holds the claim."""

    def __init__(self, holder_name: str, until):
        super().__init__(_l("%(name)s is already working on this translation, until %(until)s.",
                            name=holder_name, until=moment_text(until)))
        self.holder_name = holder_name
        self.until = until


class StaleDraft(WorkflowError):
    """The draft changed since the editor loaded it; nothing was overwritten."""

    def __init__(self, current_text: str, current_revision: int):
        super().__init__(_l("This paragraph was changed elsewhere since you opened it. "
                            "Your text was not saved; compare it with the current text."))
        self.current_text = current_text
        self.current_revision = current_revision
