"""Error pages: HTML for people, JSON under /api/."""

from babel.units import format_unit
from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden, HTTPException, RequestEntityTooLarge, SecurityError

from portal.extensions import db
from portal.reader.negotiation import safe_next
from portal.workflow.errors import AlreadyDone, NotAllowed, WorkflowError


def _wants_json() -> bool:
    return (request.path.startswith("/api/") or request.is_json
            or request.accept_mimetypes.best == "application/json")


def _detail(error: HTTPException) -> str | None:
    """What the page says beyond its title: the portal's own explanation, when it gave one."""
    if getattr(error, "explained", False):  # portal.inputs.refuse
        return str(error.description)
    if isinstance(error, RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            size = format_unit(round(limit / 1_000_000, 1), "digital-megabyte", length="short",
                               locale=get_locale())
            return _("That is more than the portal accepts at once (%(size)s). Shorten the "
                     "text and send it again.", size=size)
        return _("That is more than the portal accepts at once. Shorten the text and send it "
                 "again.")
    return None


def register_error_handlers(app: Flask) -> None:
    """Render HTTP errors as a page, or as JSON for the API."""

    @app.errorhandler(SecurityError)
    def _untrusted_host(error: SecurityError):
        # No page can be built for a host the portal does not serve: no links, no templates.
        return "This host is not served here.\n", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code and 300 <= error.code < 400:
            return error
        if error.code and error.code >= 500:
            db.session.rollback()  # a failed flush would otherwise break the page too
        detail = _detail(error)
        if _wants_json():
            response = jsonify(error={"status": error.code, "title": error.name,
                                      "detail": detail or error.description})
            return response, error.code
        return render_template("errors/error.html", error=error, detail=detail), error.code

    @app.errorhandler(WorkflowError)
    def _refused(error: WorkflowError):
        """A refused transition: JSON for scripts, else a message on the page one came from."""
        if _wants_json():
            return jsonify(error={"status": error.status, "detail": str(error.message)}), \
                error.status
        back = request.form.get("back") or request.referrer or ""
        if back.startswith(request.host_url):
            back = "/" + back[len(request.host_url):]
        back = safe_next(back, url_for("desk.home"))
        if isinstance(error, NotAllowed):
            # A refusal of the person, not of the moment: 403, with the reason and a way back.
            return render_template("errors/error.html", error=Forbidden(),
                                   detail=str(error.message), back=back), 403
        # A repeat is not a failure: it is told what already happened, as information.
        flash(str(error.message), "info" if isinstance(error, AlreadyDone) else "error")
        return redirect(back, 303)
