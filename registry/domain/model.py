"""The registry's domain objects.

Every object has a ``key`` unique within its kind and a ``version`` that the stores
bump on each write (optimistic concurrency). Fields marked with ``ref`` metadata
point at objects of another kind; the stores keep those references whole (a write
naming a missing object and a delete that would leave a dangling reference are both
refused). ``validate()`` checks meaning that needs no store; the service layer calls it.
"""

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TypedDict

from .codes import check_code
from .countries import normalise_countries, normalise_country
from . import words
from .errors import ValidationError
from .links import check_link
from .places import normalise_places

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
# Underscores as in Fides's taxonomy (user.contact.email_address); hyphens as before.
CATEGORY_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*){0,7}$")

CATEGORY_FLAGS = ("special", "criminal", "biometric", "genetic", "telecom-subscriber", "payment", "children")
COLLECTION_ROLES = ("controller", "processor")
IMPORTER_ROLES = ("processor", "sub-processor", "controller", "joint-controller")
ENGAGEMENT_STATUSES = ("planned", "active", "ended")
LEGAL_BASES = ("consent", "contract", "legal-obligation", "vital-interests", "public-task",
               "legitimate-interests", "unknown")
SUBJECT_KINDS = ("customers", "end-users", "employees", "prospects", "visitors", "children", "other")


def ref(kind, **kwargs):
    """A dataclass field that references objects of ``kind`` (a key, or a list of keys)."""
    return field(metadata={"ref": kind}, **kwargs)


def _check_key(value, pattern=KEY_RE, what="key"):
    # fullmatch: "$" alone also matches before a trailing newline, and "key\n" is unreachable.
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(
            f"{what} must be lower-case letters, digits and hyphens" +
            (" (and underscores) in dot-separated parts" if pattern is CATEGORY_KEY_RE else ""), field="key")


def _check_date(value, name):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a date as YYYY-MM-DD", field=name) from None


def _email(value, name):
    """``value`` as a normalised email address ("" stays ""); ValidationError on ``name`` otherwise."""
    if not value:
        return ""
    from email_validator import EmailNotValidError, validate_email
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(f"{name.replace('_', ' ')} must be an email address: {exc}", field=name) from None


def _check_choice(value, choices, name):
    if value not in choices:
        raise ValidationError(f"{name} must be one of: {', '.join(choices)}", field=name)


def _check_required(value, name):
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} is required", field=name)


@dataclass
class Entity:
    """Common behaviour: conversion to and from plain dicts, and reference lookup."""

    KIND = "entity"

    def __init_subclass__(cls, **kwargs):
        # Every kind's validate() checks the shape (types, sizes, characters) against the
        # schema generated from its dataclass first, so nothing wrongly typed reaches a store.
        super().__init_subclass__(**kwargs)
        if "validate" in cls.__dict__:
            cls.validate = _shape_checked(cls.__dict__["validate"])

    def shape_dict(self):
        """The raw field values (no conversion), as the schema checks them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def to_dict(self, with_version=False):
        """A JSON-ready dict of the fields, in declaration order."""
        out = {}
        for f in fields(self):
            if f.name == "version" and not with_version:
                continue
            value = getattr(self, f.name)
            if f.name == "safeguards":
                value = [dict(s) for s in value]
            elif isinstance(value, list):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data):
        """Build from a dict; unknown keys raise ValidationError naming them."""
        if not isinstance(data, dict):
            raise ValidationError(f"{words.a(cls.KIND)} must be a JSON object", field=cls.KIND)
        unknown = sorted(set(data) - _field_names(cls))
        if unknown:
            raise ValidationError(f"unknown field(s) for {cls.KIND}: {', '.join(unknown)}", field=unknown[0])
        if "key" not in data:
            raise ValidationError(f"{words.a(cls.KIND)} needs a key", field="key")
        from .schemas import check_shape
        check_shape(cls, data)
        try:
            return cls(**data)
        except TypeError as exc:  # a required field is missing
            raise ValidationError(f"{cls.KIND}: {exc}", field=cls.KIND) from None

    @classmethod
    def checked_from_dict(cls, data):
        """``from_dict(data).validate()``, with the shape checked once: ``from_dict`` checked it
        on ``data``, which holds every value of the new object but the defaults."""
        obj = cls.from_dict(data)
        validate = type(obj).validate
        getattr(validate, "__wrapped__", validate)(obj)
        return obj

    def references(self):
        """(field, kind, key) for every reference this object holds."""
        out = []
        for name, kind in _reference_fields(type(self)):
            value = getattr(self, name)
            for key in value if isinstance(value, list) else [value]:
                if key:
                    out.append((name, kind, key))
        return out

    @property
    def label(self):
        return getattr(self, "name", None) or self.key


def _shape_checked(validate):
    @functools.wraps(validate)
    def checked(self):
        from .schemas import check_shape
        check_shape(type(self), self.shape_dict())
        return validate(self)
    return checked


class ProvenanceEntry(TypedDict, total=False):
    """Where a fact came from: a source (required), a section and a quote."""

    source: str
    section: str
    quote: str


class Safeguard(TypedDict, total=False):
    """A safeguard in place on an engagement: a code, and evidence of it."""

    code: str
    document: str
    signed_on: str
    note: str


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> frozenset[str]:
    """The names of ``cls``'s fields (read once per class, as ``_reference_fields``)."""
    return frozenset(f.name for f in fields(cls))


@functools.lru_cache(maxsize=None)
def _reference_fields(cls):
    """(field name, referenced kind) of each reference field of ``cls`` (read once per class:
    ``dataclasses.fields`` is slow on hot paths such as bulk imports)."""
    return tuple((f.name, f.metadata["ref"]) for f in fields(cls) if f.metadata.get("ref"))


def _provenance(items):
    out = []
    for item in items or []:
        if not isinstance(item, dict) or not item.get("source"):
            raise ValidationError("each provenance entry needs a source", field="provenance")
        out.append({k: item[k] for k in ("source", "section", "quote") if item.get(k)})
    return out


@dataclass
class Organisation(Entity):
    KIND = "organisation"
    key: str
    name: str
    legal_name: str = ""
    country: str | None = None  # None: the registry does not know it
    website: str = ""
    parent: str | None = ref("organisation", default=None)
    certifications: list[str] = field(default_factory=list)
    publisher: bool = False
    notice_days: int | None = None  # None: the publisher has promised no notice period
    privacy_contact: str = ""  # where objections to the publisher's list are sent
    description: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    version: int = 0

    def validate(self):
        _check_key(self.key)
        _check_required(self.name, "name")
        if self.country:
            self.country = normalise_country(self.country)
        else:
            self.country = None
        if self.parent == self.key:
            raise ValidationError("an organisation cannot be its own parent", field="parent")
        self.website = check_link(self.website, "website")
        self.certifications = sorted({check_code(c, "certifications") for c in self.certifications if c.strip()})
        if self.notice_days is not None and (not isinstance(self.notice_days, int)
                                             or not 0 <= self.notice_days <= 365):
            raise ValidationError("notice period must be 0 to 365 days", field="notice_days")
        self.privacy_contact = _email((self.privacy_contact or "").strip(), "privacy_contact")
        self.provenance = _provenance(self.provenance)
        return self


@dataclass
class SubjectGroup(Entity):
    KIND = "subject_group"
    key: str
    name: str
    kind: str = "customers"
    residence: list[str] = field(default_factory=list)
    citizenship: list[str] = field(default_factory=list)
    individuals: int | None = None  # about how many people a year; transfer thresholds read it
    description: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    version: int = 0

    def validate(self):
        _check_key(self.key)
        _check_required(self.name, "name")
        _check_choice(self.kind, SUBJECT_KINDS, "kind")
        self.residence = normalise_countries(self.residence, "residence")
        self.citizenship = normalise_countries(self.citizenship, "citizenship")
        if self.individuals is not None and (not isinstance(self.individuals, int) or self.individuals < 0):
            raise ValidationError("the number of individuals must be a whole number of at least 0",
                                  field="individuals")
        self.provenance = _provenance(self.provenance)
        return self


@dataclass
class Category(Entity):
    """A data category; the parent is implied by the dotted key and must exist."""

    KIND = "category"
    key: str
    name: str
    flags: list[str] = field(default_factory=list)
    description: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    version: int = 0

    @property
    def parent(self):
        return self.key.rsplit(".", 1)[0] if "." in self.key else None

    def references(self):
        return [("key", "category", self.parent)] if self.parent else []

    def validate(self):
        _check_key(self.key, CATEGORY_KEY_RE, "a category key")
        _check_required(self.name, "name")
        bad = [f for f in self.flags if f not in CATEGORY_FLAGS]
        if bad:
            raise ValidationError(f"unknown flag(s) {', '.join(bad)}; flags are {', '.join(CATEGORY_FLAGS)}",
                                  field="flags")
        self.flags = [f for f in CATEGORY_FLAGS if f in self.flags]
        self.provenance = _provenance(self.provenance)
        return self


@dataclass
class Purpose(Entity):
    KIND = "purpose"
    key: str
    name: str
    legal_basis: str = "unknown"
    description: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    version: int = 0

    def validate(self):
        _check_key(self.key)
        _check_required(self.name, "name")
        _check_choice(self.legal_basis, LEGAL_BASES, "legal_basis")
        self.provenance = _provenance(self.provenance)
        return self


@dataclass
class Collection(Entity):
    """Subjects of one group provide categories to an organisation: where paths start."""

    KIND = "collection"
    key: str
    organisation: str = ref("organisation")
    subject_group: str = ref("subject_group")
    categories: list[str] = ref("category", default_factory=list)
    purposes: list[str] = ref("purpose", default_factory=list)
    description: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    # "processor": the organisation receives this data on behalf of its customers, so its
    # vendors are sub-processors (the stance of a SaaS company's sub-processor list).
    role: str = "controller"
    version: int = 0

    @property
    def name(self):
        return self.description or self.key

    def validate(self):
        _check_key(self.key)
        _check_required(self.organisation, "organisation")
        _check_required(self.subject_group, "subject_group")
        _check_choice(self.role, COLLECTION_ROLES, "role")
        if not self.categories:
            raise ValidationError("a collection needs at least one category", field="categories")
        self.provenance = _provenance(self.provenance)
        return self


SAFEGUARD_FIELDS = ("code", "document", "signed_on", "note")


def _safeguard(item: object) -> dict:
    """A safeguard entry checked and cleaned (a bare code becomes ``{"code": ...}``; empty fields
    dropped); ValidationError on the field ``safeguards`` otherwise."""
    if isinstance(item, str):
        item = {"code": item}
    if not isinstance(item, dict) or not str(item.get("code", "")).strip():
        raise ValidationError("each safeguard needs a code", field="safeguards")
    unknown = set(item) - set(SAFEGUARD_FIELDS)
    if unknown:
        raise ValidationError(f"unknown safeguard field(s): {', '.join(sorted(unknown))}", field="safeguards")
    entry = {"code": check_code(item["code"], "safeguards")}
    if item.get("signed_on"):
        entry["signed_on"] = _check_date(item["signed_on"], "safeguards")
    if item.get("document"):
        entry["document"] = check_link(item["document"], "safeguards", plain_text_allowed=True)
    if item.get("note"):
        entry["note"] = item["note"]
    return entry


@dataclass
class Engagement(Entity):
    """An organisation (exporter) engages another (importer) for a service."""

    KIND = "engagement"
    key: str
    exporter: str = ref("organisation")
    importer: str = ref("organisation")
    service: str = ""
    purposes: list[str] = ref("purpose", default_factory=list)
    importer_role: str = "processor"
    categories: list[str] = ref("category", default_factory=list)
    subject_groups: list[str] = ref("subject_group", default_factory=list)
    store_countries: list[str] = field(default_factory=list)
    access_countries: list[str] = field(default_factory=list)
    safeguards: list[Safeguard | str] = field(default_factory=list)  # a bare string is a code
    status: str = "active"
    effective_date: str | None = None
    end_date: str | None = None
    announced_date: str | None = None
    public: bool = False
    retention: str = ""
    internal_notes: str = ""
    early_start_reason: str = ""
    provenance: list[ProvenanceEntry] = field(default_factory=list)
    version: int = 0

    @property
    def name(self):
        return f"{self.exporter} → {self.importer}: {self.service or 'service not stated'}"

    @property
    def safeguard_codes(self):
        return [s["code"] for s in self.safeguards]

    def validate(self):
        _check_key(self.key)
        _check_required(self.exporter, "exporter")
        _check_required(self.importer, "importer")
        if self.exporter == self.importer:
            raise ValidationError("an organisation cannot engage itself", field="importer")
        _check_choice(self.importer_role, IMPORTER_ROLES, "importer_role")
        _check_choice(self.status, ENGAGEMENT_STATUSES, "status")
        # places: countries or regions (EU, EEA, Worldwide), expanded only when assessed
        self.store_countries = normalise_places(self.store_countries, "store_countries")
        self.access_countries = normalise_places(self.access_countries, "access_countries")
        self.effective_date = _check_date(self.effective_date, "effective_date")
        self.end_date = _check_date(self.end_date, "end_date")
        self.announced_date = _check_date(self.announced_date, "announced_date")
        if self.effective_date and self.end_date and self.end_date < self.effective_date:
            raise ValidationError("the end date is before the effective date", field="end_date")
        self.safeguards = [_safeguard(item) for item in self.safeguards]
        self.provenance = _provenance(self.provenance)
        return self

    def in_force(self, on, include_planned=False):
        """Whether the engagement carries data on ``on`` (ISO date string)."""
        if self.status == "planned":
            return include_planned
        if self.effective_date and self.effective_date > on:
            return False
        if self.end_date and self.end_date <= on:
            return False
        return self.status == "active" or bool(self.end_date)


KINDS: dict[str, type[Entity]] = {cls.KIND: cls for cls in (Organisation, SubjectGroup, Category, Purpose,
                                                             Collection, Engagement)}
# The order in which an export lists kinds and an import writes them.
EXPORT_ORDER: tuple[str, ...] = ("category", "purpose", "subject_group", "organisation", "collection",
                                 "engagement")


def kind_class(kind):
    """The dataclass for ``kind``, or ValidationError if there is none."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValidationError(f"unknown kind {kind!r}", field="kind") from None


def list_fields(cls):
    """Names of the fields of ``cls`` that hold lists."""
    return {f.name for f in fields(cls) if f.default_factory is list}


def category_matches(carried, asked):
    """A flow carrying ``carried`` matches a question about ``asked`` (same, ancestor or descendant)."""
    return carried == asked or asked.startswith(carried + ".") or carried.startswith(asked + ".")


@dataclass
class ChangeEntry(Entity):
    """A dated public change to a publisher's sub-processor list (issue: public pages)."""

    KIND = "change"
    key: str
    publisher: str = ref("organisation")
    date: str = ""
    action: str = "added"  # added, removed, new-location, new-categories, announced, updated
    engagement: str = ""  # not a ref: the history outlives the engagement
    vendor: str = ""
    summary: str = ""
    effective_date: str | None = None
    objection_deadline: str | None = None
    version: int = 0

    def validate(self):
        _check_key(self.key)
        self.date = _check_date(self.date, "date")
        return self


@dataclass
class Subscription(Entity):
    """An email address that asked to hear of a publisher's changes."""

    KIND = "subscription"
    key: str
    publisher: str = ref("organisation")
    email: str = ""
    confirmed: bool = False
    created_at: str = ""
    confirmed_at: str | None = None
    version: int = 0

    def validate(self):
        _check_key(self.key)
        _check_required(self.email, "email")
        return self


@dataclass
class Objection(Entity):
    """A customer's objection to a planned engagement, made before its deadline."""

    KIND = "objection"
    key: str
    engagement: str = ref("engagement")
    name: str = ""
    organisation: str = ""
    contact: str = ""
    reason: str = ""
    created_at: str = ""
    change: str = ""  # the change entry objected to (not a ref: the history outlives it)
    status: str = "open"  # see OBJECTION_STATUSES; "unconfirmed" until the objector follows the mailed link
    confirmed_at: str | None = None
    status_changed_at: str | None = None
    version: int = 0

    def validate(self):
        _check_key(self.key)
        for name in ("name", "contact", "reason"):
            _check_required(getattr(self, name), name)
        _check_choice(self.status, OBJECTION_STATUSES, "status")
        return self


OBJECTION_STATUSES = ("unconfirmed", "open", "answered", "withdrawn", "upheld")


KINDS.update({cls.KIND: cls for cls in (ChangeEntry, Subscription, Objection)})
EXPORT_ORDER = EXPORT_ORDER + ("change", "subscription", "objection")


TRIAGE_STATES = ("open", "in-progress", "accepted-risk", "resolved")


@dataclass
class Triage(Entity):
    """The DPO's handling of one engagement's findings: an owner, a due date, a state.

    Keyed by the engagement's key. ``engagement`` is not a reference: the decision (and
    its audit trail) outlives the engagement. Accepting a risk needs a reason.
    """

    KIND = "triage"
    key: str
    engagement: str = ""
    owner: str = ""
    due_date: str | None = None
    state: str = "open"
    reason: str = ""
    version: int = 0

    @property
    def name(self):
        return f"triage of {self.engagement or self.key}"

    def validate(self):
        _check_key(self.key)
        self.engagement = self.engagement or self.key
        _check_choice(self.state, TRIAGE_STATES, "state")
        self.due_date = _check_date(self.due_date, "due_date")
        self.owner = (self.owner or "").strip()
        self.reason = (self.reason or "").strip()
        if self.state == "accepted-risk" and not self.reason:
            raise ValidationError("accepting a risk needs the reason, for the record", field="reason")
        return self


KINDS[Triage.KIND] = Triage
EXPORT_ORDER = EXPORT_ORDER + ("triage",)
