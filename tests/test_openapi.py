"""The OpenAPI document is the API's contract: every route's real answers match it.

The document's schemas are JSON Schema 2020-12 (OpenAPI 3.1). Here every object schema is
made closed (no undocumented property), so a field added to a route without adding it to
the document fails, as does a documented field that a route stops returning (`required`).
"""

import json
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import portal.api.routes
from portal.inputs import MAX_PAGE
from portal.workflow.statements import new_source_revision

DOCUMENT_URI = "urn:statement-portal:openapi"
PREFIX = "/api/v1"
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PACKAGED = Path(portal.api.routes.__file__).with_name("openapi.json")

BODY = """Migrant workers keep whole economies running, yet their rights stop at the border.

## Our demands

1. **Decent work** at home, so that leaving is a choice.
2. An end to *deportations* and detention of workers and their children.

> We are workers, not commodities.

Read the [full platform](https://example.org/platform) and join the actions on 18
December."""


@pytest.fixture
def document():
    with PACKAGED.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def realistic(make, db):
    """A statement as one is published: source, translations (one right to left), a newer
    source with a translation behind it, a language not published, and another statement."""
    statement = make.statement(
        slug="international-migrants-day-2026", targets=["es", "ar", "fr", "pt-BR"],
        title="International Migrants Day: rights without borders",
        summary="On 18 December, member organizations call for decent work and an end to "
                "deportations.", body=BODY, statement_date=date(2026, 12, 18))
    make.publish(statement, ["es", "ar"])
    new_source_revision(statement, None, "International Migrants Day: rights without borders",
                        "A revised summary.", BODY + "\n\nSigned by 40 organizations.")
    db.session.commit()
    make.publish(statement, ["fr"])  # fr of the new source; es and ar are behind it now
    older = make.statement(slug="domestic-workers-convention", targets=["es"],
                           title="Ratify the domestic workers convention",
                           statement_date=date(2026, 6, 16))
    make.publish(older, ["es"])
    make.language("de")  # enabled, with nothing published
    return statement


# (url, status) for every documented answer of every route; 304s are made from each 200.
SLUG = "international-migrants-day-2026"
CASES = [
    ("/api/v1/languages", 200),
    ("/api/v1/languages?x=%01", 400),
    ("/api/v1/statements", 200),  # the default language
    ("/api/v1/statements?lang=es", 200),
    ("/api/v1/statements?lang=es&per_page=1", 200),  # first of two pages
    ("/api/v1/statements?lang=es&page=2&per_page=1", 200),  # the last page
    ("/api/v1/statements?lang=de", 200),  # an enabled language without statements
    ("/api/v1/statements?lang=es&per_page=abc", 400),
    ("/api/v1/statements?lang=es&per_page=101", 400),
    ("/api/v1/statements?lang=es&page=0", 400),
    ("/api/v1/statements?lang=es&page=3&per_page=1", 404),  # past the last page
    ("/api/v1/statements?lang=xx-nonsense", 404),
    ("/api/v1/statements?lang=it", 404),  # a language, but not enabled
    (f"/api/v1/statements/{SLUG}", 200),
    ("/api/v1/statements/no-such-statement", 404),
    ("/api/v1/statements/no%01such", 400),
    (f"/api/v1/statements/{SLUG}/en", 200),  # the source
    (f"/api/v1/statements/{SLUG}/ar", 200),  # right to left, behind the source
    (f"/api/v1/statements/{SLUG}/fr", 200),  # of the current source
    (f"/api/v1/statements/{SLUG}/PT-br", 404),  # a target, not published
    (f"/api/v1/statements/{SLUG}/zz", 404),
    (f"/api/v1/statements/{SLUG}/e%01s", 400),
    ("/api/v1/openapi.json", 200),
]


def _resolve(document: dict, item: dict) -> dict:
    """A Reference Object's target (OpenAPI references within the document)."""
    while "$ref" in item:
        node = document
        for part in item["$ref"].removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        item = node
    return item


def _closed(schema):
    """The schema with every object that lists properties closed to any other property."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if "properties" in schema:
            closed.setdefault("additionalProperties", False)
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def _format_checker(origin: str) -> FormatChecker:
    checker = FormatChecker()  # every known format, on a registry of this instance's own
    # Without the optional packages jsonschema would pass any string as uri or date-time.
    checker.checks("uri")(lambda value: not isinstance(value, str)
                          or value.startswith(origin + "/"))
    checker.checks("date-time", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value)))
    checker.checks("date", raises=ValueError)(
        lambda value: not isinstance(value, str) or bool(date.fromisoformat(value)))
    return checker


def _validator(document: dict, schema: dict, origin: str) -> Draft202012Validator:
    strict = _closed(document)
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource(contents=strict, specification=DRAFT202012))
    # Resolve the schema's references against the whole document (components/schemas/…).
    root = {"$ref": DOCUMENT_URI + schema["$ref"]} if "$ref" in schema else _closed(schema)
    return Draft202012Validator(root, registry=registry, format_checker=_format_checker(origin))


def _template(path: str) -> str:
    """The document's path for a Flask rule: /api/v1/statements/<slug> → /statements/{slug}."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", path.removeprefix(PREFIX))


def _operation_path(document: dict, url_path: str) -> str:
    """The document's path template that an actual request path matches."""
    relative = url_path.removeprefix(PREFIX)
    for template in document["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, relative):
            return template
    raise AssertionError(f"{url_path} matches no path of the document")


def _check_answer(document: dict, response, url: str, status: int, origin: str) -> None:
    path = _operation_path(document, urlsplit(url).path)
    answer = _resolve(document, document["paths"][path]["get"]["responses"][str(status)])
    for name, header in answer.get("headers", {}).items():
        header = _resolve(document, header)
        if header.get("required"):
            assert name in response.headers, f"{url}: no {name} header"
        if name in response.headers:
            errors = list(_validator(document, header["schema"], origin)
                          .iter_errors(response.headers[name]))
            assert not errors, f"{url}: header {name}: {errors[0].message}"
    content = answer.get("content")
    if content is None:
        assert response.data == b"", f"{url}: a body where the document says none"
        return
    assert response.mimetype in content, f"{url}: {response.mimetype} is not documented"
    schema = content[response.mimetype]["schema"]
    errors = sorted(_validator(document, schema, origin).iter_errors(response.get_json()),
                    key=lambda error: list(error.absolute_path))
    assert not errors, f"{url} ({status}): " + "; ".join(
        f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
        for error in errors[:5])


@pytest.mark.parametrize(("url", "status"), CASES, ids=[f"{status}-{url}" for url, status
                                                        in CASES])
def test_answers_match_the_document(app, client, realistic, document, url, status):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    origin = app.config["PORTAL_URL"]
    _check_answer(document, response, url, status, origin)
    if status == 200:  # a revalidation of the same answer
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        _check_answer(document, again, url, 304, origin)


def test_the_realistic_answers_hold_what_they_should(client, realistic):
    """The cases above are worth validating: they carry the content they are meant to."""
    text = client.get(f"/api/v1/statements/{SLUG}/ar").json
    assert text["language"]["direction"] == "rtl" and text["source_changed"] is True
    assert "<ol>" in text["body_html"] and "<blockquote>" in text["body_html"]
    assert client.get(f"/api/v1/statements/{SLUG}/fr").json["source_changed"] is False
    listing = client.get("/api/v1/statements?lang=es&per_page=1").json
    assert set(listing["links"]) == {"self", "first", "next", "last"}
    last = client.get("/api/v1/statements?lang=es&page=2&per_page=1").json
    assert set(last["links"]) == {"self", "first", "prev", "last"}
    assert {item["tag"] for item in client.get(f"/api/v1/statements/{SLUG}").json[
        "languages"]} == {"ar", "en", "es", "fr"}


def test_every_documented_answer_is_checked_against_a_real_response(document):
    """Each status the document gives a route is among CASES (304s come with each 200)."""
    documented = {(path, status) for path, item in document["paths"].items()
                  for method, operation in item.items() if method in METHODS
                  for status in operation["responses"]}
    checked = {(_operation_path(document, urlsplit(url).path), str(status))
               for url, status in CASES}
    checked |= {(path, "304") for path, status in checked if status == "200"}
    assert documented == checked


def _api_rules(app) -> dict[str, set[str]]:
    return {_template(rule.rule): {method.lower() for method in rule.methods
                                   - {"HEAD", "OPTIONS"}}
            for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")}


def test_every_route_is_in_the_document_and_every_path_is_a_route(app, document):
    documented = {path: {method for method in item if method in METHODS}
                  for path, item in document["paths"].items()}
    assert documented == _api_rules(app)


def test_parameters_are_the_routes_and_the_codes_limits(app, document):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        operation = document["paths"][_template(rule.rule)]["get"]
        parameters = [_resolve(document, parameter) for parameter in operation["parameters"]]
        assert {p["name"] for p in parameters if p["in"] == "path"} == set(rule.arguments)
        assert all(p["required"] for p in parameters if p["in"] == "path")
    listing = document["paths"]["/statements"]["get"]
    query = {p["name"]: p for p in (_resolve(document, parameter)
                                    for parameter in listing["parameters"])
             if p["in"] == "query"}
    assert set(query) == {"lang", "page", "per_page"}
    assert query["per_page"]["schema"]["maximum"] == portal.api.routes.MAX_PER_PAGE
    assert query["per_page"]["schema"]["default"] == portal.api.routes.DEFAULT_PER_PAGE
    assert query["page"]["schema"]["maximum"] == MAX_PAGE
    statement_list = document["components"]["schemas"]["StatementList"]["properties"]
    assert statement_list["per_page"]["maximum"] == portal.api.routes.MAX_PER_PAGE


def test_the_document_is_well_formed(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    # Every reference points at something, and every component is used.
    text = json.dumps(document)
    for target in set(re.findall(r'"\$ref": "([^"]+)"', text)):
        assert _resolve(document, {"$ref": target}), target
    for kind, components in document["components"].items():
        for name in components:
            assert f'"#/components/{kind}/{name}"' in text, f"unused: {kind}/{name}"
    operation_ids = [operation["operationId"] for item in document["paths"].values()
                     for method, operation in item.items() if method in METHODS]
    assert len(operation_ids) == len(set(operation_ids))


def test_served_document_is_the_packaged_one_on_the_portal_origin(client, document):
    response = client.get("/api/v1/openapi.json", headers={"Host": "portal.test"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    served = response.json
    assert served["servers"][0]["url"] == "http://portal.test/api/v1"
    assert {**served, "servers": document["servers"]} == document


def test_the_document_ships_with_the_package():
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["setuptools"]["package-data"]["portal"]
    assert str(PACKAGED.relative_to(Path(portal.api.routes.__file__).parent.parent)) in shipped
