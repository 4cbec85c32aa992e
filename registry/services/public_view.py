"""The public view of a publisher's list: the one place that decides which facts leave the registry.

Every public output (page, JSON, CSV, Atom, policy text, mails) is built from
``public_listing``, which copies only whitelisted fields (never internal notes,
early-start reasons, evidence links, safeguard notes, provenance or retention). It
reads in batches: one query for the engagements, one per kind of name looked up, one
for the history, whatever the number of vendors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .. import clock
from ..domain.countries import country_name
from ..domain.errors import NotFound
from ..domain.model import Engagement, Organisation
from . import changes, notice
from .transfer_notes import transfer_notes
from .wording import safeguard_words

# How vendors are grouped on the page, in this order (by the vendor's role).
ROLE_GROUPS = (("sub-processor", "Sub-processors"), ("processor", "Processors (service providers)"),
               ("joint-controller", "Joint controllers"), ("controller", "Independent controllers"))


@dataclass(frozen=True)
class Place:
    """A country as the public sees it: the name, with the ISO code for machine formats."""

    code: str

    @property
    def name(self) -> str:
        return country_name(self.code)

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class Safeguard:
    """A safeguard in words, with its code for machine formats."""

    code: str

    @property
    def words(self) -> str:
        return safeguard_words(self.code)

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.words}


@dataclass(frozen=True)
class PublicChange:
    """One entry of the public history."""

    key: str
    date: str
    action: str
    vendor: str
    summary: str
    effective_date: str | None
    objection_deadline: str | None
    ref: str | None = None  # the public id of the engagement it concerns, if still listed

    @property
    def action_label(self) -> str:
        return changes.action_label(self.action)

    @property
    def objections_open(self) -> bool:
        return notice.objections_open(self.objection_deadline) and bool(
            self.effective_date and self.effective_date > clock.today_iso())

    def to_dict(self) -> dict:
        return {"id": self.key, "date": self.date, "action": self.action, "action_label": self.action_label,
                "vendor": self.vendor, "summary": self.summary, "effective_date": self.effective_date,
                "objection_deadline": self.objection_deadline}


@dataclass(frozen=True)
class PublicEngagement:
    """One line of a public list: only facts fit for the public."""

    ref: str  # opaque, stable id (the engagement key is not shown)
    vendor: str
    vendor_legal_name: str
    vendor_country: str | None
    vendor_website: str
    role: str
    service: str
    purposes: tuple
    categories: tuple
    store_countries: tuple
    access_countries: tuple
    safeguards: tuple  # Safeguard objects: codes in words, never document links or notes
    status: str
    effective_date: str | None
    pending: tuple = ()  # PublicChange objects not yet in effect, oldest first
    transfers: tuple = ()  # TransferNote objects: the path assessment's answer, per regime

    @property
    def open_change(self) -> PublicChange | None:
        """The change customers may object to now (the latest announced), or None."""
        open_ = [c for c in self.pending if c.objections_open]
        return open_[-1] if open_ else None

    @property
    def objection_deadline(self) -> str | None:
        deadlines = [c.objection_deadline for c in self.pending if c.objection_deadline]
        return max(deadlines) if deadlines else None

    @property
    def announced_date(self) -> str | None:
        return self.pending[-1].date if self.pending else None

    @property
    def objections_open(self) -> bool:
        return self.open_change is not None

    @property
    def store_places(self) -> tuple:
        return tuple(Place(c) for c in self.store_countries)

    @property
    def access_places(self) -> tuple:
        return tuple(Place(c) for c in self.access_countries)

    def to_dict(self) -> dict:
        return {"id": self.ref, "vendor": self.vendor, "legal_entity": self.vendor_legal_name,
                "vendor_country": Place(self.vendor_country).to_dict() if self.vendor_country else None,
                "vendor_website": self.vendor_website,
                "role": self.role, "service": self.service, "purposes": list(self.purposes),
                "data_categories": list(self.categories),
                "stored_in": [p.to_dict() for p in self.store_places],
                "accessed_from": [p.to_dict() for p in self.access_places],
                "safeguards": [s.to_dict() for s in self.safeguards],
                "status": self.status, "effective_date": self.effective_date,
                "announced_date": self.announced_date, "objection_deadline": self.objection_deadline,
                "pending_changes": [c.key for c in self.pending],
                "transfers": [t.to_dict() for t in self.transfers]}


@dataclass
class PublicListing:
    """A publisher's public list and its history, newest change first."""

    key: str
    name: str
    legal_name: str
    country: str | None
    website: str
    notice_days: int | None
    engagements: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    last_updated: str | None = None

    @property
    def planned(self) -> list:
        """Planned vendors, and listed vendors with a change not yet in effect."""
        return [e for e in self.engagements if e.status == "planned" or e.pending]

    @property
    def current(self) -> list:
        return [e for e in self.engagements if e.status == "active"]

    @property
    def groups(self) -> list:
        """(label, active engagements) per vendor role, in ROLE_GROUPS order, empty ones left out."""
        out = [(label, [e for e in self.current if e.role == role]) for role, label in ROLE_GROUPS]
        return [(label, items) for label, items in out if items]

    def to_dict(self) -> dict:
        return {"publisher": {"key": self.key, "name": self.name, "legal_name": self.legal_name,
                              "country": Place(self.country).to_dict() if self.country else None,
                              "website": self.website},
                "notice_days": self.notice_days, "last_updated": self.last_updated,
                "subprocessors": [e.to_dict() for e in self.engagements],
                "changes": [c.to_dict() for c in self.changes]}


def public_ref(publisher_key: str, engagement_key: str) -> str:
    """The opaque id under which an engagement appears publicly."""
    return "e-" + hashlib.sha256(f"{publisher_key}\n{engagement_key}".encode()).hexdigest()[:12]


def lookup(store, kind: str, keys) -> dict:
    """{key: object} for ``keys``, in one query."""
    keys = sorted(set(k for k in keys if k))
    if not keys:
        return {}
    batch = getattr(store, "find_many", None)
    objs = batch(kind, keys) if batch else [store.find(kind, k) for k in keys]
    return {o.key: o for o in objs if o is not None}


def find_publisher(store, key: str) -> Organisation:
    """The organisation ``key`` if it publishes a list; NotFound otherwise (same message either way)."""
    org = store.find("organisation", key)
    if org is None or not org.publisher:
        raise NotFound(f"there is no public sub-processor list for {key!r}")
    return org


def listed_engagements(store, publisher: Organisation) -> list[Engagement]:
    """The engagements on ``publisher``'s page (domain objects: for services, not for output)."""
    return [e for e in store.list("engagement", filters={"exporter": publisher.key, "public": True})
            if notice.is_listed(e, publisher)]


def _public_change(entry, refs: dict) -> PublicChange:
    return PublicChange(key=entry.key, date=entry.date, action=entry.action, vendor=entry.vendor,
                        summary=entry.summary, effective_date=entry.effective_date,
                        objection_deadline=entry.objection_deadline, ref=refs.get(entry.engagement))


def public_listing(store, key: str) -> PublicListing:
    """The public view of publisher ``key``'s list as of today; NotFound if there is none."""
    publisher = find_publisher(store, key)
    engagements = listed_engagements(store, publisher)
    names = changes.Names(store, engagements)
    refs = {e.key: public_ref(publisher.key, e.key) for e in engagements}
    history = sorted(store.list("change", filters={"publisher": publisher.key}),
                     key=lambda c: (c.date or "", c.key), reverse=True)
    public_changes = [_public_change(c, refs) for c in history]
    pending_by_engagement: dict[str, list] = {}
    for entry in changes.pending(history):
        pending_by_engagement.setdefault(entry.engagement, []).append(_public_change(entry, refs))
    notes = transfer_notes(store, engagements)
    items = [_public_engagement(publisher, e, names, tuple(pending_by_engagement.get(e.key, ())), notes.get(e.key, ()))
             for e in engagements]
    items.sort(key=lambda i: (i.status != "planned", i.service.lower(), i.vendor.lower()))
    return PublicListing(key=publisher.key, name=publisher.name, legal_name=publisher.legal_name,
                         country=publisher.country, website=publisher.website,
                         notice_days=publisher.notice_days, engagements=items, changes=public_changes,
                         last_updated=max((c.date for c in history if c.date), default=None))


def _public_engagement(publisher: Organisation, e: Engagement, names: changes.Names, pending: tuple,
                       transfers: tuple) -> PublicEngagement:
    vendor = names.vendors.get(e.importer)
    return PublicEngagement(
        ref=public_ref(publisher.key, e.key), vendor=vendor.name if vendor else e.importer,
        vendor_legal_name=vendor.legal_name if vendor else "", vendor_country=vendor.country if vendor else None,
        vendor_website=vendor.website if vendor else "", role=e.importer_role, service=e.service,
        purposes=tuple(names.purpose(p) for p in e.purposes),
        categories=tuple(names.category(c) for c in e.categories),
        store_countries=tuple(e.store_countries), access_countries=tuple(e.access_countries),
        safeguards=tuple(Safeguard(code) for code in e.safeguard_codes), status=e.status,
        effective_date=e.effective_date, pending=pending, transfers=transfers)
