"""Accounts, through the real forms: sign in and out, invitations, password reset, profile."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import func, select

from portal.models import Invitation, OutboxMessage, Role, User, utcnow
from portal.workflow.accounts import invite_person
from tests.conftest import Factory, csrf_token

WRONG = "The e-mail or password is not right."
LINK = re.compile(r"https?://\S+")
FLASH = re.compile(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', re.S)


def _url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def _login(client, email: str, password: str = Factory.PASSWORD, url: str = "/account/login",
           **extra):
    token = csrf_token(client, url)
    return client.post(url, data={"email": email, "password": password, "csrf_token": token,
                                  **extra})


def _outbox_link(db, kind: str, recipient: str) -> str:
    """The path of the link in the one e-mail of `kind` waiting for `recipient`."""
    (message,) = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == kind, OutboxMessage.recipient == recipient)).all()
    return urlsplit(LINK.search(message.body).group()).path


def _flashes(html: str) -> list[str]:
    return [text.strip() for text in FLASH.findall(html)]


def _count_users(db, email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


# Signing in and out


def test_login_page_offers_the_right_fields(client):
    html = client.get("/account/login").get_data(as_text=True)
    assert '<form class="stacked" method="post">' in html
    assert 'autocomplete="email"' in html and 'autocomplete="current-password"' in html
    assert '<label for="email">' in html and '<label for="password">' in html
    assert 'href="/account/password/forgot">Forgot your password?</a>' in html
    assert '="None"' not in html


def test_login_opens_a_session(app, client, make):
    user = make.user()
    assert client.get("/account/profile").status_code == 302  # not signed in yet
    response = _login(client, user.email.upper())  # e-mail compared without case
    assert response.status_code == 303
    assert response.headers["Location"] == _url(app, "desk.home")
    profile = client.get("/account/profile")
    assert profile.status_code == 200
    assert user.email in profile.get_data(as_text=True)
    # Signed in already: the login page sends one on.
    again = client.get("/account/login")
    assert again.status_code == 303 and again.headers["Location"] == _url(app, "desk.home")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make):
    user = make.user()
    wrong_password = _login(client, user.email, "not the password at all")
    unknown = _login(client, "nobody@example.org", "not the password at all")
    for response, email in ((wrong_password, user.email), (unknown, "nobody@example.org")):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert WRONG in html
        assert f'value="{email}"' in html  # the e-mail is kept, the password is not
        assert "not the password at all" not in html
    assert client.get("/account/profile").status_code == 302


def test_deactivated_account_is_refused(client, make):
    user = make.user(active=False)
    response = _login(client, user.email)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "deactivated" in html and "coordinator" in html
    assert client.get("/account/profile").status_code == 302
    # With a wrong password, it tells nothing about the account.
    assert WRONG in _login(client, user.email, "a wrong password").get_data(as_text=True)


def test_next_from_the_sign_in_redirect_is_honoured(client, make):
    user = make.user()
    to_login = client.get("/account/profile")
    login_url = to_login.headers["Location"]
    assert urlsplit(login_url).path == "/account/login"
    page = client.get(login_url).get_data(as_text=True)
    assert 'value="/account/profile"' in page  # carried by the form's hidden field
    response = _login(client, user.email, url=login_url)
    assert response.headers["Location"] == "/account/profile"


@pytest.mark.parametrize(("target", "on_site"), [
    ("/account/profile?tab=1", True),
    ("https://evil.example/account", False),
    ("//evil.example/account", False),
    ("/\\evil.example", False),
])
def test_next_goes_only_to_this_site(app, client, make, target, on_site):
    user = make.user()
    response = _login(client, user.email, next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == (target if on_site else _url(app, "desk.home"))


def test_logout_needs_a_post_with_the_csrf_token(app, client, make, auth):
    auth.login(make.user())
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400  # no CSRF token
    assert client.get("/account/profile").status_code == 200  # still signed in
    response = auth.logout()
    assert response.status_code == 303
    assert response.headers["Location"] == _url(app, "reader.home")
    assert client.get("/account/profile").status_code == 302


# Invitations


def _invite(app, db, make, **fields) -> tuple[Invitation, str]:
    coordinator = make.user(role=Role.COORDINATOR, display_name="Carmen Coordinator")
    for tag in ("es", "fr"):
        make.language(tag)
    with app.app_context():
        invitation, _token = invite_person(coordinator, **{
            "email": "New.Volunteer@Example.org", "role": Role.REVIEWER,
            "translates": ["fr"], "reviews": ["es"], **fields})
        db.session.commit()
        invitation_id = invitation.id
    path = _outbox_link(db, "invitation", "new.volunteer@example.org")
    return db.session.get(Invitation, invitation_id), path


def _accept(client, path: str, password: str = "a long enough password",
            again: str | None = None, name: str = "Nadia Volunteer"):
    token = csrf_token(client, path)
    return client.post(path, data={"display_name": name, "password": password,
                                   "password_again": password if again is None else again,
                                   "csrf_token": token})


def test_invitation_end_to_end(app, client, db, make):
    _invitation, path = _invite(app, db, make)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "new.volunteer@example.org" in html and "Carmen Coordinator" in html
    assert "Español" in html and "Français" in html
    assert 'autocomplete="new-password"' in html

    response = _accept(client, path)
    assert response.status_code == 303
    assert response.headers["Location"] == _url(app, "desk.home")
    user = db.session.scalar(select(User).where(User.email == "new.volunteer@example.org"))
    assert user.display_name == "Nadia Volunteer" and user.role == Role.REVIEWER
    assert {skill.language_tag: (skill.can_translate, skill.can_review)
            for skill in user.skills} == {"es": (True, True), "fr": (True, False)}
    assert user.check_password("a long enough password")
    profile = client.get("/account/profile")  # signed in
    assert profile.status_code == 200 and "Nadia Volunteer" in profile.get_data(as_text=True)

    again = client.get(path)
    assert again.status_code == 410
    assert "This invitation was already used. Sign in instead." in again.get_data(as_text=True)
    assert _accept(client, path, name="Someone Else").status_code == 410
    assert _count_users(db, "new.volunteer@example.org") == 1


def test_forged_invitation_link_is_not_found(client):
    response = client.get("/account/invitation/not-a-real-token")
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.get_data(as_text=True)


def test_expired_invitation_is_gone(app, client, db, make):
    invitation, path = _invite(app, db, make)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation has expired." in response.get_data(as_text=True)
    assert _count_users(db, "new.volunteer@example.org") == 0


@pytest.mark.parametrize(("password", "again", "error"), [
    ("too short", "too short", "Use at least 10 characters."),
    ("a long enough password", "another long password", "The two passwords are not the same."),
])
def test_invitation_password_must_be_long_and_typed_twice(app, client, db, make, password,
                                                          again, error):
    _invitation, path = _invite(app, db, make)
    response = _accept(client, path, password, again)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="' in html and error in html
    assert 'aria-invalid="true"' in html
    assert 'value="Nadia Volunteer"' in html  # what was typed stays, except passwords
    assert _count_users(db, "new.volunteer@example.org") == 0
    assert db.session.scalar(select(Invitation.accepted_at)) is None
    assert client.get("/account/profile").status_code == 302


# Passwords


def _ask_for_reset(client, email: str):
    token = csrf_token(client, "/account/password/forgot")
    return client.post("/account/password/forgot", data={"email": email, "csrf_token": token})


def test_password_reset_end_to_end(app, client, db, make):
    user = make.user()
    response = _ask_for_reset(client, user.email.upper())
    assert response.status_code == 303 and response.headers["Location"] == "/account/login"
    path = _outbox_link(db, "password_reset", user.email)

    page = client.get(path)
    assert page.status_code == 200
    assert 'autocomplete="new-password"' in page.get_data(as_text=True)
    token = csrf_token(client, path)
    changed = client.post(path, data={"password": "a brand new passphrase",
                                      "password_again": "a brand new passphrase",
                                      "csrf_token": token})
    assert changed.status_code == 303 and changed.headers["Location"] == "/account/login"
    assert "Your password is changed." in client.get("/account/login").get_data(as_text=True)

    assert WRONG in _login(client, user.email, Factory.PASSWORD).get_data(as_text=True)
    signed_in = _login(client, user.email, "a brand new passphrase")
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == _url(app, "desk.home")

    used = client.get(path)
    assert used.status_code == 410
    assert "already used" in used.get_data(as_text=True)


def test_reset_password_form_checks_the_new_password(client, db, make):
    user = make.user()
    _ask_for_reset(client, user.email)
    path = _outbox_link(db, "password_reset", user.email)
    token = csrf_token(client, path)
    response = client.post(path, data={"password": "short", "password_again": "short",
                                       "csrf_token": token})
    assert response.status_code == 200
    assert "Use at least 10 characters." in response.get_data(as_text=True)
    assert db.session.get(User, user.id).check_password(Factory.PASSWORD)


def test_forged_reset_link_is_not_found(client):
    response = client.get("/account/password/reset/forged.token")
    assert response.status_code == 404
    assert "This link is not valid." in response.get_data(as_text=True)


def test_forgot_password_answers_the_same_for_unknown_addresses(client, db, make):
    user = make.user()
    retired = make.user(active=False)
    answers = []
    for email in (user.email, "nobody@example.org", retired.email):
        response = _ask_for_reset(client, email)
        assert response.status_code == 303
        flashes = _flashes(client.get(response.headers["Location"]).get_data(as_text=True))
        answers.append([text.replace(email, "EMAIL") for text in flashes])
    assert answers[0] == answers[1] == answers[2]
    assert "a link to choose a new password is on its way" in answers[0][0]
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == [user.email]


# Profile


def test_profile_changes_name_language_and_time_zone(client, db, make, auth):
    make.language("es")
    make.language("ar")
    user = make.user(translates=["es"], reviews=["ar"])
    auth.login(user)
    page = client.get("/account/profile").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "you translate" in page and "you review" in page  # read-only languages
    assert '<option dir="ltr" lang="es" value="es">Español</option>' in page
    assert '<option dir="rtl" lang="ar" value="ar">العربية</option>' in page
    assert '<option selected value="UTC">UTC</option>' in page

    token = csrf_token(client, "/account/profile")
    response = client.post("/account/profile", data={
        "display_name": "  María Pérez ", "interface_language": "es",
        "time_zone": "America/Mexico_City", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/account/profile"
    saved = db.session.get(User, user.id)
    assert (saved.display_name, saved.interface_language, saved.time_zone) == \
        ("María Pérez", "es", "America/Mexico_City")
    page = client.get("/account/profile").get_data(as_text=True)
    assert '<html lang="es"' in page
    assert "María Pérez" in page
    assert '<option selected value="America/Mexico_City">' in page

    token = csrf_token(client, "/account/profile")
    client.post("/account/profile", data={"display_name": "María Pérez",
                                          "interface_language": "", "time_zone": "UTC",
                                          "csrf_token": token})
    assert db.session.get(User, user.id).interface_language is None  # automatic
    assert '<html lang="en"' in client.get("/account/profile").get_data(as_text=True)


def test_profile_refuses_an_unknown_time_zone_and_language(client, db, make, auth):
    make.language("es")
    user = make.user(translates=["es"])
    auth.login(user)
    token = csrf_token(client, "/account/profile")
    response = client.post("/account/profile", data={
        "display_name": "New Name", "interface_language": "xx",
        "time_zone": "Mars/<b>Olympus</b>", "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "is not a time zone we know" in html
    assert "&lt;b&gt;Olympus&lt;/b&gt;" in html and "<b>Olympus</b>" not in html
    assert "Choose a language from the list." in html
    saved = db.session.get(User, user.id)
    assert (saved.display_name, saved.interface_language, saved.time_zone) == \
        (user.display_name, None, "UTC")


def test_profile_needs_sign_in(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"
