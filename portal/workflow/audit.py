"""Writing audit events."""

from portal.extensions import db
from portal.models import AuditEvent, Statement, Translation, User


def record_event(
    actor: User | None,
    action: str,
    *,
    statement: Statement | None = None,
    translation: Translation | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """Record who did what; `detail` is stored untranslated."""
    if translation is not None and statement is None:
        statement = translation.statement
    event = AuditEvent(
        actor=actor, action=action,
        statement_id=statement.id if statement is not None else None,
        translation_id=translation.id if translation is not None else None,
        from_state=from_state, to_state=to_state, detail=detail,
    )
    db.session.add(event)
    return event
