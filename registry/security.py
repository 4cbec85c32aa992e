"""Browser-side defences of the signed-in areas: a Content-Security-Policy and link filters.

Every response outside the public pages (which set their own, stricter policy) gets a
CSP that lets scripts run only from this origin or with the request's nonce, so a
``javascript:`` link or injected markup cannot run script in the admin origin.
Templates render stored URLs only through the ``safe_link`` filter and mark the inline
script of a chart with ``with_nonce``.
"""

import re
import secrets

from flask import g, request
from markupsafe import Markup

from .domain.links import safe_link

ADMIN_CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
             "form-action 'self'; frame-ancestors 'none'")
ADMIN_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
_SCRIPT_TAG_RE = re.compile(r"<script(?=[\s>])")


def csp_nonce() -> str:
    """This request's script nonce (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def with_nonce(html: str) -> Markup:
    """Trusted HTML (a chart made by the app) with this request's nonce on each ``<script>``."""
    return Markup(_SCRIPT_TAG_RE.sub(f'<script nonce="{csp_nonce()}"', str(html)))


def _add_headers(response):
    if request.path == "/p" or request.path.startswith("/p/"):
        return response  # the public blueprint sets its own policy
    response.headers.setdefault("Content-Security-Policy", ADMIN_CSP.format(nonce=csp_nonce()))
    for name, value in ADMIN_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app):
    app.after_request(_add_headers)
    app.jinja_env.filters["safe_link"] = safe_link
    app.jinja_env.filters["with_nonce"] = with_nonce
    app.jinja_env.globals["csp_nonce"] = csp_nonce
