"""Released with an embargo: coordinators see "Scheduled (date, time, zone)", not "Published"."""

import re
from datetime import datetime, timedelta

from portal.models import Role, utcnow
from portal.workflow import release_statement
from tests.test_desk import text_of


def test_an_embargoed_translation_shows_as_scheduled_until_its_time(db, client, auth, make):
    coordinator = make.user(role=Role.COORDINATOR, time_zone="Europe/Madrid")
    statement = make.statement(targets=["es", "fr"], title="Decent work for all")
    version = make.approved_version(statement, "es")
    when = datetime(2099, 12, 18, 8, 30, tzinfo=utcnow().tzinfo)
    release_statement(None, statement, [version], when)
    db.session.commit()
    auth.login(coordinator)
    # CLDR's medium format, month named, in the coordinator's zone (a narrow space before AM).
    expected = "Scheduled (Dec 18, 2099, 9:30\u202fAM, Europe/Madrid)"

    statements = text_of(client.get("/coordinate/"))
    row = re.search(rf'<tr data-statement="{statement.id}">.*?</tr>', statements, re.S).group()
    assert f"{expected}: 1" in row and "Published" not in row

    progress = text_of(client.get("/coordinate/progress"))
    assert expected in progress
    footer = progress.split("<tfoot>")[1]
    scheduled = re.search(r'class="count-scheduled">.*?</tr>', footer, re.S).group()
    assert '<td data-language="es">1</td>' in scheduled
    published = re.search(r'class="count-published">.*?</tr>', footer, re.S).group()
    assert '<td data-language="es">0</td>' in published
    one = text_of(client.get("/coordinate/progress?language=es"))
    assert expected in one

    release = text_of(client.get(f"/coordinate/statements/{statement.id}/release"))
    assert expected in release
    # Readers cannot see it yet, which is why it must not say "Published".
    assert client.get(f"/es/statements/{statement.slug}").status_code == 404


def test_once_the_time_passes_it_is_published(db, client, auth, make):
    coordinator = make.user(role=Role.COORDINATOR)
    statement = make.statement(targets=["es"])
    make.publish(statement, languages=["es"], release_at=utcnow() - timedelta(minutes=1))
    auth.login(coordinator)
    for url in ("/coordinate/", "/coordinate/progress",
                f"/coordinate/statements/{statement.id}/release"):
        page = text_of(client.get(url))
        assert 'state-scheduled"><time' not in page, url
        assert "Published" in page, url
