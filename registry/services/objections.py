"""Objections to planned sub-processors, made on the public page before the deadline.

The deadline is the announcement date plus the publisher's notice period
(``publication.objection_deadline``); on that day objections are still accepted.
"""

import secrets
from datetime import datetime, timezone

from ..domain.errors import Conflict, NotFound
from ..domain.model import Objection
from ..store.base import utcnow
from . import publication

ACTOR = "public"
FIELDS = ("name", "organisation", "contact", "reason")


def objection_key():
    """A new objection key that sorts by creation time."""
    return f"obj-{datetime.now(timezone.utc):%Y%m%d-%H%M%S-%f}-{secrets.token_hex(3)}"


def find_planned(store, publisher_key, ref):
    """(publisher, engagement) for the public id ``ref`` on a publisher's page; NotFound otherwise."""
    publisher = publication.find_publisher(store, publisher_key)
    for engagement in publication.listed_engagements(store, publisher):
        if publication.public_ref(publisher.key, engagement.key) == ref:
            return publisher, engagement
    raise NotFound("that sub-processor is not on this list (it may have been withdrawn)")


def submit(store, publisher_key, ref, data):
    """Record an objection to the planned engagement ``ref`` of ``publisher_key``; returns it.

    Conflict when the engagement is no longer planned or its objection period is over.
    """
    publisher, engagement = find_planned(store, publisher_key, ref)
    vendor = store.find("organisation", engagement.importer)
    vendor_name = vendor.name if vendor else engagement.importer
    if engagement.status != "planned" or not engagement.announced_date:
        raise Conflict(f"{vendor_name} is no longer a planned change, so it can no longer be objected to here; "
                       f"please contact {publisher.name} directly")
    deadline = publication.objection_deadline(engagement.announced_date, publisher.notice_days)
    if publication.today() > deadline:
        raise Conflict(f"the period for objecting to {vendor_name} ended on {deadline}; objections can no "
                       f"longer be made here. Please contact {publisher.name} directly.", field="reason")
    values = {name: " ".join(str(data.get(name) or "").split()) if name != "reason"
              else str(data.get(name) or "").strip() for name in FIELDS}
    objection = Objection(key=objection_key(), engagement=engagement.key, created_at=utcnow(), **values).validate()
    with store.unit_of_work(ACTOR) as uow:
        uow.add(objection)
        return uow.commit()[0]


def recent(store, limit=500):
    """Objections newest first, each with its engagement (None if it is gone): [(objection, engagement)]."""
    items = sorted(store.list("objection"), key=lambda o: (o.created_at, o.key), reverse=True)[:limit]
    engagements = publication.lookup(store, "engagement", [o.engagement for o in items])
    return [(o, engagements.get(o.engagement)) for o in items]
