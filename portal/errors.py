"""Error pages: HTML for people, JSON under /api/."""

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    """Render HTTP errors as a page, or as JSON for the API."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code and 300 <= error.code < 400:
            return error
        if _wants_json():
            response = jsonify(error={"status": error.code, "title": error.name,
                                      "detail": error.description})
            return response, error.code
        return render_template("errors/error.html", error=error), error.code
