"""Read-only JSON for member organizations: languages, statements, texts.

Member organizations read the API and the Atom feeds from scripts on their own sites, so
both answer cross-origin requests (CORS) from any origin. A small hook rather than
Flask-CORS: the policy is one fixed set of headers on public, read-only resources (no
credentials, so no per-origin echo and no `Vary: Origin`), and it must also cover the
feeds of the reader blueprint and the API's own errors (a 404 for an unknown path is
answered before any blueprint is chosen), which an application-wide hook filtering on
the path expresses directly.
"""

from flask import Blueprint, Response, request

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The Atom feeds: the only cross-origin resources outside the API.
CORS_ENDPOINTS = {"reader.feed"}
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    # Readable by scripts beyond the CORS-safelisted response headers.
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
}
# A preflight's answer: what a script may send. If-None-Match and If-Modified-Since
# revalidate with the validators above; nothing is ever written through the API.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",  # a day; browsers cap it lower (Chromium: 2 hours)
}


def is_cross_origin_resource() -> bool:
    """The API (errors included) and the Atom feeds may be read from any origin."""
    return (request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")
            or request.endpoint in CORS_ENDPOINTS)


@bp.after_app_request
def _allow_cross_origin(response: Response) -> Response:
    if request.method not in ("GET", "HEAD", "OPTIONS") or not is_cross_origin_resource():
        return response
    response.headers.update(CORS_HEADERS)
    # Flask answers OPTIONS itself (with `Allow`); CSRFProtect checks only POST-like methods.
    if request.method == "OPTIONS" and 200 <= response.status_code < 300:
        response.headers.update(PREFLIGHT_HEADERS)
    return response


from portal.api import routes  # noqa: E402,F401  (routes attach themselves to bp)
