"""The one error stack: every failure becomes an HTML page or a JSON body; never a stack trace.

A request gets JSON when it is an API call (``/api/``), asks for a ``.json`` document,
or prefers JSON in its Accept header; otherwise an HTML page: the public area's own
page under ``/p/`` (no admin navigation, no cookie), the admin page elsewhere. The JSON
shape is the same everywhere: ``{"error": message, "status": N, "field": ...}``.
"""

from __future__ import annotations

from typing import cast

from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError

TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 429: "Too many requests",
          500: "Something went wrong", 503: "Service unavailable"}
PUBLIC_PREFIX = "/p/"


def is_public_path(path: str) -> bool:
    """Whether ``path`` belongs to the public pages (no login, no cookies)."""
    return path == PUBLIC_PREFIX[:-1] or path.startswith(PUBLIC_PREFIX)


def wants_json() -> bool:
    """API paths, ``.json`` documents and clients that prefer JSON get JSON errors."""
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] if message else message


def error_response(status: int, message: str, body: dict | None = None,
                   retry_after: int | None = None) -> Response:
    """A JSON or HTML error response with ``status`` and a message fit to show a person."""
    if is_public_path(request.path):
        message = _sentence(message)  # the public pages speak to customers in sentences
    if wants_json():
        payload = {"error": message, "status": status}
        payload.update({k: v for k, v in (body or {}).items() if k != "error" and v is not None})
        response = cast(Response, current_app.json.response(payload))
    else:
        template = "public/error.html" if is_public_path(request.path) else "error.html"
        response = current_app.response_class(render_template(
            template, status=status, title=TITLES.get(status, "Error"), message=message), mimetype="text/html")
    response.status_code = status
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def init_app(app: Flask) -> None:
    """Register the handlers for domain errors, CSRF failures, HTTP errors and the rest."""
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.message, exc.to_dict(), exc.details.get("retry_after"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Response:
        return error_response(400, "The form has expired or was not sent from this site; "
                                   "reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return error_response(exc.code or 500, exc.description or TITLES.get(exc.code or 500, "Error"))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "An unexpected error happened. It has been logged.")
