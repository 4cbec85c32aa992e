"""The JSON API under /api/v1. Errors are JSON bodies: {"error": ..., "field": ...}."""

import functools

from flask import Blueprint, request
from flask_login import current_user

from ..domain.errors import Forbidden, ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_body():
    """The request's JSON object, or ValidationError saying why it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object (Content-Type: application/json)",
                              field="body")
    return data


def api_role(role):
    """Decorator: the caller needs ``role``; writes must authenticate with HTTP Basic."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            from ..auth import login_manager
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if request.method not in ("GET", "HEAD") and not request.authorization:
                # A browser session cookie must not authorise API writes (no CSRF token here).
                raise Forbidden("API writes need HTTP Basic credentials, not a browser session")
            if not current_user.can(role):
                raise Forbidden(f"this needs the {role} role")
            return view(*args, **kwargs)
        return wrapped
    return decorator


from . import graph, objects  # noqa: E402,F401  (registers routes)
