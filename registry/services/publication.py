"""Public sub-processor lists: what a write changes on a publisher's page, and notice rules.

An engagement is *listed* on its exporter's page when the exporter is a publisher,
the engagement is public and it is planned or active. Writes that change the list
add dated ChangeEntry objects in the same unit of work, so the history cannot
disagree with the list; once the write commits, ``published`` tells subscribers.

``public_listing`` is the one place that decides which facts leave the registry:
every public output (page, JSON, CSV, Atom, policy text) is built from it, and it
copies only whitelisted fields (never internal notes, early-start reasons,
evidence links, safeguard notes, provenance or retention).
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..domain.countries import country_name
from ..domain.errors import NotFound, ValidationError
from ..domain.model import ChangeEntry

log = logging.getLogger(__name__)

# How vendors are grouped on the page, in this order (by the vendor's role).
ROLE_GROUPS = (("sub-processor", "Sub-processors"), ("processor", "Processors (service providers)"),
               ("joint-controller", "Joint controllers"), ("controller", "Independent controllers"))
ACTION_LABELS = {"added": "Added", "removed": "Removed", "new-location": "New location",
                 "new-categories": "New data categories", "announced": "Announced",
                 "updated": "Updated"}


def today():
    """The current date as an ISO string (a function so that tests can see one place)."""
    return date.today().isoformat()


def objection_deadline(announced_date, notice_days):
    """The last day on which a customer may object: ``notice_days`` after the announcement."""
    return (date.fromisoformat(announced_date) + timedelta(days=notice_days)).isoformat()


def earliest_start(announced_date, notice_days):
    """The first day a planned engagement may take effect: the day after the deadline."""
    return (date.fromisoformat(objection_deadline(announced_date, notice_days)) + timedelta(days=1)).isoformat()


def is_listed(engagement, publisher):
    """Whether ``engagement`` appears on ``publisher``'s public page."""
    return bool(engagement and publisher and publisher.publisher and engagement.public
                and engagement.status in ("planned", "active"))


def changes_early_start(before, reason):
    """Whether writing ``reason`` would record or change the early-start reason of ``before``.

    Only an admin may do that: it lets an engagement start inside the notice period.
    """
    return (reason or "") != (before.early_start_reason if before else "")


def check_engagement(store, engagement, before=None):
    """Enforce the notice rules on an engagement about to be written; may set announced_date.

    The rules apply to engagements listed on a publisher's page. A planned one is
    announced on the day it first appears there (an earlier date is replaced: nobody
    could have read it before); once announced, the date can be neither cleared nor
    moved earlier. It needs an effective date no earlier than the end of the notice
    period, and it cannot become active before then, unless ``early_start_reason``
    records why (an admin's decision, enforced by the admin form).
    """
    exporter = store.find("organisation", engagement.exporter)
    if not is_listed(engagement, exporter):
        return
    was_listed = is_listed(before, exporter)
    if was_listed and before.announced_date:
        if not engagement.announced_date:
            engagement.announced_date = before.announced_date  # an announcement cannot be taken back
        elif engagement.announced_date < before.announced_date:
            raise ValidationError(f"this engagement was announced on {before.announced_date}; the announcement "
                                  "date cannot move earlier", field="announced_date")
    if engagement.status == "planned" and \
            (not engagement.announced_date or (not was_listed and engagement.announced_date < today())):
        engagement.announced_date = today()
    if not engagement.announced_date or engagement.early_start_reason.strip():
        return
    start = earliest_start(engagement.announced_date, exporter.notice_days)
    if engagement.status == "planned":
        if not engagement.effective_date:
            raise ValidationError("a planned engagement needs the date it takes effect", field="effective_date")
        if engagement.effective_date < start:
            raise ValidationError(f"the notice period ends {start}: the engagement cannot take effect earlier "
                                  "unless an admin records a reason for the early start", field="effective_date")
    elif before is not None and before.status == "planned" and today() < start:
        raise ValidationError(f"the notice period runs until {start}: the engagement cannot become active "
                              "before then unless an admin records a reason for the early start", field="status")


_sequence = 0


def _change_key():
    """A new change key that sorts by creation time (within one process, strictly)."""
    global _sequence
    _sequence = (_sequence + 1) % 1000
    now = datetime.now(timezone.utc)
    return f"chg-{now:%Y%m%d-%H%M%S-%f}-{_sequence:03d}-{uuid.uuid4().hex[:6]}"


def _entry(publisher, engagement, action, summary, vendor):
    entry = ChangeEntry(key=_change_key(), publisher=publisher.key, date=today(),
                        action=action, engagement=engagement.key, vendor=vendor, summary=summary,
                        effective_date=engagement.effective_date)
    if engagement.status == "planned" and engagement.announced_date:
        entry.objection_deadline = objection_deadline(engagement.announced_date, publisher.notice_days)
    return entry.validate()


def _names(store, kind, keys):
    found = lookup(store, kind, keys)
    return [found[k].label if k in found else k for k in keys]


def changes(publisher, before, after, vendor_name, category_names=None):
    """The ChangeEntry objects that the move from ``before`` to ``after`` puts on the page."""
    was, now = is_listed(before, publisher), is_listed(after, publisher)
    eng = after or before
    if not was and not now:
        return []
    if not was:
        if after.status == "planned":
            return [_entry(publisher, after, "announced",
                           f"{vendor_name} is planned as a sub-processor from {after.effective_date}", vendor_name)]
        return [_entry(publisher, after, "added", f"{vendor_name} added as a sub-processor", vendor_name)]
    if not now:
        return [_entry(publisher, eng, "removed", f"{vendor_name} is no longer a sub-processor", vendor_name)]
    out = []
    if before.status == "planned" and after.status == "active":
        out.append(_entry(publisher, after, "added", f"{vendor_name} is now a sub-processor", vendor_name))
    if set(after.store_countries) - set(before.store_countries) or \
            set(after.access_countries) - set(before.access_countries):
        places = ", ".join(sorted({country_name(c) for c in after.store_countries + after.access_countries}))
        out.append(_entry(publisher, after, "new-location", f"{vendor_name} now stores or accesses data in {places}",
                          vendor_name))
    new_categories = sorted(set(after.categories) - set(before.categories))
    if new_categories:
        names = category_names or {}
        added = ", ".join(names.get(k, k) for k in new_categories)
        out.append(_entry(publisher, after, "new-categories", f"{vendor_name} now receives {added}", vendor_name))
    if after.status == "planned" and before.status == "planned" and after.effective_date != before.effective_date:
        out.append(_entry(publisher, after, "updated",
                          f"{vendor_name} is now planned from {after.effective_date}", vendor_name))
    return out


def record(store, uow, before, after):
    """Add to ``uow`` the public change entries for an engagement write (others are ignored)."""
    obj = after or before
    if obj is None or obj.KIND != "engagement":
        return []
    if before is not None and after is not None and before.exporter != after.exporter:
        # it leaves one publisher's list and joins another's
        return record(store, uow, before, None) + record(store, uow, None, after)
    publisher = store.find("organisation", obj.exporter)
    if not (publisher and publisher.publisher):
        return []
    vendor = store.find("organisation", obj.importer)
    new = sorted(set(after.categories) - set(before.categories)) if after and before else []
    names = dict(zip(new, _names(store, "category", new)))
    entries = changes(publisher, before, after, vendor.name if vendor else obj.importer, names)
    for entry in entries:
        uow.add(entry)
    return entries


def published(store, entries):
    """Called after a write that added ``entries`` has committed: notify the subscribers.

    Never raises and never undoes the write. Inside a Flask app it mails the confirmed
    subscribers (see ``subscriptions.notify_changes``); when mail fails it logs, and in
    the admin area it tells the person who made the change. Returns the Delivery or None.
    """
    if not entries:
        return None
    from flask import current_app, flash, has_app_context, has_request_context, request
    if not has_app_context():
        return None
    from .subscriptions import notify_changes
    try:
        base_url = request.host_url if has_request_context() else None
        delivery = notify_changes(store, entries, current_app.config, base_url=base_url)
    except Exception:  # noqa: BLE001 - the write is committed whatever happens here
        log.exception("notifying subscribers of %d change(s) failed", len(entries))
        return None
    if delivery.failed and has_request_context() and request.blueprint == "admin":
        flash(f"The change is saved and published, but {len(delivery.failed)} notification email(s) to "
              f"subscribers could not be sent ({delivery.error}). The failure is logged.", "error")
    return delivery


# -- the public view -------------------------------------------------------------------

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
    safeguards: tuple  # codes only, never document links or notes
    status: str
    effective_date: str | None
    announced_date: str | None
    objection_deadline: str | None
    objections_open: bool

    def to_dict(self):
        return {"id": self.ref, "vendor": self.vendor, "legal_entity": self.vendor_legal_name,
                "vendor_country": self.vendor_country, "vendor_website": self.vendor_website,
                "role": self.role, "service": self.service, "purposes": list(self.purposes),
                "data_categories": list(self.categories), "stored_in": list(self.store_countries),
                "accessed_from": list(self.access_countries), "safeguards": list(self.safeguards),
                "status": self.status, "effective_date": self.effective_date,
                "announced_date": self.announced_date, "objection_deadline": self.objection_deadline}


@dataclass(frozen=True)
class PublicChange:
    key: str
    date: str
    action: str
    vendor: str
    summary: str
    effective_date: str | None
    objection_deadline: str | None

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action.replace("-", " ").capitalize())

    def to_dict(self):
        return {"id": self.key, "date": self.date, "action": self.action, "vendor": self.vendor,
                "summary": self.summary, "effective_date": self.effective_date,
                "objection_deadline": self.objection_deadline}


@dataclass
class PublicListing:
    key: str
    name: str
    legal_name: str
    country: str | None
    website: str
    notice_days: int
    engagements: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    last_updated: str | None = None

    @property
    def planned(self):
        return [e for e in self.engagements if e.status == "planned"]

    @property
    def current(self):
        return [e for e in self.engagements if e.status == "active"]

    @property
    def groups(self):
        """(label, active engagements) per vendor role, in ROLE_GROUPS order, empty ones left out."""
        out = [(label, [e for e in self.current if e.role == role]) for role, label in ROLE_GROUPS]
        return [(label, items) for label, items in out if items]

    def to_dict(self):
        return {"publisher": {"key": self.key, "name": self.name, "legal_name": self.legal_name,
                              "country": self.country, "website": self.website},
                "notice_days": self.notice_days, "last_updated": self.last_updated,
                "subprocessors": [e.to_dict() for e in self.engagements],
                "changes": [c.to_dict() for c in self.changes]}


def public_ref(publisher_key, engagement_key):
    """The opaque id under which an engagement appears publicly."""
    return "e-" + hashlib.sha256(f"{publisher_key}\n{engagement_key}".encode()).hexdigest()[:12]


def lookup(store, kind, keys):
    """{key: object} for ``keys``, in one query when the store can batch, else one per key."""
    keys = sorted(set(keys))
    batch = getattr(store, "find_many", None)
    objs = batch(kind, keys) if batch else [store.find(kind, k) for k in keys]
    return {o.key: o for o in objs if o is not None}


def find_publisher(store, key):
    """The organisation ``key`` if it publishes a list; NotFound otherwise (same message either way)."""
    org = store.find("organisation", key)
    if org is None or not org.publisher:
        raise NotFound(f"there is no public sub-processor list for {key!r}")
    return org


def listed_engagements(store, publisher):
    """The engagements on ``publisher``'s page (domain objects: for services, not for output)."""
    return [e for e in store.list("engagement", filters={"exporter": publisher.key, "public": True})
            if is_listed(e, publisher)]


def public_listing(store, key, on=None):
    """The public view of publisher ``key``'s list, its history newest first; NotFound if none."""
    on = on or today()
    publisher = find_publisher(store, key)
    engagements = listed_engagements(store, publisher)
    vendors = lookup(store, "organisation", [e.importer for e in engagements])
    categories = lookup(store, "category", [c for e in engagements for c in e.categories])
    purposes = lookup(store, "purpose", [p for e in engagements for p in e.purposes])
    items = []
    for e in engagements:
        vendor = vendors.get(e.importer)
        deadline = objection_deadline(e.announced_date, publisher.notice_days) \
            if e.status == "planned" and e.announced_date else None
        items.append(PublicEngagement(
            ref=public_ref(publisher.key, e.key), vendor=vendor.name if vendor else e.importer,
            vendor_legal_name=vendor.legal_name if vendor else "", vendor_country=vendor.country if vendor else None,
            vendor_website=vendor.website if vendor else "", role=e.importer_role, service=e.service,
            purposes=tuple(purposes[p].name if p in purposes else p for p in e.purposes),
            categories=tuple(categories[c].name if c in categories else c for c in e.categories),
            store_countries=tuple(e.store_countries), access_countries=tuple(e.access_countries),
            safeguards=tuple(e.safeguard_codes), status=e.status, effective_date=e.effective_date,
            announced_date=e.announced_date if e.status == "planned" else None,
            objection_deadline=deadline, objections_open=bool(deadline and on <= deadline)))
    items.sort(key=lambda i: (i.status != "planned", i.service.lower(), i.vendor.lower()))
    history = sorted(store.list("change", filters={"publisher": publisher.key}),
                     key=lambda c: (c.date or "", c.key), reverse=True)
    public_changes = [PublicChange(key=c.key, date=c.date, action=c.action, vendor=c.vendor, summary=c.summary,
                                   effective_date=c.effective_date, objection_deadline=c.objection_deadline)
                      for c in history]
    dates = [c.date for c in history if c.date] or \
        [d for e in engagements for d in (e.announced_date, e.effective_date) if d and d <= on]
    return PublicListing(key=publisher.key, name=publisher.name, legal_name=publisher.legal_name,
                         country=publisher.country, website=publisher.website,
                         notice_days=publisher.notice_days, engagements=items, changes=public_changes,
                         last_updated=max(dates) if dates else None)
