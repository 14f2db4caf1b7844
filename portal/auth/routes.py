"""Views of the auth blueprint: sign in and out, invitations, password reset, profile.

Thin, as everywhere: the rules (who may accept which link, when it expires, what is
recorded) live in `portal.workflow.accounts`.
"""

from functools import cache

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from portal.auth import bp
from portal.auth.forms import (
    AcceptInvitationForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from portal.extensions import db, limiter
from portal.limits import (
    ACCOUNT_LOGIN_LIMIT,
    LOGIN_LIMIT,
    RESET_LIMIT,
    account_key,
    failed_sign_in,
)
from portal.models.languages import autonym
from portal.reader.negotiation import safe_next
from portal.visibility import content_changed, enabled_languages
from portal.workflow import accounts
from portal.workflow.errors import WorkflowError


@cache
def _decoy_hash() -> str:
    return generate_password_hash("not anybody's password", method="scrypt")


def _after_sign_in(target: str | None):
    return redirect(safe_next(target, url_for("desk.home")), 303)


def _start_session(user) -> None:
    """Sign in with a fresh session: nothing set before sign-in carries over."""
    session.clear()
    login_user(user)


def _link_refused(error: WorkflowError):
    """The page for a link that cannot be used, with the refusal's status (404, 410…)."""
    # str(): a lazy message counts as safe HTML in Jinja, and may carry an e-mail address.
    return render_template("auth/link_refused.html", message=str(error.message),
                           status=error.status), error.status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LOGIN_LIMIT, key_func=account_key, methods=["POST"],
               deduct_when=failed_sign_in)
def login():
    """Sign in with e-mail and password, then go on to where the person was heading."""
    if current_user.is_authenticated:
        return _after_sign_in(request.args.get("next"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is None:
            # As slow as a wrong password, so the answer's timing tells no address apart.
            check_password_hash(_decoy_hash(), form.password.data)
        if user is None or not user.check_password(form.password.data):
            return render_template("auth/login.html", form=form,
                                   problem=_("The e-mail or password is not right."))
        if not user.active:
            return render_template(
                "auth/login.html", form=form,
                problem=_("This account is deactivated. If you should still have access, "
                          "ask a coordinator to reactivate it."),
            ), 403
        target = form.next.data or request.args.get("next")
        _start_session(user)
        return _after_sign_in(target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out everywhere; a POST with the CSRF token, so no other site can sign anyone out.

    Every session of the account ends, on this device and any other, including a copy of
    this session's cookie.
    """
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("reader.home"), 303)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Open an invitation: choose a name and a password, and the account exists."""
    try:
        invitation = accounts.invitation_from_token(token)
    except WorkflowError as error:
        return _link_refused(error)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, display_name=form.display_name.data,
                                              password=form.password.data)
            db.session.commit()
        except WorkflowError as error:
            db.session.rollback()
            return _link_refused(error)
        except IntegrityError:  # the same form, sent twice at once: the other one won
            db.session.rollback()
            try:
                accounts.invitation_from_token(token)
            except WorkflowError as error:
                return _link_refused(error)
            raise
        _start_session(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name),
              "success")
        return redirect(url_for("desk.home"), 303)
    languages = [(autonym(tag), tag, tag in invitation.review_tags)
                 for tag in invitation.translate_tags]
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation,
                           languages=languages)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(RESET_LIMIT, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If %(email)s belongs to an account, a link to choose a new password is on its "
                "way. It works for %(hours)d hours.", email=form.email.data,
                hours=current_app.config["PASSWORD_RESET_HOURS"]), "info")
        return redirect(url_for(".login"), 303)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a reset link, which then stops working."""
    try:
        user = accounts.user_from_reset_token(token)
    except WorkflowError as error:
        return _link_refused(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except WorkflowError as error:
            db.session.rollback()
            return _link_refused(error)
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for(".login"), 303)
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """One's name, the portal's language and one's time zone; languages are read-only."""
    form = ProfileForm(current_user, enabled_languages())
    if form.validate_on_submit():
        # No workflow function covers the profile yet: these are the person's own settings.
        credited_before = (current_user.credit_consent, current_user.display_name)
        current_user.display_name = form.display_name.data
        current_user.interface_language = form.interface_language.data or None
        current_user.time_zone = form.time_zone.data
        current_user.credit_consent = form.credit_consent.data
        credited = current_user.credit_consent and current_user.display_name
        if credited_before != (current_user.credit_consent, current_user.display_name) and (
                credited or credited_before[0]):
            content_changed()  # statement pages that name (or named) this person change
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for(".profile"), 303)
    skills = [(autonym(skill.language_tag), skill) for skill in current_user.skills]
    return render_template("auth/profile.html", form=form, skills=skills)
