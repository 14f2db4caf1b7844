"""Corrections: from a reader's report to the fixed text online, through real requests."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import (
    AuditEvent,
    Correction,
    OutboxMessage,
    ProblemReport,
    Translation,
    TranslationState,
    utcnow,
)
from portal.workflow import release_statement
from tests.conftest import csrf_token
from tests.test_desk import (
    claim,
    editor_url,
    flashed,
    post_form,
    reload,
    text_of,
    translation_of,
)


@pytest.fixture
def published(db, make, translator):
    """A statement released a minute ago with a Spanish version Ana wrote."""
    statement = make.statement(targets=["es"], title="Decent work for all")
    version = make.approved_version(statement, "es", author=translator,
                                    texts={2: "El primer párafo, con un error."})
    release_statement(None, statement, [version], utcnow() - timedelta(minutes=1))
    db.session.commit()
    return statement


def report(client, statement, message="«párafo» should be «párrafo».",
           email="lector@example.org"):
    """A reader reports the first body paragraph through the public form."""
    url = f"/es/statements/{statement.slug}/report"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "paragraph": "2",
                                  "message": message, "email": email})


def the_report(db, statement) -> ProblemReport:
    db.session.expire_all()
    return db.session.scalar(select(ProblemReport).where(
        ProblemReport.statement_id == statement.id))


def open_from_report(client, translation, report_row):
    return post_form(client, "/desk/", f"/desk/translations/{translation.id}/correction",
                     {"report": str(report_row.id), "back": "/desk/"})


def correct_and_submit(db, client, translation, statement, key, text):
    """The claimant fixes one paragraph in the plain form and submits."""
    drafts = {segment.key for segment in statement.current_revision.segments}
    data = {f"text-{key}": text, f"revision-{key}": "1"}
    assert key in drafts
    response = post_form(client, editor_url(translation),
                         f"/desk/translations/{translation.id}/submit", data)
    assert response.status_code == 303, text_of(response)
    return response


def test_a_readers_report_leads_to_the_fixed_text_online(db, client, auth, published,
                                                         translator, reviewer):
    slug = published.slug
    assert report(client, published).status_code == 303
    report_row = the_report(db, published)
    translation = translation_of(db, published, "es")

    # The reviewer opens a correction from the report on their desk.
    auth.login(reviewer)
    desk = text_of(client.get("/desk/"))
    assert "Open a correction" in desk
    response = open_from_report(client, translation, report_row)
    assert response.status_code == 303
    assert reload(db, Translation, translation.id).state == TranslationState.QUEUED
    correction = db.session.scalar(select(Correction))
    correction_id = correction.id
    assert correction.segment_key == published.current_revision.segments[2].key
    assert the_report(db, published).correction_id == correction_id
    assert the_report(db, published).resolved_at is None  # closes with the fix
    assert "A correction is under way" in text_of(client.get("/desk/"))
    auth.logout()

    # Readers keep the published text meanwhile.
    assert "El primer párafo, con un error." in text_of(client.get(f"/es/statements/{slug}"))

    # The translator claims it again; the reported paragraph is marked in the editor.
    auth.login(translator)
    assert claim(client, translation).status_code == 303
    page = text_of(client.get(editor_url(translation)))
    marked = re.search(r'<div class="segment[^"]*\breported\b[^"]*" id="segment-(\d+)"', page)
    assert marked and marked.group(1) == "3"
    assert "«párafo» should be «párrafo»." in page
    key = published.current_revision.segments[2].key
    correct_and_submit(db, client, translation, published, key, "El primer párrafo, corregido.")
    auth.logout()

    # Reviewed as usual; approval puts it online at once, the statement being public.
    auth.login(reviewer)
    version = reload(db, Translation, translation.id).versions[-1]
    response = post_form(client, f"/desk/versions/{version.id}",
                         f"/desk/versions/{version.id}/decision", {"decision": "approve"},
                         follow_redirects=True)
    assert any("readers see it now" in message for message in flashed(response))
    assert reload(db, Translation, translation.id).state == TranslationState.PUBLISHED
    auth.logout()
    reader = text_of(client.get(f"/es/statements/{slug}"))
    assert "El primer párrafo, corregido." in reader and "párafo," not in reader

    # The report closed with the fix; the reader who left an address is told, with a link.
    closed = the_report(db, published)
    assert closed.resolved_at is not None and closed.resolved_by_id == reviewer.id
    assert db.session.get(Correction, correction_id).fixed_version_id == version.id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "report_fixed"))
    assert mail.recipient == "lector@example.org"
    assert f"http://portal.test/es/statements/{slug}" in mail.body
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.translation_id == translation.id).order_by(AuditEvent.id)))
    assert actions[-6:] == ["translation.open_correction", "translation.claim",
                            "translation.submit", "translation.approve",
                            "translation.release", "translation.close_correction"]


def test_coordinators_can_require_their_own_release_of_corrections(
        db, client, auth, make, published, translator, reviewer):
    coordinator = make.user(role="coordinator")
    auth.login(coordinator)
    url = f"/coordinate/statements/{published.id}/release"
    response = post_form(client, url, f"/coordinate/statements/{published.id}/corrections",
                         {"corrections": "release"}, follow_redirects=True)
    assert any("wait for your release" in message for message in flashed(response))
    assert reload(db, type(published), published.id).corrections_need_release
    auth.logout()
    translation = translation_of(db, published, "es")

    # The last translator opens the correction from the published translation itself.
    auth.login(translator)
    form = text_of(client.get(f"/desk/translations/{translation.id}/correction"))
    assert "the fix waits for their release" in form
    key = published.current_revision.segments[2].key
    response = post_form(client, f"/desk/translations/{translation.id}/correction",
                         f"/desk/translations/{translation.id}/correction",
                         {"segment": key, "note": "A typo."})
    assert response.headers["Location"].endswith(f"/desk/translations/{translation.id}/claim")
    claim(client, translation)
    correct_and_submit(db, client, translation, published, key, "El primer párrafo.")
    auth.logout()
    auth.login(reviewer)
    version = reload(db, Translation, translation.id).versions[-1]
    post_form(client, f"/desk/versions/{version.id}", f"/desk/versions/{version.id}/decision",
              {"decision": "approve"})
    assert reload(db, Translation, translation.id).state == TranslationState.APPROVED
    auth.logout()
    assert "párafo" in text_of(client.get(f"/es/statements/{published.slug}"))

    # The coordinator's release puts it online and closes the correction.
    auth.login(coordinator)
    response = post_form(client, url, url, {"versions": [str(version.id)], "when": "now",
                                            "release_at": "", "note": ""})
    assert response.status_code == 303
    assert "El primer párrafo." in text_of(client.get(f"/es/statements/{published.slug}"))
    db.session.expire_all()
    assert db.session.scalar(select(Correction)).closed_at is not None


def test_only_reviewers_and_the_last_translator_open_corrections(db, client, auth, make,
                                                                 published):
    other = make.user(translates=["es"])
    translation = translation_of(db, published, "es")
    auth.login(other)
    url = f"/desk/translations/{translation.id}/correction"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"csrf_token": csrf_token(client, "/desk/queue")})
    assert response.status_code == 403
    assert reload(db, Translation, translation.id).state == TranslationState.PUBLISHED


def test_a_second_report_joins_the_open_correction(db, client, auth, published, reviewer):
    report(client, published)
    report(client, published, message="Another mistake.", email="")
    first, second = db.session.scalars(select(ProblemReport).order_by(ProblemReport.id)).all()
    translation = translation_of(db, published, "es")
    auth.login(reviewer)
    open_from_report(client, translation, first)
    response = open_from_report(client, translation, second)
    assert response.status_code == 303
    follow = client.get(response.headers["Location"])
    assert any("A correction is already open" in message for message in flashed(follow))
    db.session.expire_all()
    assert db.session.get(ProblemReport, second.id).correction_id == \
        db.session.get(ProblemReport, first.id).correction_id
    assert db.session.scalar(select(Correction.id).where(Correction.id > 0)) is not None
    assert len(db.session.scalars(select(Correction)).all()) == 1
