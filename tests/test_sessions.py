"""Sessions end when they should: sign-out, a new password and deactivation end them all."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.models import OutboxMessage, Role
from tests.conftest import AuthActions, csrf_token


def _cookie(client) -> str:
    return client.get_cookie("session", domain="portal.test").value


def _replay(app, cookie: str):
    """A second browser carrying a copy of a captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="portal.test")
    return thief


def test_a_cookie_captured_before_sign_out_no_longer_opens_the_desk(app, client, make, auth):
    auth.login(make.user(translates=["es"]))
    captured = _cookie(client)
    assert _replay(app, captured).get("/desk/").status_code == 200
    auth.logout()
    response = _replay(app, captured).get("/desk/")
    assert response.status_code == 302 and "/account/login" in response.location


def test_signing_out_ends_the_sessions_on_other_devices_too(app, client, make, auth):
    user = make.user(translates=["es"])
    laptop = app.test_client()
    AuthActions(laptop).login(user)
    auth.login(user)
    auth.logout()
    assert laptop.get("/desk/").status_code == 302


def test_a_password_reset_ends_sessions_opened_before(app, client, db, make, auth):
    user = make.user(translates=["es"])
    auth.login(user)
    captured = _cookie(client)
    stranger = app.test_client()
    token = csrf_token(stranger, "/account/password/forgot")
    stranger.post("/account/password/forgot", data={"email": user.email, "csrf_token": token})
    body = db.session.scalar(select(OutboxMessage.body).where(
        OutboxMessage.kind == "password_reset"))
    path = urlsplit(re.search(r"https?://\S+", body).group()).path
    token = csrf_token(stranger, path)
    response = stranger.post(path, data={"password": "a brand new password",
                                         "password_again": "a brand new password",
                                         "csrf_token": token})
    assert response.status_code in (302, 303)
    assert _replay(app, captured).get("/desk/").status_code == 302
    assert client.get("/desk/").status_code == 302


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, client, db,
                                                                          make, auth):
    volunteer = make.user(translates=["es"])
    auth.login(volunteer)
    captured = _cookie(client)
    coordinator = app.test_client()
    AuthActions(coordinator).login(make.user(role=Role.COORDINATOR))
    for action in ("deactivate", "reactivate"):
        page = f"/coordinate/people/{volunteer.id}/edit"
        token = csrf_token(coordinator, page)
        response = coordinator.post(f"/coordinate/people/{volunteer.id}/{action}",
                                    data={"csrf_token": token})
        assert response.status_code in (302, 303)
    assert _replay(app, captured).get("/desk/").status_code == 302


def test_signing_in_starts_a_new_session(app, client, make, auth):
    """Nothing planted in the session before sign-in survives it (no session fixation)."""
    client.get("/account/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = _cookie(client)
    auth.login(make.user(translates=["es"]))
    assert _cookie(client) != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].endswith(".0")
