"""The coordinators' area, through real requests with real CSRF tokens."""

import html as html_lib
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.models import (
    AuditEvent,
    Invitation,
    Organization,
    OutboxMessage,
    Publication,
    Release,
    Role,
    Statement,
    Translation,
    TranslationState,
    utcnow,
)
from portal.workflow import claim_translation
from tests.conftest import csrf_token

MEXICO = ZoneInfo("America/Mexico_City")
FLASH = re.compile(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', re.S)
FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>(.*?)</p>', re.S)


# --- helpers ------------------------------------------------------------------------------

def messages(response) -> list[str]:
    """Flashed messages and field errors on a page, unescaped."""
    page = response.get_data(as_text=True)
    return [html_lib.unescape(text.strip()) for text in FLASH.findall(page)
            + FIELD_ERROR.findall(page)]


def text(response) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def checked_boxes(response, name: str) -> set[str]:
    """Values of the checked checkboxes called `name`."""
    page = response.get_data(as_text=True)
    return {value for value, rest in re.findall(
        rf'<input type="checkbox" name="{name}" value="([^"]+)"([^>]*)>', page)
        if "checked" in rest}


def selected_option(response, name: str) -> str | None:
    """The value of the selected option of the select called `name`."""
    page = response.get_data(as_text=True)
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group()
    option = re.search(r'<option(?=[^>]*\bselected\b)[^>]*value="([^"]*)"', select_html)
    return option.group(1) if option else None


def post(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """POST as a browser would: with the CSRF token of the page the form is on."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def reload(db, instance):
    """The row as the database has it now (each request closes the test's session)."""
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def translation_of(db, statement, tag: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def statement_fields(**overrides) -> dict:
    fields = {
        "title": "Día del Migrante: ¡Justicia ya!",
        "summary": "Our call for migrant workers' rights.",
        "body": "First paragraph.\n\nSecond paragraph.\n\n- A demand\n- Another demand",
        "source_language": "en",
        "statement_date": "2026-12-18",
        "target_languages": ["es", "fr"],
        "deadline": "",
        "slug": "",
    }
    return {**fields, **overrides}


def edit_fields(db, statement, **overrides) -> dict:
    """What the edit form holds for the statement as it is, with some changes."""
    revision = statement.current_revision
    fields = {
        "title": revision.title, "summary": revision.summary, "body": revision.body,
        "statement_date": statement.statement_date.isoformat(), "deadline": "",
        "target_languages": [t.language_tag for t in statement_translations(db, statement)],
    }
    return {**fields, **overrides}


def statement_translations(db, statement) -> list[Translation]:
    return list(db.session.scalars(select(Translation).where(
        Translation.statement_id == statement.id)))


@pytest.fixture
def coordinator(make):
    for tag in ("en", "es", "fr", "ar"):
        make.language(tag)
    return make.user(role=Role.COORDINATOR, display_name="Cora Coordinator",
                     email="cora@example.org", time_zone="America/Mexico_City")


@pytest.fixture
def signed_in(auth, coordinator):
    response = auth.login(coordinator)
    assert response.status_code in (302, 303), "the login page should accept the coordinator"
    return coordinator


@pytest.fixture
def organization(db):
    organization = Organization(name="Migrante Chile", country="CL")
    db.session.add(organization)
    db.session.commit()
    return organization


# --- who may enter ------------------------------------------------------------------------

def _pages(statement, organization, person):
    return {
        "get": ["/coordinate/", "/coordinate/statements/new",
                f"/coordinate/statements/{statement.id}/edit",
                f"/coordinate/statements/{statement.id}/release", "/coordinate/progress",
                "/coordinate/organizations", "/coordinate/organizations/new",
                f"/coordinate/organizations/{organization.id}/edit", "/coordinate/people",
                "/coordinate/people/invite", f"/coordinate/people/{person.id}/edit",
                "/coordinate/audit"],
        "post": ["/coordinate/statements/new", f"/coordinate/statements/{statement.id}/edit",
                 f"/coordinate/statements/{statement.id}/release",
                 f"/coordinate/statements/{statement.id}/unpublish",
                 "/coordinate/organizations/new",
                 f"/coordinate/organizations/{organization.id}/edit",
                 "/coordinate/people/invite", f"/coordinate/people/{person.id}/edit",
                 f"/coordinate/people/{person.id}/deactivate",
                 f"/coordinate/people/{person.id}/reactivate"],
    }


def test_a_translator_gets_403_on_every_coordinate_page(client, db, auth, make, organization):
    statement = make.statement(targets=["es"])
    translator = make.user(translates=["es"])
    other = make.user(translates=["es"])
    auth.login(translator)
    token = csrf_token(client, "/account/profile")
    pages = _pages(statement, organization, other)
    for url in pages["get"]:
        assert client.get(url).status_code == 403, url
    for url in pages["post"]:
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    other = reload(db, other)
    assert other.active and other.role == Role.TRANSLATOR


def test_anonymous_visitors_are_sent_to_sign_in(client, make, organization):
    statement = make.statement(targets=["es"])
    person = make.user()
    for url in _pages(statement, organization, person)["get"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/account/login" in response.headers["Location"], url


# --- statements ---------------------------------------------------------------------------

def test_new_statement_form_prechecks_the_languages_organizations_need(client, db, signed_in,
                                                                       make):
    db.session.add_all([
        Organization(name="Migrante Chile", country="CL",
                     languages=[make.language("es"), make.language("ar")]),
        Organization(name="Kanlungan", country="GB", languages=[make.language("es")]),
    ])
    db.session.commit()
    response = client.get("/coordinate/statements/new")
    assert response.status_code == 200
    assert checked_boxes(response, "target_languages") == {"es", "ar"}
    assert "America/Mexico_City" in text(response)  # the zone the deadline is typed in


def test_create_statement_derives_the_slug_and_stores_the_deadline_in_utc(client, db,
                                                                          signed_in):
    response = post(client, "/coordinate/statements/new",
                    statement_fields(deadline="2026-07-01T18:00"))
    assert response.status_code == 303
    statement = db.session.scalar(select(Statement).where(
        Statement.slug == "dia-del-migrante-justicia-ya"))
    assert statement is not None
    assert response.headers["Location"].endswith(f"/coordinate/statements/{statement.id}/edit")
    # 18:00 in Mexico City (UTC−6, no daylight saving since 2022) is midnight UTC.
    assert statement.deadline == datetime(2026, 7, 2, 0, 0, tzinfo=UTC)
    assert statement.statement_date == date(2026, 12, 18)
    assert statement.created_by_id == signed_in.id
    segments = statement.current_revision.segments
    assert [s.text for s in segments] == [
        "Día del Migrante: ¡Justicia ya!", "Our call for migrant workers' rights.",
        "First paragraph.", "Second paragraph.", "A demand", "Another demand"]
    assert {t.language_tag: t.state for t in statement_translations(db, statement)} == {
        "es": TranslationState.QUEUED, "fr": TranslationState.QUEUED}
    page = client.get(response.headers["Location"])
    assert 'value="2026-07-01T18:00"' in page.get_data(as_text=True)  # shown in her zone
    assert any("created" in message for message in messages(page))


def test_a_taken_slug_is_refused_and_the_typed_text_kept(client, db, signed_in, make):
    make.statement(slug="migrants-day")
    body = "A long paragraph the coordinator typed & must not lose."
    response = post(client, "/coordinate/statements/new",
                    statement_fields(slug="migrants-day", body=body))
    assert response.status_code == 400
    assert any("migrants-day is already taken" in message for message in messages(response))
    assert body in text(response)
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 1


def test_a_derived_slug_that_is_taken_is_refused_too(client, db, signed_in, make):
    make.statement(slug="dia-del-migrante-justicia-ya")
    response = post(client, "/coordinate/statements/new", statement_fields())
    assert response.status_code == 400
    assert any("dia-del-migrante-justicia-ya is already taken" in message
               for message in messages(response))


def test_a_title_without_latin_letters_asks_for_a_slug(client, signed_in):
    response = post(client, "/coordinate/statements/new",
                    statement_fields(title="يوم المهاجر", source_language="ar"))
    assert response.status_code == 400
    assert any("type one" in message for message in messages(response))
    assert "يوم المهاجر" in text(response)


def test_an_invalid_slug_is_refused(client, signed_in):
    response = post(client, "/coordinate/statements/new", statement_fields(slug="día 1"))
    assert response.status_code == 400
    assert any("a–z" in message for message in messages(response))


def test_editing_only_line_breaks_makes_no_new_revision(client, db, signed_in, make):
    statement = make.statement(targets=["es"])
    make.approved_version(statement, "es")
    rewrapped = make.BODY.replace("The last paragraph calls",
                                  "The last paragraph\ncalls")
    response = post(client, f"/coordinate/statements/{statement.id}/edit",
                    edit_fields(db, statement, body=rewrapped), follow_redirects=True)
    assert response.status_code == 200
    assert "Saved. No change to the text; translations untouched." in messages(response)
    assert len(reload(db, statement).revisions) == 1
    assert translation_of(db, statement, "es").state == TranslationState.APPROVED


def test_changing_a_paragraph_makes_a_revision_and_keeps_the_old_translation_online(
        client, db, signed_in, make):
    statement = make.statement(slug="migrants-day", targets=["es", "fr", "ar"])
    make.publish(statement, ["es"])
    make.approved_version(statement, "fr")
    body = make.BODY.replace("calls on everyone to join", "calls on every union to join")
    response = post(client, f"/coordinate/statements/{statement.id}/edit",
                    edit_fields(db, statement, body=body), follow_redirects=True)
    assert "Saved as new revision 2: 2 translations need an update." in messages(response)
    assert reload(db, statement).current_revision.number == 2
    assert translation_of(db, statement, "es").state == TranslationState.NEEDS_UPDATE
    assert translation_of(db, statement, "fr").state == TranslationState.NEEDS_UPDATE
    assert translation_of(db, statement, "ar").state == TranslationState.QUEUED  # no work yet
    reader = text(client.get("/es/statements/migrants-day"))
    assert "[es] The last paragraph calls on everyone to join the actions." in reader
    assert "every union" not in reader  # nothing reaches readers without a release


def test_dropping_a_target_with_work_in_it_is_refused_and_nothing_typed_is_lost(
        client, db, signed_in, make):
    statement = make.statement(targets=["es", "fr"])
    make.approved_version(statement, "es")
    response = post(client, f"/coordinate/statements/{statement.id}/edit",
                    edit_fields(db, statement, title="A retitled statement",
                                target_languages=["fr"]))
    assert response.status_code == 400
    assert any("already has work in it" in message for message in messages(response))
    assert 'value="A retitled statement"' in response.get_data(as_text=True)
    assert checked_boxes(response, "target_languages") == {"fr"}
    assert reload(db, statement).current_revision.title == "A statement on migrants' rights"
    assert translation_of(db, statement, "es").state == TranslationState.APPROVED


def test_edit_adds_a_target_and_moves_the_deadline(client, db, signed_in, make):
    statement = make.statement(targets=["es"])
    response = post(client, f"/coordinate/statements/{statement.id}/edit",
                    edit_fields(db, statement, target_languages=["es", "ar"],
                                deadline="2026-03-01T09:30"))
    assert response.status_code == 303
    assert translation_of(db, statement, "ar").state == TranslationState.QUEUED
    assert reload(db, statement).deadline == datetime(2026, 3, 1, 15, 30, tzinfo=UTC)


def test_the_statement_list_counts_translations_by_state(client, signed_in, make):
    statement = make.statement(title="Stop deportations now", targets=["es", "fr", "ar"])
    make.approved_version(statement, "es")
    page = text(client.get("/coordinate/"))
    assert "Stop deportations now" in page
    assert "Approved: 1" in page and "Queued: 2" in page
    assert f"/coordinate/statements/{statement.id}/release" in page
    assert "/coordinate/statements/new" in page


# --- releases -----------------------------------------------------------------------------

def test_release_now_shows_the_translation_to_readers(client, db, signed_in, make):
    statement = make.statement(slug="migrants-day", targets=["es", "fr"])
    version = make.approved_version(statement, "es")
    url = f"/coordinate/statements/{statement.id}/release"
    form = client.get(url)
    assert checked_boxes(form, "versions") == {str(version.id)}  # all approved, checked
    assert client.get("/es/statements/migrants-day").status_code == 404
    response = post(client, url, {"versions": [version.id], "when": "now", "release_at": ""},
                    follow_redirects=True)
    assert response.status_code == 200
    assert any("Published now: English, Español" in message for message in messages(response))
    reader = client.get("/es/statements/migrants-day")
    assert reader.status_code == 200
    assert "[es] The first paragraph of the statement" in text(reader)
    assert translation_of(db, statement, "es").state == TranslationState.PUBLISHED


def test_release_at_a_future_time_waits_and_is_listed_as_scheduled(client, db, signed_in,
                                                                   make):
    statement = make.statement(slug="migrants-day", targets=["es"])
    version = make.approved_version(statement, "es")
    at = (datetime.now(MEXICO) + timedelta(days=2)).replace(second=0, microsecond=0)
    url = f"/coordinate/statements/{statement.id}/release"
    response = post(client, url, {"versions": [version.id], "when": "at",
                                  "release_at": at.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    release = db.session.scalar(select(Release).where(Release.statement_id == statement.id))
    assert release.release_at == at.astimezone(UTC)
    assert client.get("/es/statements/migrants-day").status_code == 404
    assert client.get("/en/statements/migrants-day").status_code == 404
    page = client.get(url)
    scheduled = text(page).split("Scheduled releases")[1]
    assert "Español" in scheduled and "America/Mexico_City" in scheduled


def test_a_release_time_in_the_past_is_refused(client, db, signed_in, make):
    statement = make.statement(targets=["es"])
    version = make.approved_version(statement, "es")
    yesterday = datetime.now(MEXICO) - timedelta(days=1)
    response = post(client, f"/coordinate/statements/{statement.id}/release",
                    {"versions": [version.id], "when": "at",
                     "release_at": yesterday.strftime("%Y-%m-%dT%H:%M"), "note": "Embargo"})
    assert response.status_code == 400
    assert any("already passed" in message for message in messages(response))
    assert "Embargo" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Release)) == 0


def test_unpublish_needs_a_reason_then_readers_fall_back(client, db, signed_in, make):
    statement = make.statement(slug="migrants-day", targets=["es"])
    make.publish(statement, ["es"])
    url = f"/coordinate/statements/{statement.id}/unpublish"
    release_page = f"/coordinate/statements/{statement.id}/release"
    refused = post(client, url, {"language": "es", "reason": " "}, form_url=release_page)
    assert refused.status_code == 400
    assert "Give a reason: it is kept in the audit log." in messages(refused)
    assert "[es]" in text(client.get("/es/statements/migrants-day"))
    done = post(client, url, {"language": "es", "reason": "A mistranslated demand"},
                form_url=release_page)
    assert done.status_code == 303
    reader = client.get("/es/statements/migrants-day")
    assert reader.status_code == 200
    assert "[es]" not in text(reader)
    assert "The first paragraph of the statement" in text(reader)  # the English fallback
    publication = db.session.scalar(select(Publication).where(
        Publication.statement_id == statement.id, Publication.language_tag == "es"))
    assert publication.withdrawn_reason == "A mistranslated demand"


# --- progress -----------------------------------------------------------------------------

def _cell(page: str, statement_id: int, tag: str) -> str:
    """The text of one matrix cell."""
    row = re.search(rf'statements/{statement_id}/edit".*?</tr>', page, re.S).group()
    cell = re.search(rf'<td data-language="{re.escape(tag)}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_the_progress_matrix_shows_each_state_and_counts(app, client, db, signed_in, make):
    first = make.statement(targets=["es", "fr", "ar"])
    second = make.statement(source="es", targets=["en", "fr"])
    make.publish(first, ["es"])
    make.approved_version(first, "fr")
    translator = make.user(translates=["fr"])
    with app.app_context():
        claim_translation(translator, translation_of(db, second, "fr"))
        db.session.commit()
    make.language("id")  # enabled, no work in it
    page = client.get("/coordinate/progress").get_data(as_text=True)
    assert 'class="state state-published">Published<' in page
    assert (_cell(page, first.id, "en"), _cell(page, first.id, "es"),
            _cell(page, first.id, "fr"), _cell(page, first.id, "ar"),
            _cell(page, first.id, "id")) == ("source", "Published", "Approved", "Queued", "")
    assert (_cell(page, second.id, "es"), _cell(page, second.id, "en"),
            _cell(page, second.id, "fr")) == ("source", "Queued", "In progress")
    footer = page.split("<tfoot>")[1]
    published = re.search(r'class="count-published">.*?</tr>', footer, re.S).group()
    assert '<td data-language="es">1</td>' in published
    in_progress = re.search(r'class="count-in_progress">.*?</tr>', footer, re.S).group()
    assert '<td data-language="fr">1</td>' in in_progress
    totals = dict(re.findall(r'<li data-state="(\w+)">.*?</span> (\d+)</li>', page, re.S))
    assert totals == {"queued": "2", "in_progress": "1", "in_review": "0", "approved": "1",
                      "published": "1", "scheduled": "0", "needs_update": "0"}


def test_every_matrix_cell_links_to_the_translation_with_claimant_and_versions(
        app, client, db, signed_in, make):
    statement = make.statement(targets=["es", "fr"], title="Fair wages now")
    statement.deadline = datetime(2026, 5, 1, 12, tzinfo=UTC)
    make.approved_version(statement, "es", author=make.user(display_name="Vera Writer"))
    translator = make.user(translates=["fr"], display_name="Fran Claimant")
    with app.app_context():
        claim_translation(translator, translation_of(db, statement, "fr"))
        db.session.commit()
    es, fr = translation_of(db, statement, "es"), translation_of(db, statement, "fr")
    for view in ("/coordinate/progress", "/coordinate/progress?language=fr"):
        page = client.get(view).get_data(as_text=True)
        assert f'href="/coordinate/translations/{fr.id}"' in page, view
    page = client.get("/coordinate/progress").get_data(as_text=True)
    assert f'<a class="cell-link" href="/coordinate/translations/{es.id}">' in page

    response = client.get(f"/coordinate/translations/{fr.id}")
    assert response.status_code == 200
    page = text(response)
    assert "Fair wages now" in page and "English → Français" in page
    assert "In progress" in page and "Fran Claimant · until" in page
    assert "No version submitted yet." in page
    assert f'href="/desk/translations/{fr.id}"' in page  # the text, read only

    page = text(client.get(f"/coordinate/translations/{es.id}"))
    assert "Approved" in page and "nobody" in page
    row = re.search(r'<tr data-version="1">(.*?)</tr>', page, re.S)[1]
    assert "Version 1" in row and "Vera Writer" in row and "Approved by" in row
    assert client.get("/coordinate/translations/999999").status_code == 404


def test_the_progress_page_runs_a_fixed_number_of_queries(client, signed_in, make,
                                                          count_queries):
    for _ in range(2):
        make.statement(targets=["es", "fr"])
    with count_queries() as small:
        assert client.get("/coordinate/progress").status_code == 200
    for _ in range(10):
        statement = make.statement(targets=["es", "fr", "ar"])
        make.approved_version(statement, "es")
    with count_queries() as large:
        assert client.get("/coordinate/progress").status_code == 200
    assert small.count == large.count
    # Sign-in, the readers' state, languages, statements, their cells, tallies, scheduled,
    # and the layout's.
    assert small.count <= 9


# --- organizations ------------------------------------------------------------------------

def test_create_and_edit_an_organization(client, db, signed_in):
    response = post(client, "/coordinate/organizations/new", {
        "name": "Migrante International", "country": "PH", "languages": ["en"],
        "contact_email": "info@migrante.example"})
    assert response.status_code == 303
    organization = db.session.scalar(select(Organization).where(
        Organization.name == "Migrante International"))
    assert (organization.country, [language.tag for language in organization.languages],
            organization.contact_email) == ("PH", ["en"], "info@migrante.example")
    listing = text(client.get("/coordinate/organizations"))
    assert "Migrante International" in listing and "Philippines" in listing
    edit_url = f"/coordinate/organizations/{organization.id}/edit"
    assert selected_option(client.get(edit_url), "country") == "PH"
    response = post(client, edit_url, {"name": "Migrante International", "country": "HK",
                                       "languages": ["es", "ar"], "contact_email": ""})
    assert response.status_code == 303
    organization = reload(db, organization)
    assert organization.country == "HK"
    assert [language.tag for language in organization.languages] == ["ar", "es"]
    assert organization.contact_email is None


@pytest.mark.parametrize("country", ["XX", "USA", "001", "EU", "ph", ""])
def test_an_invalid_country_is_refused(client, db, signed_in, country):
    response = post(client, "/coordinate/organizations/new", {
        "name": "Some union", "country": country, "languages": ["es"]})
    assert response.status_code == 400
    assert "Choose a country from the list." in messages(response)
    assert 'value="Some union"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


def test_a_duplicate_organization_name_is_refused(client, db, signed_in, organization):
    response = post(client, "/coordinate/organizations/new", {
        "name": "migrante chile", "country": "AR", "languages": ["es"],
        "contact_email": "hola@example.org"})
    assert response.status_code == 400
    assert any("already a member organization called migrante chile" in message
               for message in messages(response))
    assert 'value="hola@example.org"' in response.get_data(as_text=True)
    other = Organization(name="Kanlungan", country="GB")
    db.session.add(other)
    db.session.commit()
    response = post(client, f"/coordinate/organizations/{other.id}/edit", {
        "name": "Migrante Chile", "country": "GB"})
    assert response.status_code == 400
    assert reload(db, other).name == "Kanlungan"


def test_an_invalid_contact_email_is_refused(client, signed_in):
    response = post(client, "/coordinate/organizations/new", {
        "name": "Some union", "country": "CL", "contact_email": "not an address"})
    assert response.status_code == 400
    assert "This does not look like an e-mail address." in messages(response)


# --- people -------------------------------------------------------------------------------

def test_invite_creates_an_invitation_and_an_email(client, db, signed_in):
    response = post(client, "/coordinate/people/invite", {
        "email": "Nadia@Example.org", "role": "reviewer", "translates": ["fr"],
        "reviews": ["ar"]}, follow_redirects=True)
    assert "Invitation sent to Nadia@Example.org." in messages(response)
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.email, invitation.role, invitation.translate_tags,
            invitation.review_tags) == ("nadia@example.org", Role.REVIEWER, ["ar", "fr"], ["ar"])
    assert invitation.invited_by_id == signed_in.id
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.recipient) == ("invitation", "nadia@example.org")
    assert "nadia@example.org" in text(response).split("Open invitations")[1]


def test_inviting_someone_with_an_account_is_refused_keeping_the_form(client, db, signed_in,
                                                                      make):
    make.user(email="taken@example.org")
    response = post(client, "/coordinate/people/invite", {
        "email": "taken@example.org", "role": "translator", "translates": ["es"]})
    assert response.status_code == 400
    assert "taken@example.org already has an account." in messages(response)
    assert checked_boxes(response, "translates") == {"es"}
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_coordinator_cannot_invite_an_administrator(client, db, signed_in):
    """The role is not even offered: the form refuses it like any unknown choice."""
    response = post(client, "/coordinate/people/invite", {
        "email": "boss@example.org", "role": "admin"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_edit_a_persons_review_rights(client, db, signed_in, make):
    person = make.user(translates=["es", "fr"])
    url = f"/coordinate/people/{person.id}/edit"
    assert checked_boxes(client.get(url), "translates") == {"es", "fr"}
    response = post(client, url, {"role": "reviewer", "translates": ["es"],
                                  "reviews": ["es", "ar"]})
    assert response.status_code == 303
    person = reload(db, person)
    assert person.role == Role.REVIEWER
    assert {(s.language_tag, s.can_translate, s.can_review) for s in person.skills} == {
        ("es", True, True), ("ar", False, True)}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.update"))
    assert event.actor_id == signed_in.id and person.email in event.detail


def test_a_coordinator_cannot_change_her_own_account(client, db, signed_in):
    """Not her role, and not her languages: she cannot make herself a reviewer."""
    url = f"/coordinate/people/{signed_in.id}/edit"
    assert client.get(url).status_code == 403
    token = csrf_token(client, "/coordinate/people")
    for data in ({"role": "translator"}, {"role": "coordinator", "reviews": ["es"]}):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 403
    signed_in = reload(db, signed_in)
    assert signed_in.role == Role.COORDINATOR and signed_in.skill("es") is None


def test_a_coordinator_cannot_change_an_administrator(client, db, signed_in, make):
    admin = make.user(role=Role.ADMIN, translates=["fr"])
    url = f"/coordinate/people/{admin.id}/edit"
    assert client.get(url).status_code == 403
    token = csrf_token(client, "/coordinate/people")
    response = client.post(url, data={"role": "admin", "reviews": ["fr"], "csrf_token": token})
    assert response.status_code == 403
    assert reload(db, admin).skill("fr").can_review is False
    assert "An administrator manages this account." in \
        client.get("/coordinate/people").get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_only_administrators_give_the_staff_roles(client, db, signed_in, make, auth, role):
    person = make.user(translates=["es"])
    url = f"/coordinate/people/{person.id}/edit"
    response = post(client, url, {"role": role, "translates": ["es"]})
    assert response.status_code == 400 and reload(db, person).role == Role.TRANSLATOR
    assert post(client, "/coordinate/people/invite", {
        "email": "friend@example.org", "role": role}).status_code == 400
    auth.logout()
    auth.login(make.user(role=Role.ADMIN))
    assert post(client, url, {"role": role, "translates": ["es"]}).status_code == 303
    assert reload(db, person).role == Role(role)


def test_deactivate_returns_claims_and_reactivate_restores(app, client, db, signed_in, make):
    person = make.user(translates=["es"])
    statement = make.statement(targets=["es"])
    with app.app_context():
        claim_translation(person, translation_of(db, statement, "es"))
        db.session.commit()
    response = post(client, f"/coordinate/people/{person.id}/deactivate", {},
                    form_url="/coordinate/people", follow_redirects=True)
    assert any("was deactivated; 1 claims went back to the queue" in message
               for message in messages(response))
    assert reload(db, person).active is False
    translation = translation_of(db, statement, "es")
    assert (translation.state, translation.claimed_by_id) == (TranslationState.QUEUED, None)
    response = post(client, f"/coordinate/people/{person.id}/reactivate", {},
                    form_url="/coordinate/people")
    assert response.status_code == 303
    assert reload(db, person).active is True


def test_a_coordinator_cannot_deactivate_herself(client, db, signed_in):
    response = post(client, f"/coordinate/people/{signed_in.id}/deactivate",
                    {"back": "/coordinate/people"}, form_url="/coordinate/people",
                    follow_redirects=True)
    assert "You cannot deactivate yourself." in messages(response)
    assert reload(db, signed_in).active is True


def test_only_an_administrator_deactivates_an_administrator(client, db, make, auth):
    admin = make.user(role=Role.ADMIN)
    coordinator = make.user(role=Role.COORDINATOR)
    auth.login(coordinator)
    response = post(client, f"/coordinate/people/{admin.id}/deactivate",
                    {"back": "/coordinate/people"}, form_url="/coordinate/people")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Only administrators" in page and 'href="/coordinate/people"' in page
    assert reload(db, admin).active is True
    other_admin = make.user(role=Role.ADMIN)
    auth.logout()
    auth.login(other_admin)
    response = post(client, f"/coordinate/people/{admin.id}/deactivate", {},
                    form_url="/coordinate/people")
    assert response.status_code == 303
    assert reload(db, admin).active is False


def test_the_people_page_lists_everyone_and_open_invitations(client, db, signed_in, make):
    make.user(display_name="Tala Translator", translates=["es"], reviews=["es"])
    make.user(display_name="Gone Volunteer", active=False)
    db.session.add(Invitation(email="old@example.org", role=Role.TRANSLATOR,
                              expires_at=utcnow() - timedelta(days=1)))
    db.session.add(Invitation(email="new@example.org", role=Role.TRANSLATOR,
                              expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    page = text(client.get("/coordinate/people"))
    people, invitations = page.split("Open invitations")
    assert "Tala Translator" in people and "translates, reviews" in people
    assert "Gone Volunteer" in people and "Reactivate" in people
    assert "new@example.org" in invitations and "old@example.org" not in invitations


# --- audit log ----------------------------------------------------------------------------

def test_the_audit_log_shows_events_and_filters_them(client, db, signed_in, make):
    first = make.statement(slug="first", title="First statement", targets=["es"])
    second = make.statement(slug="second", title="Second statement", targets=["es"])
    post(client, f"/coordinate/statements/{first.id}/edit",
         edit_fields(db, first, title="First statement, revised"))
    page = client.get("/coordinate/audit")
    rows = text(page).split("<tbody>")[1]
    assert rows.index("statement.revise") < rows.index("statement.create")  # newest first
    assert "Cora Coordinator" in rows and "the system" in rows
    only_second = text(client.get(f"/coordinate/audit?statement={second.id}")).split(
        "<tbody>")[1]
    assert "statement.create" in only_second and "statement.revise" not in only_second
    assert "Second statement" in only_second and "First statement" not in only_second
    by_her = text(client.get(f"/coordinate/audit?person={signed_in.id}")).split("<tbody>")[1]
    assert "statement.revise" in by_her and "the system" not in by_her


def test_the_audit_log_is_paginated(client, db, signed_in):
    db.session.add_all(AuditEvent(action="test.event", detail=f"event {number}")
                       for number in range(60))
    db.session.commit()
    first = client.get("/coordinate/audit").get_data(as_text=True)
    assert first.split("<tbody>")[1].count("<tr>") == 50
    assert "page=2" in first
    assert client.get("/coordinate/audit?page=2").status_code == 200
    assert client.get("/coordinate/audit?page=99").status_code == 404



# --- dates --------------------------------------------------------------------------------

def test_dates_name_their_month_never_the_us_short_form(client, db, signed_in, make):
    make.statement(slug="dated", title="Dated statement", statement_date=date(2026, 12, 2))
    db.session.add(AuditEvent(action="test.event", detail="dated",
                              created_at=datetime(2026, 2, 12, 15, 5, tzinfo=UTC)))
    db.session.commit()
    statements = text(client.get("/coordinate/"))
    assert "Dec 2, 2026" in statements and "12/2/26" not in statements
    audit = text(client.get("/coordinate/audit"))
    moment = re.search(r"<time datetime=\"2026-02-12T15:05:00Z\">([^<]+)</time>", audit)
    assert moment, audit
    # In the coordinator's zone, Mexico City (UTC−6).
    assert moment.group(1) == "Feb 12, 2026, 9:05\u202fAM"  # CLDR: a narrow no-break space
    assert "2/12/26" not in audit
