"""Forms of the auth blueprint: sign in, invitation, password reset, profile."""

import zoneinfo
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.inputs import PortalForm

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# Names in the time zone database that are not places a person lives in.
_NOT_A_PLACE = {"Factory", "localtime", "posixrules"}


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone the system knows, sorted by name."""
    return tuple(sorted(zoneinfo.available_timezones() - _NOT_A_PLACE))


def _looks_like_email(form, field) -> None:
    """A light check: something@something, no spaces (the link we send is the real test)."""
    local, at, domain = (field.data or "").rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in field.data):
        raise ValidationError(_l("Enter an e-mail address, like name@example.org."))


def _email_field():
    return EmailField(_l("E-mail"), filters=[_stripped], validators=[
        DataRequired(message=_l("Enter your e-mail address.")),
        Length(max=254, message=_l("An e-mail address has at most %(max)d characters.")),
        _looks_like_email,
    ])


class LoginForm(PortalForm):
    """E-mail and password; `next` carries where the person was heading."""

    email = _email_field()
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password.")),
    ])
    next = HiddenField()


class NewPasswordForm(PortalForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("Password"),
        description=_l("At least %(min)d characters. A few unrelated words are easy to "
                       "remember and hard to guess.", min=MIN_PASSWORD_LENGTH),
        validators=[
            DataRequired(message=_l("Choose a password.")),
            Length(min=MIN_PASSWORD_LENGTH,
                   message=_l("Use at least %(min)d characters.")),
            Length(max=MAX_PASSWORD_LENGTH,
                   message=_l("Use at most %(max)d characters.")),
        ],
    )
    password_again = PasswordField(_l("Password again"), validators=[
        DataRequired(message=_l("Type the password a second time.")),
        EqualTo("password", message=_l("The two passwords are not the same.")),
    ])


class AcceptInvitationForm(NewPasswordForm):
    """The invited person's name and password."""

    display_name = StringField(
        _l("Your name"), filters=[_stripped],
        description=_l("Shown to the other volunteers and the coordinators."),
        validators=[DataRequired(message=_l("Tell us your name.")),
                    Length(max=120, message=_l("Use at most %(max)d characters."))],
    )


class ForgotPasswordForm(PortalForm):
    """The e-mail address of the account whose password was forgotten."""

    email = _email_field()


class ResetPasswordForm(NewPasswordForm):
    """A new password through a reset link."""


class ProfileForm(PortalForm):
    """A person's name, interface language and time zone."""

    display_name = StringField(
        _l("Your name"), filters=[_stripped],
        description=_l("Shown to the other volunteers and the coordinators."),
        validators=[DataRequired(message=_l("Tell us your name.")),
                    Length(max=120, message=_l("Use at most %(max)d characters."))],
    )
    interface_language = SelectField(
        _l("Language of the portal's pages and e-mails"), validate_choice=False,
        description=_l("Automatic: the language your browser asks for."),
    )
    time_zone = SelectField(_l("Time zone"), validate_choice=False)
    credit_consent = BooleanField(
        _l("Name me on the statements I translate or review"),
        description=_l("Readers then see your name at the foot of the published translation. "
                       "Otherwise it thanks the alliance's volunteers, without names."),
    )

    def __init__(self, user, languages, **kwargs):
        """Fill the form from `user`; `languages` are the enabled ones, offered by autonym."""
        super().__init__(data={
            "display_name": user.display_name,
            "interface_language": user.interface_language or "",
            "time_zone": user.time_zone or "UTC",
            "credit_consent": user.credit_consent,
        }, **kwargs)
        self.interface_language.choices = [SelectChoice("", _l("Automatic"))] + [
            SelectChoice(language.tag, language.autonym,
                         render_kw={"lang": language.tag, "dir": language.direction})
            for language in languages
        ]
        self.time_zone.choices = [SelectChoice(zone) for zone in time_zones()]

    def validate_interface_language(self, field) -> None:
        """Only an enabled language, or automatic."""
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a language from the list."))

    def validate_time_zone(self, field) -> None:
        """Only a time zone the system knows."""
        if field.data not in time_zones():
            # gettext, not lazy_gettext: a lazy string counts as safe HTML in templates,
            # and this message carries what the person typed.
            raise ValidationError(_("“%(zone)s” is not a time zone we know. Choose one from "
                                     "the list.", zone=field.data))
