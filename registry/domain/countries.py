"""ISO 3166-1 alpha-2 country codes, checked against pycountry's maintained list."""

from functools import lru_cache

import pycountry

from .errors import ValidationError


@lru_cache(maxsize=None)
def _alpha2():
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code):
    """True when ``code`` (any case) is an assigned ISO 3166-1 alpha-2 code."""
    return isinstance(code, str) and code.upper() in _alpha2()


def normalise_country(code, field="country"):
    """Return ``code`` upper-cased, or raise ValidationError naming ``field``."""
    if not is_country(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code", field=field)
    return code.upper()


def normalise_countries(codes, field="countries"):
    """Normalise a list of codes, dropping duplicates but keeping the given order."""
    seen = []
    for code in codes or []:
        code = normalise_country(code, field)
        if code not in seen:
            seen.append(code)
    return seen


def country_name(code):
    """The common English name for ``code``, or the code itself if unknown (or None)."""
    if not code:
        return "unknown"
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def country_choices():
    """(code, name) pairs sorted by name, for select fields."""
    return sorted(((c, country_name(c)) for c in _alpha2()), key=lambda pair: pair[1])
