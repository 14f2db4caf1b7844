"""Every response is hardened: CSP without inline code, no framing, no sniffing, HSTS on HTTPS."""

import re

import pytest

from portal.content import render_markdown
from portal.models import Role

PAGES = ["/en/", "/account/login", "/en/feed.atom", "/api/v1/languages", "/sitemap.xml",
         "/en/no-such-page"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_hardening_headers(client, make, path):
    make.language("en")
    headers = client.get(path).headers
    policy = dict(part.strip().split(" ", 1) for part in
                  headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'" and headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored


def test_hsts_over_https(client, make):
    make.language("en")
    response = client.get("/en/", base_url="https://portal.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_cookie_is_http_only_and_same_site(client, make, auth):
    response = auth.login(make.user(translates=["es"]))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _inline_code(html: str) -> list[str]:
    """Inline scripts, style elements, style and on* attributes: what the CSP would block."""
    return (re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) + re.findall(r"<style", html)
            + re.findall(r"\sstyle=\"", html) + re.findall(r"\son[a-z]+=", html))


def test_no_page_relies_on_inline_script_or_style(client, make, auth):
    """The policy breaks nothing: pages of every area have no inline code to block."""
    statement = make.statement(slug="tables", targets=["es"],
                               body="| a | b |\n|:-|-:|\n| 1 | 2 |\n\nText.")
    make.publish(statement, ["es"])
    auth.login(make.user(role=Role.COORDINATOR, translates=["es"], reviews=["es"]))
    for path in ["/en/", "/en/statements/tables", "/es/statements/tables", "/desk/",
                 "/desk/queue", "/coordinate/", "/coordinate/progress",
                 f"/coordinate/statements/{statement.id}/edit",
                 f"/coordinate/statements/{statement.id}/release", "/coordinate/people",
                 "/account/profile"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _inline_code(response.get_data(as_text=True)) == [], path


def test_table_alignment_survives_as_a_class():
    html = str(render_markdown("| a | b | c |\n|:-|-:|:-:|\n| 1 | 2 | 3 |"))
    assert 'class="align-left"' in html and 'class="align-right"' in html
    assert 'class="align-center"' in html and "style=" not in html
