"""Every desk and coordination page, as each kind of person: who may see what."""

import pytest
from sqlalchemy import select

from portal.models import Organization, Role, Translation
from portal.workflow import claim_translation, save_draft_segment, submit_translation

ANONYMOUS, OUTSIDER, VOLUNTEER, REVIEWER, COORDINATOR = (
    "anonymous", "volunteer of another language", "volunteer", "reviewer", "coordinator")
OK, FORBIDDEN, LOGIN = 200, 403, "login"

# (page, {person: expected}); a person not named gets 403.
MATRIX = [
    ("/desk/", {OUTSIDER: OK, VOLUNTEER: OK, REVIEWER: OK, COORDINATOR: OK}),
    ("/desk/queue", {OUTSIDER: OK, VOLUNTEER: OK, REVIEWER: OK, COORDINATOR: OK}),
    ("/desk/translations/{open_id}/claim", {VOLUNTEER: OK, REVIEWER: OK}),
    ("/desk/translations/{claimed_id}/release", {}),  # only the claimant
    ("/desk/translations/{claimed_id}", {REVIEWER: OK, COORDINATOR: OK}),  # read-only
    ("/desk/versions/{version_id}", {REVIEWER: OK, COORDINATOR: OK}),  # coordinators read it
    ("/coordinate/", {COORDINATOR: OK}),
    ("/coordinate/statements/new", {COORDINATOR: OK}),
    ("/coordinate/statements/{statement_id}/edit", {COORDINATOR: OK}),
    ("/coordinate/statements/{statement_id}/release", {COORDINATOR: OK}),
    ("/coordinate/progress", {COORDINATOR: OK}),
    ("/coordinate/organizations", {COORDINATOR: OK}),
    ("/coordinate/organizations/new", {COORDINATOR: OK}),
    ("/coordinate/organizations/{organization_id}/edit", {COORDINATOR: OK}),
    ("/coordinate/people", {COORDINATOR: OK}),
    ("/coordinate/people/invite", {COORDINATOR: OK}),
    ("/coordinate/people/{person_id}/edit", {COORDINATOR: OK}),
    ("/coordinate/audit", {COORDINATOR: OK}),
    ("/account/profile", {OUTSIDER: OK, VOLUNTEER: OK, REVIEWER: OK, COORDINATOR: OK}),
]
PEOPLE = [ANONYMOUS, OUTSIDER, VOLUNTEER, REVIEWER, COORDINATOR]


@pytest.fixture
def world(app, make, db):
    """Open work, claimed work and a version in review, all in Spanish."""
    people = {
        OUTSIDER: make.user(translates=["fr"]),
        VOLUNTEER: make.user(translates=["es"]),
        REVIEWER: make.user(Role.REVIEWER, translates=["es"], reviews=["es"]),
        COORDINATOR: make.user(Role.COORDINATOR),
    }
    claimant = make.user(translates=["es"])
    author = make.user(translates=["es"])
    open_work = make.statement(slug="open", targets=["es"])
    claimed = make.statement(slug="claimed", targets=["es"])
    reviewed = make.statement(slug="reviewed", targets=["es"])

    def spanish(statement):
        return db.session.scalar(select(Translation).where(
            Translation.statement_id == statement.id))

    with app.test_request_context():
        claim_translation(claimant, spanish(claimed))
        claim_translation(author, spanish(reviewed))
        for segment in reviewed.current_revision.segments:
            save_draft_segment(author, spanish(reviewed), segment.key, "texto", 0)
        version = submit_translation(author, spanish(reviewed))
        db.session.commit()  # before the request context's end closes the session
    organization = Organization(name="Red", country="ES")
    db.session.add(organization)
    db.session.commit()
    ids = {"open_id": spanish(open_work).id, "claimed_id": spanish(claimed).id,
           "version_id": version.id, "statement_id": open_work.id,
           "organization_id": organization.id, "person_id": people[VOLUNTEER].id}
    return people, ids


@pytest.mark.parametrize("person", PEOPLE)
def test_permission_matrix(client, auth, world, person):
    people, ids = world
    if person != ANONYMOUS:
        auth.login(people[person])
    failures = []
    for page, allowed in MATRIX:
        url = page.format(**ids)
        expected = LOGIN if person == ANONYMOUS else allowed.get(person, FORBIDDEN)
        response = client.get(url)
        if expected == LOGIN:
            good = response.status_code == 302 and "/account/login" in response.headers[
                "Location"]
        else:
            good = response.status_code == expected
        if not good:
            failures.append(f"{url}: got {response.status_code}, expected {expected}")
    assert not failures, failures
