"""Readers in the loop: an invitation to help, and reports of problems."""

from sqlalchemy import select

from portal.models import ProblemReport
from tests.conftest import csrf_token


def test_fallback_invites_signed_out_readers_to_help(client, make):
    make.language("fr")
    make.publish(make.statement(slug="help-me", targets=["fr"]))
    html = client.get("/fr/statements/help-me").get_data(as_text=True)
    assert 'href="/account/login?next=/desk/queue"' in html


def test_translated_page_offers_a_problem_report_the_source_does_not(client, make):
    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    assert "/es/statements/reportable/report" in client.get(
        "/es/statements/reportable").get_data(as_text=True)
    assert "reportable/report" not in client.get("/en/statements/reportable").get_data(
        as_text=True)
    assert client.get("/en/statements/reportable/report").status_code == 404


def test_a_report_lands_with_its_paragraph(client, make, db):
    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    url = "/es/statements/reportable/report"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "paragraph": "3",
        "message": "El encabezado está mal traducido.", "email": "",
    })
    assert response.status_code == 303
    report = db.session.scalar(select(ProblemReport))
    assert report.language_tag == "es"
    assert report.paragraph == "[es] Our demands"
    assert report.message == "El encabezado está mal traducido."
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-success"' in thanks


def test_an_empty_report_is_refused_and_keeps_the_email(client, make, db):
    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    url = "/es/statements/reportable/report"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "paragraph": "0",
                                      "message": "  ", "email": "reader@example.org"})
    assert response.status_code == 400
    assert 'value="reader@example.org"' in response.get_data(as_text=True)
    assert db.session.scalar(select(ProblemReport)) is None


def test_a_report_without_csrf_token_is_refused(client, make, db):
    make.publish(make.statement(slug="reportable", targets=["es"]), ["es"])
    response = client.post("/es/statements/reportable/report",
                           data={"paragraph": "0", "message": "Spam"})
    assert response.status_code == 400
    assert db.session.scalar(select(ProblemReport)) is None
