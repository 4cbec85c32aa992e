"""Country codes (ISO 3166-1 alpha-2, checked against pycountry's maintained list).

Where a country of establishment is meant, only a country will do; where data is stored
or accessed, a region is a place too (see ``places``).
"""

from functools import lru_cache

import pycountry

from .places import is_region, parse_country, place_name


@lru_cache(maxsize=None)
def _alpha2():
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code):
    """True when ``code`` (any case) is an assigned ISO 3166-1 alpha-2 code."""
    return isinstance(code, str) and code.upper() in _alpha2()


def normalise_country(code, field="country"):
    """The alpha-2 code for ``code`` (a code, an English name or a common form such as "UK").

    Raises ValidationError naming ``field`` otherwise, with close matches; a region
    (EU, EEA, Worldwide) is refused, since one country is meant.
    """
    return parse_country(code, field)


def normalise_countries(codes, field="countries"):
    """Normalise a list of countries, dropping duplicates but keeping the given order."""
    seen = []
    for code in codes or []:
        code = normalise_country(code, field)
        if code not in seen:
            seen.append(code)
    return seen


def country_name(code):
    """The common English name for ``code``; a region as written; "unknown" for None."""
    if not code:
        return "unknown"
    if is_region(code):
        return place_name(code)
    country = pycountry.countries.get(alpha_2=code.upper()) if isinstance(code, str) and len(code) == 2 else None
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def country_choices():
    """(code, name) pairs sorted by name, for select fields."""
    return sorted(((c, country_name(c)) for c in _alpha2()), key=lambda pair: pair[1])
