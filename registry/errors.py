"""Error pages for people and JSON errors for API clients; never a stack trace."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError

TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 429: "Too many requests",
          500: "Something went wrong", 503: "Service unavailable"}


def wants_json():
    """API paths and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status, message, body=None):
    """A JSON or HTML error response with ``status`` and a human message."""
    if wants_json():
        payload = {"error": message, "status": status}
        payload.update(body or {})
        return payload, status
    return render_template("error.html", status=status, title=TITLES.get(status, "Error"),
                           message=message), status


def init_app(app):
    @app.errorhandler(DomainError)
    def domain_error(exc):
        return error_response(exc.status, exc.message, exc.to_dict())

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return error_response(400, "The form has expired or was not sent from this site; "
                                   "reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return error_response(exc.code, exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "An unexpected error happened. It has been logged.")
