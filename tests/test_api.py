"""The read-only JSON API."""

from datetime import date, timedelta

import pytest

from portal.models import utcnow


@pytest.fixture
def published(make):
    statement = make.statement(slug="call-to-action", targets=["es", "fr"],
                               title="Call to action", statement_date=date(2026, 9, 1))
    make.publish(statement, ["es", "ar"])
    return statement


def test_languages_lists_enabled_languages_with_names_and_direction(client, published):
    languages = {item["tag"]: item for item in client.get("/api/v1/languages").json["languages"]}
    assert languages["ar"] == {"tag": "ar", "name": "Arabic", "autonym": "العربية",
                               "direction": "rtl", "has_content": True}
    assert languages["fr"]["has_content"] is False


def test_statements_in_a_language(client, published):
    body = client.get("/api/v1/statements?lang=es").json
    assert body["language"] == "es" and body["total"] == 1
    item = body["statements"][0]
    assert item["slug"] == "call-to-action"
    assert item["title"] == "[es] Call to action"
    assert item["date"] == "2026-09-01"
    assert {language["tag"] for language in item["languages"]} == {"en", "es", "ar"}
    assert item["updated_at"].endswith("Z")


def test_statement_lists_available_languages_with_urls(client, published):
    body = client.get("/api/v1/statements/call-to-action").json
    assert body["source_language"] == "en"
    by_tag = {language["tag"]: language for language in body["languages"]}
    assert set(by_tag) == {"ar", "en", "es"}
    assert by_tag["es"]["url"] == "http://portal.test/es/statements/call-to-action"
    assert by_tag["es"]["api_url"] == "http://portal.test/api/v1/statements/call-to-action/es"


def test_statement_text_in_one_language(client, published):
    body = client.get("/api/v1/statements/call-to-action/ar").json
    assert body["language"]["direction"] == "rtl"
    assert body["title"] == "[ar] Call to action"
    assert "<h2>" in body["body_html"] and "## " in body["body_markdown"]
    assert body["source_changed"] is False


def test_canonicalizes_the_language_tag(client, published):
    assert client.get("/api/v1/statements/call-to-action/AR").json["language"]["tag"] == "ar"


@pytest.mark.parametrize("url", [
    "/api/v1/statements/nope",
    "/api/v1/statements/call-to-action/fr",  # a target, but not published
    "/api/v1/statements/call-to-action/xx",  # not a language
    "/api/v1/statements?lang=de",  # a language, but not enabled
    "/api/v1/nothing-here",
])
def test_errors_are_json_with_status(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["detail"]


def test_bad_paging_is_a_json_400(client, published):
    response = client.get("/api/v1/statements?lang=en&page=0")
    assert response.status_code == 400 and response.json["error"]["status"] == 400


def test_embargoed_translation_is_absent(client, published, make):
    make.publish(published, ["fr"], release_at=utcnow() + timedelta(days=1))
    assert client.get("/api/v1/statements/call-to-action/fr").status_code == 404
    tags = {item["tag"] for item in client.get("/api/v1/statements/call-to-action").json[
        "languages"]}
    assert "fr" not in tags
