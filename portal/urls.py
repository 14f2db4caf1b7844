"""The portal's one canonical origin: absolute URLs come from PORTAL_URL, never from a request.

A request's Host header is chosen by whoever sends it. Links in e-mails (password resets),
canonical and hreflang links, feeds, sitemaps and the API are therefore built on the
configured origin, and requests naming any other host are refused (TRUSTED_HOSTS).
"""

import ipaddress
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from flask import current_app, g, url_for


def absolute_url(endpoint: str, **values) -> str:
    """An absolute URL for `endpoint` on the configured origin, inside a request or not."""
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)  # e.g. the reader's page language
    url = _origin_adapter().build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def links_to(endpoint: str, varying: str, absolute: bool = True) -> Callable[..., str]:
    """`absolute_url` (or `url_for`) for many links to `endpoint` that differ mostly in
    `varying` (a slug, an id).

    The URL is built once for each combination of the other values, around a marker, and
    each link puts its value in the marker's place: a sitemap file or an API page makes
    thousands of links, and building each one with the URL map took 40 % of its time.
    """
    around: dict[tuple, tuple[str, str]] = {}
    build = absolute_url if absolute else url_for

    def link(**values) -> str:
        value = values.pop(varying)
        key = tuple(sorted(values.items()))
        if key not in around:
            before, _, after = build(endpoint, **values, **{varying: _MARKER}) \
                .partition(str(_MARKER))
            around[key] = before, after
        before, after = around[key]
        return f"{before}{quote(str(value), safe=_PATH_SAFE)}{after}"

    return link


# A value every converter takes (digits make a valid slug and a valid id) and that no
# other part of a URL holds.
_MARKER = 918_273_645_546_372_819
_PATH_SAFE = "!$&'()*+,/:;=@"  # what werkzeug's path converters leave unquoted, as they do


def _origin_adapter():
    """A URL adapter bound to PORTAL_URL, made once per request (a sitemap builds thousands)."""
    if "origin_adapter" not in g:
        origin = urlsplit(current_app.config["PORTAL_URL"])
        g.origin_adapter = current_app.url_map.bind(
            origin.netloc, script_name=origin.path or "/", url_scheme=origin.scheme)
    return g.origin_adapter


def trusted_hosts(portal_url: str) -> list[str]:
    """The hosts requests may name: PORTAL_URL's, and localhost beside a loopback address."""
    host = urlsplit(portal_url).hostname or "localhost"
    hosts = [host]
    try:
        if ipaddress.ip_address(host).is_loopback:
            hosts.append("localhost")  # the demo is opened as localhost as often as 127.0.0.1
    except ValueError:
        pass
    return hosts
