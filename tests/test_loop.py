"""The whole loop through the test client: write, claim, translate, review, release, read."""

import re

from sqlalchemy import select

from portal.models import Organization, Role, Statement, Translation, TranslationState
from tests.conftest import csrf_token

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def test_statement_goes_from_coordinator_to_reader(app, client, auth, make, db):
    make.language("es")
    db.session.add(Organization(name="Red de Migrantes", country="ES",
                                languages=[make.language("es")]))
    coordinator = make.user(Role.COORDINATOR, translates=["en"])
    translator = make.user(translates=["es"])
    reviewer = make.user(Role.REVIEWER, translates=["es"], reviews=["es"])

    # 1. The coordinator writes the statement.
    auth.login(coordinator)
    url = "/coordinate/statements/new"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "source_language": "en",
        "title": "Workers of the world, unite", "slug": "",
        "summary": "A call for Migrants Day.",
        "body": "First paragraph.\n\n- One demand\n- Another demand",
        "statement_date": "2026-12-18", "target_languages": ["es"], "deadline": "",
    })
    assert response.status_code == 303, response.get_data(as_text=True)
    # Each request ends its session, so objects are loaded afresh after one.
    statement_id = db.session.scalar(select(Statement.id))
    translation_id = db.session.scalar(select(Translation.id))
    slug = db.session.get(Statement, statement_id).slug
    assert client.get(f"/es/statements/{slug}").status_code == 404  # not released yet
    auth.logout()

    # 2. The translator claims it and translates paragraph by paragraph (autosave).
    auth.login(translator)
    url = f"/desk/translations/{translation_id}/claim"
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code in (
        302, 303)
    editor = client.get(f"/desk/translations/{translation_id}").get_data(as_text=True)
    token = META_TOKEN.search(editor).group(1)
    segments = [(segment.position, segment.key) for segment in
                db.session.get(Statement, statement_id).current_revision.segments]
    for position, key in segments:
        saved = client.post(
            f"/desk/translations/{translation_id}/segments/{key}",
            json={"text": f"ES {position}", "revision": 0},
            headers={"X-CSRFToken": token})
        assert saved.status_code == 200, saved.get_data(as_text=True)
    client.post(f"/desk/translations/{translation_id}/submit", data={"csrf_token": token})
    assert db.session.get(Translation, translation_id).state == TranslationState.IN_REVIEW
    auth.logout()

    # 3. The reviewer approves it.
    auth.login(reviewer)
    version_id = db.session.get(Translation, translation_id).versions[-1].id
    url = f"/desk/versions/{version_id}"
    client.post(f"{url}/decision", data={"csrf_token": csrf_token(client, url),
                                         "decision": "approve", "comment": ""})
    assert db.session.get(Translation, translation_id).state == TranslationState.APPROVED
    auth.logout()

    # 4. The coordinator releases source and translation together.
    auth.login(coordinator)
    url = f"/coordinate/statements/{statement_id}/release"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "versions": [str(version_id)], "when": "now",
                                      "release_at": "", "note": ""})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    auth.logout()

    # 5. A reader reads it in Spanish.
    page = client.get(f"/es/statements/{slug}").get_data(as_text=True)
    # Each paragraph of a translation carries its small "report" link.
    assert "<h1>ES 0</h1>" in page and "<li>ES 4 <a class=\"report-link\"" in page
    assert db.session.get(Translation, translation_id).state == TranslationState.PUBLISHED
