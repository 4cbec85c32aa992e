"""Parse and check the JSON description of one hop before it is assessed.

Everything the assessment reads is checked here, so ``assess_hop`` can trust its input.
Every error is a ``ValidationError`` whose ``field`` is the dotted path of the culprit,
with list positions in brackets (``importer.stores_in[1]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import pycountry

from registry.domain.codes import check_code
from registry.domain.errors import ValidationError
from registry.domain.places import region_of
from registry.transfers.knowledge import FLAGS, ROLES, KnowledgeBase, load_knowledge_base

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*(:[a-z0-9-]+)?$")
_CATEGORY = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*$")
_TOP_KEYS = ("on", "exporter", "importer", "subjects", "categories", "flags", "individuals_per_year",
             "safeguards", "regimes", "collected_in")


@dataclass(frozen=True)
class Exporter:
    """The organisation sending the data; ``country`` is None when the registry lacks it."""
    country: str | None
    role: str
    certifications: tuple[str, ...] = ()


@dataclass(frozen=True)
class Importer:
    """The organisation receiving the data. ``country`` None means not yet known.

    ``stores_in`` and ``accesses_from`` are places as written: countries or regions
    (``EU``, ``EEA``, ``Worldwide``). The assessment expands the regions on its date into
    countries, and moves the places whose countries are not known into ``vague_stores``
    and ``vague_access``.
    """
    country: str | None
    role: str
    certifications: tuple[str, ...] = ()
    stores_in: tuple[str, ...] = ()
    accesses_from: tuple[str, ...] = ()
    vague_stores: tuple[str, ...] = ()
    vague_access: tuple[str, ...] = ()

    @property
    def vague(self) -> tuple[str, ...]:
        """Places named whose countries are not known (``Worldwide``), without repeats."""
        return tuple(dict.fromkeys(self.vague_stores + self.vague_access))

    @property
    def locations(self) -> tuple[str, ...]:
        """Every country where the importer stores or accesses the data, without repeats."""
        return tuple(dict.fromkeys(self.stores_in + self.accesses_from))

    @property
    def location_known(self) -> bool:
        """False when nothing says where the importer keeps the data.

        A known importer with no store country but some access countries only reaches the
        data remotely; an unknown importer without store countries is simply unknown.
        """
        return bool(self.stores_in) or (self.country is not None and bool(self.accesses_from or self.vague_access))


@dataclass(frozen=True)
class Subjects:
    """Where the data subjects live and which citizenships they hold (either may be empty)."""
    residence: tuple[str, ...] = ()
    citizenship: tuple[str, ...] = ()


@dataclass(frozen=True)
class HopRequest:
    """One hop of personal data between two organisations, as of the date ``on``."""
    on: date
    exporter: Exporter
    importer: Importer
    subjects: Subjects
    categories: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    individuals_per_year: int | None = None
    safeguards: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()
    # Where the data on this hop was collected (the collectors' countries); empty: not
    # recorded, read as where the exporter is established (``collected_in_countries``).
    collected_in: tuple[str, ...] = ()

    def collected_in_countries(self) -> tuple[str, ...]:
        """``collected_in``, or the exporter's country when that is not recorded.

        The exporter's country is the stricter reading for the rules that ask: an EU
        processor returning data to its controller owes a TIA only when it adds data
        collected in the EU (SCC Clause 14, footnote), so without the fact it is owed.
        """
        if self.collected_in:
            return self.collected_in
        return (self.exporter.country,) if self.exporter.country else ()


def parse_hop_request(data: dict, today: date, kb: KnowledgeBase | None = None) -> HopRequest:
    """Turn the JSON body of a hop assessment into a ``HopRequest``.

    ``on`` defaults to ``today``; ``importer.stores_in`` defaults to the importer's country
    (or to nothing when that country is unknown). Regime ids listed under ``regimes`` are
    checked against ``kb`` (the packaged knowledge base when None, loaded only if needed).
    Raises ``ValidationError`` with ``field`` set to the dotted path of the bad value.
    """
    _mapping(data, None, _TOP_KEYS, ("exporter", "importer"))
    exporter_data = _mapping(data["exporter"], "exporter", ("country", "role", "certifications"), ("role",))
    exporter = Exporter(
        # null means the registry does not know where the exporter is established
        country=None if exporter_data.get("country") is None else _country(exporter_data["country"],
                                                                           "exporter.country"),
        role=_role(exporter_data["role"], "exporter.role"),
        certifications=_codes(exporter_data.get("certifications"), "exporter.certifications"),
    )
    importer = _importer(data["importer"])
    subjects_data = _mapping(data.get("subjects") or {}, "subjects", ("residence", "citizenship"))
    subjects = Subjects(
        residence=_countries(subjects_data.get("residence"), "subjects.residence"),
        citizenship=_countries(subjects_data.get("citizenship"), "subjects.citizenship"),
    )
    return HopRequest(
        on=_on(data.get("on"), today),
        exporter=exporter,
        importer=importer,
        subjects=subjects,
        categories=_categories(data.get("categories")),
        flags=_flags(data.get("flags")),
        individuals_per_year=_individuals(data.get("individuals_per_year")),
        safeguards=_codes(data.get("safeguards"), "safeguards"),
        regimes=_regimes(data.get("regimes"), kb),
        collected_in=_countries(data.get("collected_in"), "collected_in"),
    )


def _importer(value) -> Importer:
    keys = ("country", "role", "certifications", "stores_in", "accesses_from")
    data = _mapping(value, "importer", keys, ("role",))
    country = None if data.get("country") is None else _country(data["country"], "importer.country")
    stores_in = data.get("stores_in")
    if stores_in is None:
        stores_in = (country,) if country else ()
    else:
        stores_in = _places(stores_in, "importer.stores_in")
    accesses_from = _places(data.get("accesses_from"), "importer.accesses_from")
    if country and not stores_in and not accesses_from:
        # A recipient with a known seat handles the data somewhere; an empty list here is a
        # slip rather than a fact, and silently reading it as "unknown" would hide it.
        raise ValidationError("Say where the importer stores or accesses the data.", field="importer.stores_in")
    return Importer(
        country=country,
        role=_role(data["role"], "importer.role"),
        certifications=_codes(data.get("certifications"), "importer.certifications"),
        stores_in=stores_in,
        accesses_from=accesses_from,
    )


def _mapping(value, field: str | None, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise ValidationError("Expected an object.", field=field)
    for key in value:
        if key not in allowed:
            path = f"{field}.{key}" if field else str(key)
            raise ValidationError(f"Unknown field {key!r}.", field=path)
    for key in required:
        if value.get(key) is None:
            path = f"{field}.{key}" if field else key
            raise ValidationError("This field is required.", field=path)
    return value


def _country(value, field: str) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha():
        raise ValidationError("Expected a two-letter ISO 3166-1 country code.", field=field)
    code = value.upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValidationError(f"{value!r} is not an ISO 3166-1 alpha-2 country code.", field=field)
    return code


def _list(value, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError("Expected a list.", field=field)
    return value


def _countries(value, field: str) -> tuple[str, ...]:
    codes = [_country(item, f"{field}[{i}]") for i, item in enumerate(_list(value, field))]
    return tuple(dict.fromkeys(codes))


def _places(value, field: str) -> tuple[str, ...]:
    """Countries or region tokens; a region is kept as written (canonical spelling)."""
    places = []
    for i, item in enumerate(_list(value, field)):
        try:
            places.append(region_of(item) or _country(item, f"{field}[{i}]"))
        except ValidationError as exc:
            raise ValidationError(exc.message.rstrip(".") + ", or a region (EU, EEA, Worldwide).",
                                  field=exc.field) from None
    return tuple(dict.fromkeys(places))


def _role(value, field: str) -> str:
    if value not in ROLES:
        raise ValidationError(f"Role must be one of {', '.join(ROLES)}.", field=field)
    return value


def _codes(value, field: str) -> tuple[str, ...]:
    """Codes from the one vocabulary: safeguards under ``safeguards``, else certifications."""
    items = _list(value, field)
    kind = "safeguards" if field == "safeguards" else "certifications"
    for i, item in enumerate(items):
        if not isinstance(item, str) or not _CODE.match(item):
            raise ValidationError(f"{item!r} is not a code such as 'scc:2' or 'dpf-eu'.", field=f"{field}[{i}]")
        check_code(item, kind, f"{field}[{i}]")  # a code the assessment would ignore is refused
    return tuple(dict.fromkeys(items))


def _categories(value) -> tuple[str, ...]:
    items = _list(value, "categories")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not _CATEGORY.match(item):
            raise ValidationError(f"{item!r} is not a category key such as 'account.contact.email'.",
                                  field=f"categories[{i}]")
    return tuple(dict.fromkeys(items))


def _flags(value) -> tuple[str, ...]:
    items = _list(value, "flags")
    for i, item in enumerate(items):
        if item not in FLAGS:
            raise ValidationError(f"{item!r} is not a flag; use one of {', '.join(FLAGS)}.", field=f"flags[{i}]")
    return tuple(sorted(set(items), key=FLAGS.index))


def _individuals(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("Expected a whole number of individuals, 0 or more.", field="individuals_per_year")
    return value


def _on(value, today: date) -> date:
    if value is None:
        return today
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError("Expected a date as YYYY-MM-DD.", field="on") from None


def _regimes(value, kb: KnowledgeBase | None) -> tuple[str, ...]:
    items = _list(value, "regimes")
    if not items:
        return ()
    known = (kb or load_knowledge_base()).ids
    for i, item in enumerate(items):
        if item not in known:
            raise ValidationError(f"Unknown regime {item!r}.", field=f"regimes[{i}]")
    return tuple(dict.fromkeys(items))
