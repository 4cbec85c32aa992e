"""Signed, time-limited tokens for mailed links (itsdangerous): whoever holds the link may act.

A token names one record (its key) and the address it was mailed to; a salt per
purpose keeps a confirmation token from working as an unsubscribe token.
"""

from __future__ import annotations

from collections.abc import Mapping

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import ValidationError


def make_token(config: Mapping, salt: str, key: str, email: str) -> str:
    """A token naming record ``key`` mailed to ``email``, for ``salt``'s purpose."""
    return URLSafeTimedSerializer(config["SECRET_KEY"], salt=salt).dumps({"k": key, "e": email})


def read_token(config: Mapping, salt: str, token: str, max_age: int | None = None,
               expired: str = "this link has expired") -> tuple[str, str]:
    """(key, email) from a token made by ``make_token``; ValidationError (field ``token``) if
    forged, made for another purpose, or older than ``max_age`` seconds."""
    invalid = "this link is not valid: copy the whole link from the email"
    try:
        data = URLSafeTimedSerializer(config["SECRET_KEY"], salt=salt).loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise ValidationError(expired, field="token") from None
    except BadSignature:
        raise ValidationError(invalid, field="token") from None
    if not isinstance(data, dict) or not data.get("k") or not data.get("e"):
        raise ValidationError(invalid, field="token")
    return data["k"], data["e"]
