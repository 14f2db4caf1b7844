"""Error pages: HTML for people, JSON under /api/."""

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, SecurityError

from portal.reader.negotiation import safe_next
from portal.workflow.errors import AlreadyDone, WorkflowError


def _wants_json() -> bool:
    return (request.path.startswith("/api/") or request.is_json
            or request.accept_mimetypes.best == "application/json")


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
        if _wants_json():
            response = jsonify(error={"status": error.code, "title": error.name,
                                      "detail": error.description})
            return response, error.code
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(WorkflowError)
    def _refused(error: WorkflowError):
        """A refused transition: JSON for scripts, else a message on the page one came from."""
        if _wants_json():
            return jsonify(error={"status": error.status, "detail": str(error.message)}), \
                error.status
        # A repeat is not a failure: it is told what already happened, as information.
        flash(str(error.message), "info" if isinstance(error, AlreadyDone) else "error")
        back = request.form.get("back") or request.referrer or ""
        if back.startswith(request.host_url):
            back = "/" + back[len(request.host_url):]
        return redirect(safe_next(back, url_for("desk.home")), 303)
