"""People: roles, the languages each translates and reviews, deactivation."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Language, LanguageSkill, Role, Translation, TranslationState, User
from portal.workflow.audit import record_event
from portal.workflow.errors import AlreadyDone, NotAllowed, WorkflowError
from portal.workflow.permissions import is_coordinator
from portal.workflow.translations import open_state


def set_person_details(actor: User, user: User, role: Role, translates: list[str],
                       reviews: list[str]) -> User:
    """Set a person's role and the languages they translate into and review."""
    _check_coordinator(actor)
    role = Role(role)
    if role != user.role and user.id == actor.id:
        # Nobody locks themselves out by mistake; another administrator can do it.
        raise WorkflowError(_l("You cannot change your own role; ask an administrator."), 400)
    check_may_manage(actor, user, role)
    if role != user.role and user.role == Role.ADMIN:
        _keep_an_admin(user)
    wanted = set(translates) | set(reviews)
    known = set(db.session.scalars(select(Language.tag).where(Language.tag.in_(wanted))))
    if wanted - known:
        raise WorkflowError(_l("%(tags)s is not a language of this portal.",
                               tags=", ".join(sorted(wanted - known))), 400)
    before = _describe(user)
    # Change rows in place: replacing a skill by a new object with the same key would
    # make the flush delete and insert the same primary key.
    for skill in list(user.skills):
        if skill.language_tag not in wanted:
            user.skills.remove(skill)
    for tag in sorted(wanted):
        skill = user.skill(tag)
        if skill is None:
            skill = LanguageSkill(language_tag=tag)
            user.skills.append(skill)
        skill.can_translate = tag in translates
        skill.can_review = tag in reviews
    user.role = role
    db.session.flush()
    record_event(actor, "person.update", detail=f"{user.email}: {before} → {_describe(user)}")
    db.session.flush()
    return user


def deactivate_person(actor: User, user: User) -> int:
    """Stop a person signing in; their claims go back to the queue (drafts stay).

    Returns how many claims were given back.
    """
    _check_coordinator(actor)
    if user.id == actor.id:
        raise WorkflowError(_l("You cannot deactivate yourself."), 400)
    if not user.active:
        raise AlreadyDone(_l("%(name)s is already deactivated.", name=user.display_name))
    check_may_manage(actor, user, user.role)
    if user.role == Role.ADMIN:
        _keep_an_admin(user)
    user.active = False
    user.end_sessions()
    claims = _return_claims(actor, user)
    record_event(actor, "person.deactivate",
                 detail=f"{user.email}; {claims} claim(s) returned to the queue")
    db.session.flush()
    return claims


def reactivate_person(actor: User, user: User) -> User:
    """Let a deactivated person sign in again."""
    _check_coordinator(actor)
    check_may_manage(actor, user, user.role)
    if user.active:
        raise AlreadyDone(_l("%(name)s is already active.", name=user.display_name))
    user.active = True
    record_event(actor, "person.reactivate", detail=user.email)
    db.session.flush()
    return user


def _check_coordinator(actor: User) -> None:
    if not is_coordinator(actor):
        raise NotAllowed(_l("Only coordinators manage people."))


VOLUNTEER_ROLES = (Role.TRANSLATOR, Role.REVIEWER)


def may_manage(actor: User, user: User, role: Role | None = None) -> bool:
    """Administrators manage everyone; coordinators manage volunteers, never themselves.

    Otherwise a coordinator could give themselves reviewer rights, make a friend a
    coordinator, or change an administrator's account.
    """
    if actor.role == Role.ADMIN:
        return True
    return (is_coordinator(actor) and user.id != actor.id and user.role in VOLUNTEER_ROLES
            and (role or user.role) in VOLUNTEER_ROLES)


def check_may_manage(actor: User, user: User, role: Role) -> None:
    """Refuse, with the reason, what `may_manage` does not allow."""
    if may_manage(actor, user, role):
        return
    if user.id == actor.id:
        raise NotAllowed(_l("You cannot change your own account here; ask an administrator."))
    raise NotAllowed(_l("Only administrators manage coordinators and administrators, or "
                        "make someone one."))


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active, User.id != user.id))
    if not others:
        raise WorkflowError(_l("%(name)s is the last administrator; make someone else an "
                               "administrator first.", name=user.display_name), 400)


def _return_claims(actor: User, user: User) -> int:
    claimed = db.session.scalars(select(Translation).where(
        Translation.claimed_by_id == user.id,
        Translation.state == TranslationState.IN_PROGRESS)).all()
    for translation in claimed:
        to_state = open_state(translation)
        translation.state = to_state
        translation.claimed_by_id = None
        translation.claim_expires_at = None
        translation.claim_reminded_at = None
        record_event(actor, "translation.release_claim", translation=translation,
                     from_state=TranslationState.IN_PROGRESS, to_state=to_state,
                     detail=f"{user.email} was deactivated")
    return len(claimed)


def _describe(user: User) -> str:
    """`translator; es (translate+review), fr (translate)`, as the audit log stores it."""
    skills = ", ".join(f"{skill.language_tag} ({_marks(skill)})" for skill in user.skills)
    return f"{user.role.value}; {skills or 'no languages'}"


def _marks(skill: LanguageSkill) -> str:
    return "+".join(mark for mark, on in (("translate", skill.can_translate),
                                          ("review", skill.can_review)) if on)
