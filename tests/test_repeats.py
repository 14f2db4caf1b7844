"""A second press of any button that changes state lands on the truth, never a 403 or 500.

Each transition is posted twice, as a double click or a late retry would; the second
answer is a redirect to a page whose flashed message says what already happened, and
nothing changed twice.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    Correction,
    Publication,
    Review,
    Role,
    Translation,
    TranslationState,
    utcnow,
)
from portal.workflow import release_statement
from tests.conftest import csrf_token
from tests.test_desk import (
    claim,
    editor_url,
    fill_all,
    flashed,
    post_form,
    reload,
    translation_of,
)


def twice(client, page_url, url, data=None):
    """Post the same form twice with the token of the page it sits on; both answers."""
    token = csrf_token(client, page_url)
    body = {"csrf_token": token, **(data or {})}
    return client.post(url, data=body), client.post(url, data=body)


def landing(client, response) -> tuple[int, list[str]]:
    """Where a repeat leads: the page's status and the messages flashed on it."""
    assert response.status_code == 303, response.status_code
    page = client.get(response.headers["Location"])
    return page.status_code, flashed(page)


def info(client, response) -> str:
    status, messages = landing(client, response)
    assert status == 200
    assert messages, "a repeat must say what already happened"
    return " ".join(messages)


def count(db, action) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def submitted(db, client, auth, translator, statement):
    auth.login(translator)
    translation = translation_of(db, statement, "es")
    claim(client, translation)
    fill_all(client, translation, statement)
    post_form(client, editor_url(translation), f"/desk/translations/{translation.id}/submit")
    auth.logout()
    return reload(db, Translation, translation.id)


def test_claim_twice(db, client, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    url = f"/desk/translations/{translation.id}/claim"
    first, second = twice(client, url, url)
    assert first.status_code == 303
    assert "already translating this" in info(client, second)
    assert count(db, "translation.claim") == 1


def test_claim_again_after_submitting(db, client, auth, translator, statement):
    translation = submitted(db, client, auth, translator, statement)
    auth.login(translator)
    url = f"/desk/translations/{translation.id}/claim"
    response = client.post(url, data={"csrf_token": csrf_token(client, "/desk/queue")})
    assert "Version 1 was already submitted: it is waiting for review." in info(client, response)


def test_submit_twice(db, client, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill_all(client, translation, statement)
    first, second = twice(client, editor_url(translation),
                          f"/desk/translations/{translation.id}/submit")
    assert first.status_code == 303
    message = info(client, second)
    assert "Version 1 was already submitted: it is waiting for review." in message
    assert len(reload(db, Translation, translation.id).versions) == 1
    # And the editor the message sits beside is readable, not 403, for its author.
    assert client.get(editor_url(translation)).status_code == 200


@pytest.mark.parametrize("decision", ["approve", "changes"])
def test_a_decision_twice(db, client, auth, translator, reviewer, statement, decision):
    translation = submitted(db, client, auth, translator, statement)
    version = translation.versions[-1]
    auth.login(reviewer)
    first, second = twice(client, f"/desk/versions/{version.id}",
                          f"/desk/versions/{version.id}/decision",
                          {"decision": decision, "comment": "Check paragraph 2."})
    assert first.status_code == 303
    expected = ("Rita Reviewer already approved version 1." if decision == "approve"
                else "Rita Reviewer already sent version 1 back to its translator.")
    assert expected in info(client, second)
    assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_release_claim_twice(db, client, auth, translator, statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    url = f"/desk/translations/{translation.id}/release"
    first, second = twice(client, url, url, {"reason": ""})
    assert first.status_code == 303
    assert "already back in the queue" in info(client, second)
    assert count(db, "translation.release_claim") == 1


def test_release_claim_late_after_someone_else_claimed(db, client, auth, make, translator,
                                                        statement):
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    url = f"/desk/translations/{translation.id}/release"
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, "reason": ""})
    auth.logout()
    someone = make.user(translates=["es"], display_name="Sol")
    auth.login(someone)
    claim(client, translation)
    auth.logout()
    auth.login(translator)
    response = client.post(url, data={"csrf_token": csrf_token(client, "/desk/queue"),
                                      "reason": "", "back": "/desk/"})
    assert "You no longer hold this claim. Sol is working on it." in info(client, response)
    assert reload(db, Translation, translation.id).claimed_by_id == someone.id


def test_release_twice(db, client, auth, make, statement):
    version = make.approved_version(statement, "es")
    coordinator = make.user(role=Role.COORDINATOR)
    auth.login(coordinator)
    url = f"/coordinate/statements/{statement.id}/release"
    first, second = twice(client, url, url, {"versions": [str(version.id)], "when": "now",
                                             "release_at": "", "note": ""})
    assert first.status_code == 303
    assert "This was already released" in info(client, second)
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 2


def published_with_report(db, client, make, statement):
    version = make.approved_version(statement, "es")
    release_statement(None, statement, [version], utcnow() - timedelta(minutes=1))
    db.session.commit()
    url = f"/es/statements/{statement.slug}/report"
    client.post(url, data={"csrf_token": csrf_token(client, url), "paragraph": "2",
                           "message": "A typo.", "email": ""})
    db.session.expire_all()
    return translation_of(db, statement, "es")


def test_resolve_report_twice(db, client, auth, make, reviewer, statement):
    published_with_report(db, client, make, statement)
    auth.login(reviewer)
    report_id = re.search(r'/desk/reports/(\d+)/resolve',
                          client.get("/desk/").get_data(as_text=True)).group(1)
    first, second = twice(client, "/desk/", f"/desk/reports/{report_id}/resolve",
                          {"back": "/desk/"})
    assert first.status_code == 303
    assert "Rita Reviewer already resolved this report." in info(client, second)
    assert count(db, "report.resolve") == 1


def test_open_correction_twice(db, client, auth, make, reviewer, statement):
    translation = published_with_report(db, client, make, statement)
    auth.login(reviewer)
    url = f"/desk/translations/{translation.id}/correction"
    first, second = twice(client, url, url, {"segment": "", "note": ""})
    assert first.status_code == 303
    assert "A correction is already open" in info(client, second)
    assert db.session.scalar(select(func.count()).select_from(Correction)) == 1
    assert count(db, "translation.open_correction") == 1
    # A late reload of the form page after the correction opened says so too.
    response = client.get(url)
    assert "nothing to correct" in info(client, response)


def test_state_changing_buttons_disable_themselves(db, client, auth, translator, statement):
    """The pages load the small script, and the forms that change state ask for it."""
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    page = client.get(f"/desk/translations/{translation.id}/claim").get_data(as_text=True)
    assert re.search(r'<script src="/static/forms\.[^"]*js" defer>', page) or \
        '/static/forms.js' in page
    assert re.search(r'<form method="post" action="[^"]+/claim" data-once>', page)
    claim(client, translation)
    editor = client.get(editor_url(translation)).get_data(as_text=True)
    assert re.search(r'<button[^>]*formaction="[^"]+/submit"[^>]*data-once', editor)
    assert reload(db, Translation, translation.id).state == TranslationState.IN_PROGRESS


def test_a_late_submit_after_the_version_came_back_submits_nothing(
        db, client, auth, translator, reviewer, statement):
    """The version went back to its author meanwhile: a retried submit is not a new one."""
    translation = translation_of(db, statement, "es")
    auth.login(translator)
    claim(client, translation)
    fill_all(client, translation, statement)
    token = csrf_token(client, editor_url(translation))
    late = {"csrf_token": token, "versions": "0"}  # what the editor held when first sent
    client.post(f"/desk/translations/{translation.id}/submit", data=late)
    auth.logout()
    auth.login(reviewer)
    version = reload(db, Translation, translation.id).versions[-1]
    post_form(client, f"/desk/versions/{version.id}", f"/desk/versions/{version.id}/decision",
              {"decision": "changes", "comment": "One more look."})
    auth.logout()
    auth.login(translator)
    response = client.post(f"/desk/translations/{translation.id}/submit",
                           data={**late, "csrf_token": csrf_token(client, "/desk/queue")})
    message = info(client, response)
    assert "Version 1 was already submitted. Ana Translator is working on it." in message
    assert len(reload(db, Translation, translation.id).versions) == 1
