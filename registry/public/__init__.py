"""Public sub-processor pages under /p/: no login, no cookies, nothing from other hosts.

``bp`` holds the public pages, feeds, policy text and the subscription and objection
forms; ``admin_bp`` holds the DPO's list of objections (/admin/objections). Every
response under /p/ gets security headers, and any change a request made to the
session is dropped so that no public response sets a cookie. Public forms carry
their own signed token (see ``guard``), so the app's cookie-based CSRF check is not
used for this blueprint.
"""

from flask import Blueprint, current_app, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError
from .guard import new_limiter, rate_limit

bp = Blueprint("public", __name__, url_prefix="/p", static_folder="static", static_url_path="/static")
admin_bp = Blueprint("objections_admin", __name__)

PREFIX = "/p/"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def is_public_path(path):
    return path == PREFIX[:-1] or path.startswith(PREFIX)


def wants_json_reply():
    """Machine clients: .json URLs, or a request that prefers JSON to HTML."""
    if request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def external_url(endpoint, **values):
    """An absolute URL for ``endpoint``, on PUBLIC_BASE_URL when it is configured."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def error_reply(status, message, retry_after=None):
    """A public error page (or JSON body) with ``status``; never a stack trace."""
    if wants_json_reply():
        response = current_app.response_class(
            current_app.json.dumps({"error": message, "status": status}), status=status, mimetype="application/json")
    else:
        from ..errors import TITLES
        response = current_app.make_response((render_template(
            "public/error.html", status=status, title=TITLES.get(status, "Error"), message=message), status))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.record_once
def _setup(state):
    state.app.extensions.setdefault("registry.public.limiter", new_limiter())


@bp.before_request
def _count_request():
    rate_limit("read")


@bp.after_app_request
def _public_headers(response):
    if not is_public_path(request.path):
        return response
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Public pages promise not to set cookies: whatever touched the session is not saved.
    session.modified = False
    return response


@bp.errorhandler(DomainError)
def _domain_error(exc):
    return error_reply(exc.status, _sentence(exc.message), exc.details.get("retry_after"))


@bp.errorhandler(HTTPException)
def _http_error(exc):
    return error_reply(exc.code, exc.description)


@bp.errorhandler(Exception)
def _unexpected(exc):
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_reply(500, "An unexpected error happened. It has been logged.")


def _sentence(message):
    return message[:1].upper() + message[1:] if message else message


from . import admin_views, feeds, views  # noqa: E402,F401  (register routes)
