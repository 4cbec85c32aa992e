"""Forgery and flooding guards for the public forms, without any cookie.

Form tokens: each form carries a token signed with the app's secret (itsdangerous,
salted for public forms) that names the form's purpose (``subscribe`` or ``object``),
the publisher and, for objections, the engagement's public id, and records when it
was issued. A post whose token is missing, was made for another form or publisher,
fails its signature or is older than PUBLIC_FORM_TOKEN_MAX_AGE seconds (default two
hours) is refused with 400.

Rate limits: counters per client address (``request.remote_addr``; put the app behind
a proxy that sets it, e.g. werkzeug's ProxyFix) in buckets: ``read`` for every public
request (PUBLIC_READ_LIMIT, default 300 per 60 seconds) and ``form`` for form posts
(PUBLIC_FORM_LIMIT, default 10 per 600 seconds); ``auth.py`` uses the same counters for
failed sign-ins. The counters live in shared storage, so they hold across worker
processes and restarts: by default the registry's own store (a table in the SQLite
file, nodes in Neo4j); with RATELIMIT_STORAGE_URI set (``redis://...``,
``memcached://...``) the ``limits`` library's storage at that address. A window opens
at a counter's first hit and lasts its number of seconds.
"""

import time
from typing import cast

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import storage

from ..domain.errors import RateLimited, ValidationError
from ..settings import DEFAULTS

FORM_SALT = "registry.public.form"


class InvalidFormToken(ValidationError):
    """The form's token is missing, forged, for another form, or expired (400)."""


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=FORM_SALT)


def issue_token(purpose, publisher, target=""):
    """A token for a form of ``purpose`` on ``publisher``'s page (``target``: the engagement id)."""
    return _serializer().dumps([purpose, publisher, target])


def check_token(token, purpose, publisher, target=""):
    """Accept ``token`` only for exactly this form; InvalidFormToken otherwise."""
    if not token:
        raise InvalidFormToken("this form was sent without its security token; reload the page and try again",
                               field="form_token")
    max_age = int(current_app.config.get("PUBLIC_FORM_TOKEN_MAX_AGE", DEFAULTS["PUBLIC_FORM_TOKEN_MAX_AGE"]))
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidFormToken("this form has expired; reload the page and send it again",
                               field="form_token") from None
    except BadSignature:
        data = None
    if data != [purpose, publisher, target]:
        raise InvalidFormToken("this form was not issued by this page; reload the page and try again",
                               field="form_token")


class StoreCounters:
    """Counters in the registry's store (the default): shared by every process on it."""

    def hit(self, name: str, window: int, amount: int = 1) -> tuple[int, float]:
        """Add ``amount`` hits to ``name``; (hits in its window, seconds until it ends)."""
        from ..db import get_store
        now = int(time.time() * 1000)
        hits, ends = get_store().hit_counter(name, window * 1000, now, amount)
        return hits, max(ends - now, 0) / 1000


class LimitsCounters:
    """Counters in the ``limits`` library's storage named by a URI (Redis, Memcached...)."""

    def __init__(self, uri: str):
        self.storage = storage.storage_from_string(uri)

    def hit(self, name: str, window: int, amount: int = 1) -> tuple[int, float]:
        """As StoreCounters.hit."""
        # cast: the storage classes are typed for their async variants too
        hits = cast(int, self.storage.incr(name, window, amount) if amount else self.storage.get(name))
        return hits, max(cast(float, self.storage.get_expiry(name)) - time.time(), 0)


def new_limiter(config=None):
    """The counters behind the client limits: RATELIMIT_STORAGE_URI's storage, or the store's."""
    uri = (config or {}).get("RATELIMIT_STORAGE_URI")
    return LimitsCounters(uri) if uri else StoreCounters()


def _limit(name):
    setting = f"PUBLIC_{name.upper()}_LIMIT"
    value = current_app.config.get(setting, DEFAULTS[setting])
    if isinstance(value, str):  # "10/600" from an environment variable
        count, _, seconds = value.partition("/")
        value = (int(count), int(seconds or 60))
    return int(value[0]), int(value[1])


def limiter():
    """The app's counters (see ``new_limiter``)."""
    app = current_app
    if "registry.public.limiter" not in app.extensions:
        app.extensions["registry.public.limiter"] = new_limiter(app.config)
    return app.extensions["registry.public.limiter"]


def over_limit(bucket: str, client: str, count: int, window: int, amount: int = 1) -> int | None:
    """Count ``amount`` hits of ``client`` in ``bucket``: None while within ``count`` per
    ``window`` seconds, else the seconds to wait."""
    hits, remaining = limiter().hit(f"{bucket}:{client}", window, amount)
    return max(int(remaining) + 1, 1) if hits > count else None


def rate_limit(bucket):
    """Count this request against the client's ``bucket``; RateLimited (429) when over."""
    count, window = _limit(bucket)
    wait = over_limit(bucket, request.remote_addr or "unknown", count, window)
    if wait:
        what = "form submissions" if bucket == "form" else "requests"
        raise RateLimited(f"too many {what} from your network: at most {count} in {_duration(window)}. "
                          f"Please wait {_duration(wait)} and try again.", retry_after=wait)


def _duration(seconds):
    if seconds >= 120:
        return f"{(seconds + 59) // 60} minutes"
    return f"{seconds} seconds"
