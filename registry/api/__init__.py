"""The JSON API under /api/v1. Errors are JSON bodies: {"error": ..., "field": ...}."""

import functools

from flask import Blueprint, g, request
from flask_login import current_user

from ..domain.errors import Forbidden, ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_body():
    """The request's JSON object, or ValidationError saying why it is not one.

    A document nested deeper than Python's parser can follow is refused as malformed.
    """
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise ValidationError("the request body is nested too deeply", field="body") from None
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object (Content-Type: application/json)",
                              field="body")
    return data


def api_role(role):
    """Decorator: the caller needs ``role``; writes must send credentials in the
    Authorization header (HTTP Basic or an API token), never rely on a cookie."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            from ..auth import login_manager
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if request.method not in ("GET", "HEAD") and not g.get("api_credentials"):
                # A browser session cookie must not authorise API writes (no CSRF token here).
                raise Forbidden("API writes need HTTP Basic credentials or an API token, not a browser session")
            if not current_user.can(role):
                raise Forbidden(f"this needs the {role} role")
            return view(*args, **kwargs)
        return wrapped
    return decorator


from . import graph, objects, openapi  # noqa: E402,F401  (registers routes)
