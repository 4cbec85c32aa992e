"""Which URLs the registry accepts and renders as links: http, https and mailto only.

A ``javascript:`` or ``data:`` URL in an organisation's website or a safeguard's evidence
link would run script in the admin origin when clicked, so input with any other scheme
is refused (``check_link``) and templates render a value as a link only through the
``safe_link`` filter, which says no to anything else, including values stored before
this rule existed.
"""

import re
from urllib.parse import urlsplit

from .errors import ValidationError

LINK_SCHEMES = ("http", "https", "mailto")
_SCHEME_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers ignore these inside a scheme ("java\tscript:"), so they never appear in a link we render.
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def safe_link(value: object) -> str | None:
    """``value`` when it is an http(s) URL with a host or a mailto address, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _INVISIBLE_RE.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() == "mailto":
        return text if len(text) > len("mailto:") else None
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return text
    return None


def check_link(value: str, field: str, plain_text_allowed: bool = False) -> str:
    """``value`` stripped, or ValidationError naming ``field`` if it is a URL of another scheme.

    With ``plain_text_allowed`` a value without any scheme (a document's name) passes.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if plain_text_allowed and not _SCHEME_RE.match(text):
        return text
    if safe_link(text) is None:
        raise ValidationError(f"{field} must be an http://, https:// or mailto: link", field=field)
    return text
