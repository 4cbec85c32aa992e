"""Forgery and flooding guards for the public forms, without any cookie.

Form tokens: each form carries a token signed with the app's secret (itsdangerous,
salted for public forms) that names the form's purpose (``subscribe`` or ``object``),
the publisher and, for objections, the engagement's public id, and records when it
was issued. A post whose token is missing, was made for another form or publisher,
fails its signature or is older than PUBLIC_FORM_TOKEN_MAX_AGE seconds (default two
hours) is refused with 400.

Rate limits: an in-memory moving window (the ``limits`` library) per client address (``request.remote_addr``;
put the app behind a proxy that sets it, e.g. werkzeug's ProxyFix) in two buckets:
``read`` for every public request (PUBLIC_READ_LIMIT, default 300 per 60 seconds)
and ``form`` for form posts (PUBLIC_FORM_LIMIT, default 10 per 600 seconds). Each
process counts on its own; the per-address subscription limit, which must hold
across processes, is durable (see ``services.subscriptions``).
"""

import time

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import RateLimitItemPerSecond, storage, strategies

from ..domain.errors import RateLimited, ValidationError

FORM_SALT = "registry.public.form"
DEFAULT_TOKEN_MAX_AGE = 2 * 3600
DEFAULT_LIMITS = {"read": (300, 60), "form": (10, 600)}


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
    max_age = int(current_app.config.get("PUBLIC_FORM_TOKEN_MAX_AGE", DEFAULT_TOKEN_MAX_AGE))
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


def new_limiter():
    """The per-process counter behind the client limits: the ``limits`` library's moving window.

    Its memory storage expires idle keys by itself, so many clients do not grow it forever.
    """
    return strategies.MovingWindowRateLimiter(storage.MemoryStorage())


def _limit(name):
    value = current_app.config.get(f"PUBLIC_{name.upper()}_LIMIT", DEFAULT_LIMITS[name])
    if isinstance(value, str):  # "10/600" from an environment variable
        count, _, seconds = value.partition("/")
        value = (int(count), int(seconds or 60))
    return int(value[0]), int(value[1])


def limiter():
    return current_app.extensions["registry.public.limiter"]


def rate_limit(bucket):
    """Count this request against the client's ``bucket``; RateLimited (429) when over."""
    count, window = _limit(bucket)
    client = request.remote_addr or "unknown"
    item = RateLimitItemPerSecond(count, window)
    counter = limiter()
    if not counter.hit(item, bucket, client):
        wait = max(int(counter.get_window_stats(item, bucket, client).reset_time - time.time()) + 1, 1)
        what = "form submissions" if bucket == "form" else "requests"
        raise RateLimited(f"too many {what} from your network: at most {count} in {_duration(window)}. "
                          f"Please wait {_duration(wait)} and try again.", retry_after=wait)


def _duration(seconds):
    if seconds >= 120:
        return f"{(seconds + 59) // 60} minutes"
    return f"{seconds} seconds"
