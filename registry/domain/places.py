"""Places where data is stored or accessed: a country or a region, as people write them.

A place is kept as written in one canonical spelling: an ISO 3166-1 alpha-2 code (``DE``)
or a region token (``EU``, ``EEA``, ``Worldwide``). Regions are not expanded here: which
countries the EU held on a given day is a fact of law, so the transfer knowledge base
(``registry/transfers/regions.yaml``) expands them on the assessment date.
``Worldwide`` means the countries are not known.

``parse_place`` also reads what vendor lists actually say: English country names and
their common forms ("USA", "United Kingdom", "UK"); names in other languages are not read.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import pycountry

from .errors import ValidationError

# Canonical token -> what it is. The knowledge base must define each (a test checks).
REGIONS = {
    "EU": "the European Union (its member states on the day of the assessment)",
    "EEA": "the European Economic Area (the EU states plus Iceland, Liechtenstein and Norway)",
    "Worldwide": "anywhere in the world: the countries are not known",
}
# Regions whose member countries are not known: an assessment can only say "unknown".
UNKNOWN_EXTENT = frozenset({"Worldwide"})

_REGION_ALIASES = {
    "eu": "EU", "e.u.": "EU", "european union": "EU", "eu member states": "EU",
    "eea": "EEA", "e.e.a.": "EEA", "european economic area": "EEA", "eu/eea": "EEA", "eea/eu": "EEA",
    "worldwide": "Worldwide", "global": "Worldwide", "world": "Worldwide", "world wide": "Worldwide",
    "globally": "Worldwide", "international": "Worldwide",
}
# Common forms that pycountry's names, official names and codes do not cover.
_COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "england and wales": "GB",
    "us": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
    "russia": "RU", "turkey": "TR", "turkiye": "TR", "korea": "KR", "republic of korea": "KR",
    "holland": "NL", "the netherlands": "NL", "ivory coast": "CI", "czech republic": "CZ",
    "vatican": "VA", "macau": "MO", "uae": "AE", "u.a.e.": "AE", "hong kong sar": "HK",
}


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip()).lower()


@lru_cache(maxsize=None)
def _names() -> dict[str, str]:
    """Every folded English name, official name and common name -> alpha-2, plus the aliases."""
    out = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                out[_fold(value)] = country.alpha_2
    out.update(_COUNTRY_ALIASES)
    return out


@lru_cache(maxsize=None)
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=None)
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def is_region(place) -> bool:
    """True when ``place`` is a canonical region token (``EU``, ``EEA``, ``Worldwide``)."""
    return place in REGIONS


def region_of(text: str) -> str | None:
    """The canonical region token ``text`` names (any case, common forms), or None."""
    if not isinstance(text, str):
        return None
    return _region_of(text)


# The places an import names are few and repeated thousands of times; bounded, as text
# from a request may be anything.
@lru_cache(maxsize=4096)
def _region_of(text: str) -> str | None:
    return _REGION_ALIASES.get(_fold(text))


def country_of(text: str) -> str | None:
    """The alpha-2 code ``text`` names (a code, an English name or a common form), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _country_of(text)


@lru_cache(maxsize=4096)
def _country_of(text: str) -> str | None:
    folded = _fold(text)
    upper = folded.upper()
    if len(upper) == 2 and upper in _alpha2():
        return upper
    if len(upper) == 3 and upper in _alpha3():
        return _alpha3()[upper]
    folded = folded.removeprefix("the ") if folded not in _names() else folded
    return _names().get(folded)


def close_matches(text: str, n: int = 3) -> list[str]:
    """Up to ``n`` known names or region tokens that look like ``text``, best first."""
    folded = _fold(text) if isinstance(text, str) else ""
    names = {**_names(), **{k.lower(): k for k in REGIONS}}
    hits = difflib.get_close_matches(folded, list(names), n=n * 3, cutoff=0.75)
    out = []
    for hit in hits:
        shown = hit if names[hit] in REGIONS else f"{_display(hit)} ({names[hit]})"
        if shown not in out:
            out.append(shown)
    return out[:n]


def _display(folded: str) -> str:
    return " ".join(part if part in ("of", "and", "the") else part.capitalize() for part in folded.split(" "))


def _unknown(text, field: str, what: str) -> ValidationError:
    near = close_matches(text)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    return ValidationError(f"{text!r} is not {what}{hint}", field=field)


def parse_place(text, field: str = "places") -> str:
    """The canonical place ``text`` names: an alpha-2 code or a region token.

    Accepts codes in any case, three-letter codes, English names and common forms
    ("USA", "UK", "Great Britain") and the regions (``EU``, ``EEA``, ``Worldwide``,
    also written "Global", "European Union", ...). Raises ValidationError naming
    ``field``, with close matches when there are some.
    """
    region = region_of(text)
    if region:
        return region
    code = country_of(text)
    if code:
        return code
    raise _unknown(text, field, "an ISO 3166-1 alpha-2 country code, a country name or a region (EU, EEA, Worldwide)")


def parse_country(text, field: str = "country") -> str:
    """The alpha-2 code ``text`` names; a region is refused (an entity is established in one country)."""
    if region_of(text):
        raise ValidationError(f"{text!r} is a region; {field} must be one country", field=field)
    code = country_of(text)
    if code:
        return code
    raise _unknown(text, field, "an ISO 3166-1 alpha-2 country code or an English country name")


def normalise_places(values, field: str = "places") -> list[str]:
    """Canonical places for ``values``, without repeats, in the given order."""
    seen: list[str] = []
    for value in values or []:
        place = parse_place(value, field)
        if place not in seen:
            seen.append(place)
    return seen


def place_name(place) -> str:
    """How a place is shown: a region as written, a country by its common English name."""
    if not place:
        return "unknown"
    if place in REGIONS:
        return place
    country = pycountry.countries.get(alpha_2=place.upper()) if len(place) == 2 else None
    if country is None:
        return place
    return getattr(country, "common_name", None) or country.name


def region_choices() -> list[tuple[str, str]]:
    """(token, description) for each region, for pickers."""
    return list(REGIONS.items())
