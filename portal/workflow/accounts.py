"""Invitations and password resets: signed, single-use, expiring links."""

import hashlib
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Invitation, LanguageSkill, Role, User, utcnow
from portal.models.languages import autonym
from portal.notifications import portal_url, queue_email
from portal.workflow.audit import record_event
from portal.workflow.errors import NotAllowed, WorkflowError
from portal.workflow.permissions import is_coordinator


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def find_user_by_email(email: str) -> User | None:
    """The account with this e-mail address, compared without case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def invite_person(actor: User, *, email: str, role: Role, translates: list[str],
                  reviews: list[str]) -> tuple[Invitation, str]:
    """Record an invitation, e-mail its link, and return it with the link's token."""
    if not is_coordinator(actor):
        raise NotAllowed(_l("Only coordinators invite people."))
    if role not in (Role.TRANSLATOR, Role.REVIEWER) and actor.role != Role.ADMIN:
        raise NotAllowed(_l("Only administrators invite coordinators and administrators."))
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise WorkflowError(_l("%(email)s already has an account.", email=email), 400)
    now = utcnow()
    invitation = Invitation(
        # A reviewer of a language is one of its trusted translators, so translates too.
        email=email, role=role, translates=",".join(sorted(set(translates) | set(reviews))),
        reviews=",".join(sorted(set(reviews))), invited_by=actor,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    token = _serializer("invitation").dumps(invitation.id)
    queue_email(email, "invitation", inviter_name=actor.display_name,
                languages=", ".join(autonym(tag) for tag in invitation.translate_tags),
                expires_at=invitation.expires_at,
                link=portal_url("auth.accept_invitation", token=token))
    record_event(actor, "person.invite", detail=f"{email} as {role.value}")
    return invitation, token


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link names; refuses forged, used and expired links."""
    max_age = current_app.config["INVITATION_DAYS"] * 24 * 3600
    try:
        invitation_id = _serializer("invitation").loads(token, max_age=max_age)
    except SignatureExpired:
        raise WorkflowError(_l("This invitation has expired. Ask a coordinator for a new one."),
                            410) from None
    except BadSignature:
        raise WorkflowError(_l("This invitation link is not valid."), 404) from None
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise WorkflowError(_l("This invitation link is not valid."), 404)
    if invitation.accepted_at is not None:
        raise WorkflowError(_l("This invitation was already used. Sign in instead."), 410)
    if invitation.expires_at <= utcnow():
        raise WorkflowError(_l("This invitation has expired. Ask a coordinator for a new one."),
                            410)
    return invitation


def accept_invitation(token: str, *, display_name: str, password: str) -> User:
    """Create the invited person's account; the link cannot be used again."""
    invitation = invitation_from_token(token)
    if find_user_by_email(invitation.email) is not None:
        raise WorkflowError(_l("%(email)s already has an account.", email=invitation.email),
                            400)
    user = User(email=invitation.email, display_name=display_name.strip(),
                role=invitation.role)
    user.set_password(password)
    user.skills = [
        LanguageSkill(language_tag=tag, can_translate=True,
                      can_review=tag in invitation.review_tags)
        for tag in invitation.translate_tags
    ]
    db.session.add(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    invitation.user_id = user.id
    record_event(user, "person.accept_invitation", detail=invitation.email)
    db.session.flush()
    return user


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every earlier reset link is void.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def request_password_reset(email: str) -> None:
    """E-mail a reset link to an active account; silent for unknown addresses."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = _serializer("password-reset").dumps([user.id, _password_fingerprint(user)])
    queue_email(user, "password_reset", hours=current_app.config["PASSWORD_RESET_HOURS"],
                link=portal_url("auth.reset_password", token=token))
    record_event(user, "person.request_password_reset")
    db.session.flush()


def user_from_reset_token(token: str) -> User:
    """The account a reset link is for; refuses forged, used and expired links."""
    max_age = current_app.config["PASSWORD_RESET_HOURS"] * 3600
    try:
        user_id, fingerprint = _serializer("password-reset").loads(token, max_age=max_age)
    except SignatureExpired:
        raise WorkflowError(_l("This link has expired. Ask for a new one."), 410) from None
    except (BadSignature, ValueError, TypeError):
        raise WorkflowError(_l("This link is not valid."), 404) from None
    user = db.session.get(User, user_id)
    if user is None or not user.active or _password_fingerprint(user) != fingerprint:
        raise WorkflowError(_l("This link was already used or is not valid. "
                               "Ask for a new one."), 410)
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link, which then stops working."""
    user = user_from_reset_token(token)
    user.set_password(password)
    record_event(user, "person.reset_password")
    db.session.flush()
    return user
