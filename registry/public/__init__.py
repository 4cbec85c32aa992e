"""Public sub-processor pages under /p/: no login, no cookies, nothing from other hosts.

``bp`` holds the public pages, feeds, policy text and the subscription and objection
forms (the DPO's objections are in ``registry.admin.objections``). Every
response under /p/ gets security headers, and any change a request made to the
session is dropped so that no public response sets a cookie. Public forms carry
their own signed token (see ``guard``), so the app's cookie-based CSRF check is not
used for this blueprint.
"""

from flask import Blueprint, current_app, request, session, url_for

from ..errors import is_public_path, wants_json
from .guard import new_limiter, rate_limit

bp = Blueprint("public", __name__, url_prefix="/p", static_folder="static", static_url_path="/static")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def wants_json_reply():
    """Machine clients: .json URLs, or a request that prefers JSON to HTML."""
    return wants_json()


def external_url(endpoint, **values):
    """An absolute URL for ``endpoint`` on PUBLIC_BASE_URL (``http://localhost`` when unset).

    Never built from the request's Host header, which the client chooses.
    """
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
    return base.rstrip("/") + url_for(endpoint, **values)


@bp.record_once
def _setup(state):
    state.app.extensions.setdefault("registry.public.limiter", new_limiter(state.app.config))


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


from . import feeds, views  # noqa: E402,F401  (register routes)
