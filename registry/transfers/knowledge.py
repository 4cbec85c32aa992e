"""The transfer-law knowledge base: one YAML file per regime, checked and frozen.

The files under ``regimes/`` are the law; this module only checks their shape and turns
them into immutable dataclasses. It knows no country and no regime by name, so adding a
regime or a new adequacy decision is a data change. See ``regimes/README.md`` for the
file format and the meaning of every safeguard code. ``regions.yaml`` says which
countries a region (EU, EEA) held on which dates; ``KnowledgeBase.expand`` reads it.
Every code a rule names must be in the one vocabulary, ``registry/domain/codes.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NoReturn

import pycountry
import yaml

from ..domain.codes import SAFEGUARDS
from ..domain.model import CATEGORY_FLAGS
from ..domain.places import REGIONS

ROLES = ("controller", "processor")
FLAGS = CATEGORY_FLAGS  # the rules read the same flags that data categories carry
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*(:[a-z0-9-]+)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps ``NO`` (Norway) as text and leaves dates to ``_date``."""


# Without the stock bool and timestamp resolvers, "NO" stays a country and a bad date reaches
# our own check, which names the rule, instead of failing inside the YAML parser.
_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


class KnowledgeBaseError(Exception):
    """A regime file is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class When:
    """Facts of a hop that a rule needs before it applies; every set field must hold."""
    exporter_role: str | None = None
    importer_role: str | None = None
    flags_any: tuple[str, ...] = ()
    sensitive: bool | None = None
    individuals_at_least: int | None = None
    individuals_below: int | None = None
    citizens_of_territory: bool = False
    subjects_of_territory: bool = False
    collected_in_territory: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Fields every entry shares: an id, its legal source, and when it is in force."""
    id: str
    citation: str
    note: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    when: When = When()

    def in_force(self, on: date) -> bool:
        """True when ``on`` lies within [valid_from, valid_until], both ends inclusive."""
        return (self.valid_from or on) <= on <= (self.valid_until or on)


@dataclass(frozen=True, kw_only=True)
class Attachment(Rule):
    """How the regime reaches a hop: ``establishment``, ``residence`` or ``citizenship``."""
    by: str


@dataclass(frozen=True, kw_only=True)
class Adequacy(Rule):
    """Destinations treated as adequate, optionally only for some importers."""
    countries: tuple[str, ...]
    certification: str | None = None
    importer_established_here: bool = False
    scope: str | None = None


@dataclass(frozen=True, kw_only=True)
class Mechanism(Rule):
    """One alternative set of safeguard codes that lawfully covers a transfer."""
    requires: tuple[str, ...]
    basis: str = "mechanism"


@dataclass(frozen=True, kw_only=True)
class Localisation(Rule):
    """Data that must be stored in the territory; ``copies_abroad`` says what may leave."""
    copies_abroad: str


@dataclass(frozen=True, kw_only=True)
class Duty(Rule):
    """Codes owed on every transfer (``applies: transfer``) or on every hop (``always``).

    ``alternatives`` lists other sets of codes that discharge the duty as well (the SCC
    modules that contain an Art. 28(3) contract, for instance).
    """
    requires: tuple[str, ...]
    applies: str
    alternatives: tuple[tuple[str, ...], ...] = ()

    @property
    def options(self) -> tuple[tuple[str, ...], ...]:
        """Every set of codes that discharges the duty, ``requires`` first."""
        return (self.requires, *self.alternatives)


@dataclass(frozen=True, kw_only=True)
class Restriction(Rule):
    """Flows touching listed countries that are ``prohibited`` or ``restricted``."""
    countries: tuple[str, ...]
    effect: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Regime:
    """One body of transfer law, as read from ``regimes/<id>.yaml``."""
    id: str
    name: str
    citation: str
    source: str
    territory: frozenset[str]
    territory_name: str
    attaches: tuple[Attachment, ...]
    restricts_transfers: bool
    transfer_citation: str
    transfer_note: str | None = None
    adequacy: tuple[Adequacy, ...] = ()
    mechanisms: tuple[Mechanism, ...] = ()
    localisation: tuple[Localisation, ...] = ()
    duties: tuple[Duty, ...] = ()
    restrictions: tuple[Restriction, ...] = ()
    sensitive_flags: tuple[str, ...] = ()
    note: str | None = None

    def rules(self) -> tuple[Rule, ...]:
        """Every cited entry of the regime, in file order."""
        return (*self.attaches, *self.adequacy, *self.mechanisms, *self.localisation,
                *self.duties, *self.restrictions)


@dataclass(frozen=True, kw_only=True)
class Membership(Rule):
    """Countries that belonged to a region between two dates."""
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    """A place people write instead of countries (``EU``), read from ``regions.yaml``.

    ``unknown_extent`` marks a region whose countries are not known (``Worldwide``).
    """
    token: str
    name: str
    citation: str
    members: tuple[Membership, ...] = ()
    includes: tuple[str, ...] = ()
    unknown_extent: bool = False


@dataclass(frozen=True)
class KnowledgeBase:
    """All regimes, ordered by id so that assessments come out in a stable order, and the regions."""
    regimes: tuple[Regime, ...]
    regions: tuple[Region, ...] = ()

    def expand(self, places, on: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(countries, vague) for ``places`` on ``on``.

        Countries stay as they are; a region becomes the countries it held that day;
        a region whose countries are not known (``Worldwide``) goes into ``vague``.
        A place that is neither (an unknown token) is treated as vague too.
        """
        regions = {region.token: region for region in self.regions}
        countries: list[str] = []
        vague: list[str] = []

        def add(place, seen=()):
            region = regions.get(place)
            if region is None:
                (countries if len(place) == 2 and place.isupper() else vague).append(place)
            elif region.unknown_extent:
                vague.append(place)
            else:
                for inner in region.includes:
                    if inner not in seen:
                        add(inner, (*seen, place))
                countries.extend(c for m in region.members if m.in_force(on) for c in m.countries)

        for place in places:
            add(place)
        return tuple(dict.fromkeys(countries)), tuple(dict.fromkeys(vague))

    def regime(self, regime_id: str) -> Regime:
        """Return the regime with this id; raise ``KeyError`` naming it when there is none."""
        for regime in self.regimes:
            if regime.id == regime_id:
                return regime
        raise KeyError(f"unknown regime {regime_id!r}")

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of all regimes, in order."""
        return tuple(regime.id for regime in self.regimes)

    def codes(self) -> frozenset[str]:
        """Every safeguard code any rule can ask for, including the local-primary-copy cure."""
        found = {code for regime in self.regimes for rule in regime.rules()
                 for option in (getattr(rule, "requires", ()), *getattr(rule, "alternatives", ())) for code in option}
        cure = any(rule.copies_abroad == "after-local-primary" for r in self.regimes for rule in r.localisation)
        return frozenset(found | ({"local-primary-copy"} if cure else set()))


def load_knowledge_base(directory: str | Path | None = None) -> KnowledgeBase:
    """Load and validate every ``*.yaml`` regime file in ``directory``.

    ``None`` means the files shipped in this package. Results are cached per directory,
    so the files are read once per process. Raises ``KnowledgeBaseError`` naming the
    file and the offending rule when anything is malformed or a citation is missing.
    """
    path = Path(__file__).parent / "regimes" if directory is None else Path(directory)
    return _load_directory(path.resolve())


@lru_cache(maxsize=8)
def _load_directory(path: Path) -> KnowledgeBase:
    files = sorted(path.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError(f"{path}: no regime files (*.yaml) found")
    # ids equal file names (checked in _regime), so they are unique and sort like the files
    return KnowledgeBase(tuple(_regime(file.name, _read(file)) for file in files), _load_regions())


@lru_cache(maxsize=1)
def _load_regions() -> tuple[Region, ...]:
    """The regions of ``regions.yaml``: exactly the tokens the domain accepts as places."""
    file = Path(__file__).parent / "regions.yaml"
    data = _keys(_read(file), file.name, REGIONS, REGIONS)
    regions = []
    for token, raw in data.items():
        where = f"{file.name}: {token}"
        body = _keys(raw, where, ("name", "citation", "members", "includes", "unknown"), ("name", "citation"))
        includes = tuple(body.get("includes") or ())
        if any(inner not in REGIONS or inner == token for inner in includes):
            _fail(f"{where}.includes", "names an unknown region or the region itself")
        members = tuple(_membership(item, f"{where}.members[{i}]") for i, item in enumerate(body.get("members") or ()))
        unknown = _bool(body.get("unknown", False), f"{where}.unknown")
        if unknown == bool(members or includes):
            _fail(where, "a region lists its members, or is marked unknown: true, not both")
        regions.append(Region(token=token, name=_text(body["name"], f"{where}.name"),
                              citation=_text(body["citation"], f"{where}.citation"), members=members,
                              includes=includes, unknown_extent=unknown))
    return tuple(regions)


def _membership(raw, where: str) -> Membership:
    data = _keys(raw, where, ("countries", "citation", "note", "valid_from", "valid_until"), ("countries", "citation"))
    fields = {key: ({**_COMMON, "countries": _countries}[key])(value, f"{where}.{key}") for key, value in data.items()}
    return Membership(id=where, **fields)


def _read(file: Path) -> dict:
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{file.name}: not valid YAML: {exc}") from exc


def _fail(where: str, message: str) -> NoReturn:
    raise KnowledgeBaseError(f"{where}: {message}")


def _keys(value, where: str, allowed, required=()) -> dict:
    if not isinstance(value, dict):
        _fail(where, "expected a mapping")
    unknown = sorted(map(str, set(value) - set(allowed)))
    if unknown:
        _fail(where, f"unknown key(s): {', '.join(unknown)}")
    missing = [key for key in required if value.get(key) is None or value.get(key) == ""]
    if missing:
        _fail(where, f"missing {', '.join(missing)}")
    return value


# Parsers: each takes (value, where) and returns the checked value or raises.
def _kind(test, message: str, convert=lambda value: value):
    def parse(value, where: str):
        if not test(value):
            _fail(where, message.format(value=value))
        return convert(value)
    return parse


def _one_of(*options: str):
    return _kind(lambda value: value in options, f"{{value!r}} is not one of {', '.join(options)}")


_text = _kind(lambda v: isinstance(v, str) and bool(v.strip()), "expected non-empty text",
              lambda v: " ".join(v.split()))
_ident = _kind(lambda v: isinstance(v, str) and bool(_ID.match(v)), "{value!r} is not a lower-case id")
_bool = _kind(lambda v: isinstance(v, bool), "expected true or false")
_count = _kind(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
               "expected a whole number of individuals")
_codes = _kind(lambda v: isinstance(v, list) and all(isinstance(c, str) and _CODE.match(c) for c in v),
               "expected a list of safeguard codes such as scc:2 or tia", tuple)
_options = _kind(lambda v: isinstance(v, list) and all(
    isinstance(o, list) and o and all(isinstance(c, str) and _CODE.match(c) for c in o) for o in v),
    "expected a list of lists of safeguard codes", lambda v: tuple(tuple(o) for o in v))
_flags = _kind(lambda v: isinstance(v, list) and all(flag in FLAGS for flag in v),
               f"expected a list of flags among {', '.join(FLAGS)}", tuple)


def _date(value, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        _fail(where, f"{value!r} is not a date (YYYY-MM-DD)")


def _countries(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        _fail(where, "expected a non-empty list of ISO 3166-1 alpha-2 codes")
    for code in value:
        if not (isinstance(code, str) and len(code) == 2 and code.isupper()
                and pycountry.countries.get(alpha_2=code)):
            _fail(where, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    if len(set(value)) != len(value):
        _fail(where, "a country is listed twice")
    return tuple(value)


_WHEN = {"exporter_role": _one_of(*ROLES), "importer_role": _one_of(*ROLES), "flags_any": _flags,
         "sensitive": _bool, "individuals_at_least": _count, "individuals_below": _count,
         "citizens_of_territory": _bool, "subjects_of_territory": _bool, "collected_in_territory": _bool}


def _when(value, where: str) -> When:
    data = _keys(value, where, _WHEN)
    return When(**{key: _WHEN[key](raw, f"{where}.{key}") for key, raw in data.items()})


_COMMON = {"id": _ident, "citation": _text, "note": _text, "valid_from": _date, "valid_until": _date,
           "when": _when}
# section: (class, its own keys with their parsers, required keys)
_SHAPES = {
    "attaches": (Attachment, {"by": _one_of("establishment", "residence", "citizenship")}, ("by",)),
    "adequacy": (Adequacy, {"countries": _countries, "certification": _ident, "scope": _text,
                            "importer_established_here": _bool}, ("countries",)),
    "mechanisms": (Mechanism, {"requires": _codes, "basis": _one_of("mechanism", "exemption")},
                   ("id", "requires")),
    "localisation": (Localisation, {"copies_abroad": _one_of("prohibited", "after-local-primary")},
                     ("id", "copies_abroad")),
    "duties": (Duty, {"requires": _codes, "applies": _one_of("transfer", "always"), "alternatives": _options},
               ("id", "requires", "applies")),
    "restrictions": (Restriction, {"countries": _countries, "effect": _one_of("prohibited", "restricted"),
                                   "requires": _codes}, ("id", "countries", "effect")),
}


def _rule(section: str, index: int, raw, where: str, sensitive: bool) -> Rule:
    cls, own, required = _SHAPES[section]
    label = raw.get("id") if isinstance(raw, dict) else None
    here = f"{where}[{index}]" + (f" ({label})" if label else "")
    parsers = {**_COMMON, **own}
    data = _keys(raw, here, parsers, ("citation", *required))
    fields = {key: parsers[key](value, f"{here}.{key}") for key, value in data.items() if value is not None}
    fields.setdefault("id", f"{section}-{index + 1}")
    if fields.get("valid_from") and fields.get("valid_until") and fields["valid_until"] < fields["valid_from"]:
        _fail(here, "valid_until is before valid_from")
    if fields.get("when", When()).sensitive is not None and not sensitive:
        _fail(f"{here}.when.sensitive", "the regime defines no sensitive_flags")
    unknown_codes = sorted({code for option in (fields.get("requires", ()), *fields.get("alternatives", ()))
                            for code in option if code not in SAFEGUARDS})
    if unknown_codes:
        _fail(here, f"unknown safeguard code(s) {', '.join(unknown_codes)}: add them to registry/domain/codes.py")
    if section == "duties" and not fields["requires"]:
        _fail(f"{here}.requires", "a duty must require at least one code")
    if section == "restrictions" and (fields["effect"] == "restricted") != bool(fields.get("requires")):
        _fail(here, "a restricted flow lists the codes it requires; a prohibited one lists none")
    return cls(**fields)


def _rules(section: str, value, where: str, sensitive: bool) -> tuple:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail(where, "expected a list")
    rules = tuple(_rule(section, i, raw, where, sensitive) for i, raw in enumerate(value))
    if len({rule.id for rule in rules}) != len(rules):
        _fail(where, "two entries share an id")
    return rules


_TOP = ("id", "name", "citation", "note", "territory", "territory_name", "attaches", "sensitive_flags",
        "transfers", "localisation", "duties", "restrictions")


def _regime(source: str, data) -> Regime:
    data = _keys(data, source, _TOP, ("id", "name", "citation", "territory", "attaches", "transfers"))
    if data["id"] != Path(source).stem:
        _fail(source, f"id {data['id']!r} does not match the file name")
    flags: tuple[str, ...] = ()
    if data.get("sensitive_flags") is not None:
        block = _keys(data["sensitive_flags"], f"{source}: sensitive_flags", ("flags", "citation", "note"),
                      ("flags", "citation"))
        flags = _flags(block["flags"], f"{source}: sensitive_flags.flags")
    transfers = _keys(data["transfers"], f"{source}: transfers",
                      ("restricted", "citation", "note", "adequacy", "mechanisms"), ("restricted", "citation"))
    territory = _countries(data["territory"], f"{source}: territory")

    def rules(section: str, block: dict, prefix: str = "") -> tuple:
        return _rules(section, block.get(section), f"{source}: {prefix}{section}", bool(flags))

    return Regime(
        id=data["id"],
        name=_text(data["name"], f"{source}: name"),
        citation=_text(data["citation"], f"{source}: citation"),
        note=_text(data["note"], f"{source}: note") if data.get("note") else None,
        source=source,
        territory=frozenset(territory),
        territory_name=_text(data.get("territory_name") or ", ".join(territory), f"{source}: territory_name"),
        attaches=rules("attaches", data),
        sensitive_flags=flags,
        restricts_transfers=_bool(transfers["restricted"], f"{source}: transfers.restricted"),
        transfer_citation=_text(transfers["citation"], f"{source}: transfers.citation"),
        transfer_note=_text(transfers["note"], f"{source}: transfers.note") if transfers.get("note") else None,
        adequacy=rules("adequacy", transfers, "transfers."),
        mechanisms=rules("mechanisms", transfers, "transfers."),
        localisation=rules("localisation", data),
        duties=rules("duties", data),
        restrictions=rules("restrictions", data),
    )
