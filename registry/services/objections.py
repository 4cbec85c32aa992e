"""Objections to announced changes of a public list, with a workflow.

A visitor objects on the public page to a change that is still open for objection
(its deadline, from ``notice.window``, not passed: on the deadline day objections are
still accepted). The objection is stored as ``unconfirmed`` and the objector is mailed a
link (``ObjectionFiled``); following it confirms the address, the objection becomes
``open``, and the publisher's privacy contact gets it with the change it concerns, the
objector a receipt (``ObjectionConfirmed``). The DPO then marks it answered, upheld or
withdrawn. The deadline is checked inside the write's transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from .. import clock
from ..store.base import retrying
from ..domain.errors import Conflict, NotFound, ValidationError
from ..domain.model import OBJECTION_STATUSES, ChangeEntry, Engagement, Objection, Organisation
from . import changes
from .events import ObjectionConfirmed, ObjectionFiled, ObjectionStatusChanged
from .publication import list_lock
from .public_view import find_publisher, listed_engagements, lookup, public_ref
from .subscriptions import normalise_email
from .tokens import make_token, read_token

ACTOR = "public"
FIELDS = ("name", "organisation", "contact", "reason")
CONFIRM_SALT = "registry.objection.confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600
DPO_STATUSES = ("open", "answered", "upheld", "withdrawn")


def objection_key() -> str:
    """A new objection key that sorts by creation time."""
    return f"obj-{clock.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def confirm_token(config: Mapping, objection: Objection) -> str:
    """The token of the link that confirms ``objection``."""
    return make_token(config, CONFIRM_SALT, objection.key, objection.contact)


def find_listed(store, publisher_key: str, ref: str) -> tuple[Organisation, Engagement]:
    """(publisher, engagement) for the public id ``ref`` on a publisher's page; NotFound otherwise."""
    publisher = find_publisher(store, publisher_key)
    for engagement in listed_engagements(store, publisher):
        if public_ref(publisher.key, engagement.key) == ref:
            return publisher, engagement
    raise NotFound("that sub-processor is not on this list (it may have been withdrawn)")


def _open_change(store, publisher: Organisation, engagement: Engagement, vendor: str) -> ChangeEntry:
    """The change of ``engagement`` open for objection today; Conflict naming the date otherwise."""
    entries = store.list("change", filters={"publisher": publisher.key, "engagement": engagement.key})
    open_now = changes.open_for_objection(entries)
    if open_now:
        return open_now[-1]
    closed = [c.objection_deadline for c in changes.pending(entries) if c.objection_deadline]
    if closed:
        deadline = max(closed)
        raise Conflict(f"the period for objecting to {vendor} ended on {deadline}; objections can no longer be "
                       f"made here. Please contact {publisher.name} directly.", field="reason")
    raise Conflict(f"no change of {vendor} is open for objection; please contact {publisher.name} directly",
                   field="reason")


def _values(data: Mapping) -> dict:
    values = {name: " ".join(str(data.get(name) or "").split()) for name in FIELDS if name != "reason"}
    values["reason"] = str(data.get("reason") or "").strip()
    values["contact"] = normalise_email(values["contact"], field="contact")
    return values


@retrying
def submit(store, publisher_key: str, ref: str, data: Mapping) -> Objection:
    """Record an unconfirmed objection to the change of ``ref`` now open for objection; returns it.

    Conflict (naming the deadline) when no change of that sub-processor is open for objection.
    """
    values = _values(data)
    with store.unit_of_work(ACTOR) as uow:
        uow.lock(list_lock(publisher_key))
        publisher, engagement = find_listed(uow.store, publisher_key, ref)
        vendor = uow.store.find("organisation", engagement.importer)
        change = _open_change(uow.store, publisher, engagement, vendor.name if vendor else engagement.importer)
        objection = Objection(key=objection_key(), engagement=engagement.key, change=change.key,
                              created_at=clock.now_iso(), status="unconfirmed", **values).validate()
        uow.add(objection)
        uow.emit(ObjectionFiled(objection=objection.key, publisher=publisher.key))
        return uow.commit()[0]


@retrying
def confirm(store, config: Mapping, token: str) -> Objection:
    """Confirm the objection named by ``token`` (the objector's mailed link); returns it.

    The first confirmation opens it and emits ``ObjectionConfirmed``; later ones change nothing.
    """
    key, contact = read_token(config, CONFIRM_SALT, token, max_age=CONFIRM_MAX_AGE,
                              expired="this link has expired: please object again on the public page")
    with store.unit_of_work(ACTOR) as uow:
        objection = uow.store.find("objection", key)
        if objection is None or objection.contact != contact:
            raise NotFound("this objection no longer exists")
        if objection.status != "unconfirmed":
            return objection
        objection.status = "open"
        objection.confirmed_at = objection.status_changed_at = clock.now_iso()
        uow.update(objection, objection.version)
        engagement = uow.store.find("engagement", objection.engagement)
        uow.emit(ObjectionConfirmed(objection=key, publisher=engagement.exporter if engagement else ""))
        return uow.commit()[0]


def peek(store, config: Mapping, token: str) -> Objection | None:
    """The objection a confirmation token names (checking the token), or None if it is gone."""
    key, contact = read_token(config, CONFIRM_SALT, token, max_age=CONFIRM_MAX_AGE,
                              expired="this link has expired: please object again on the public page")
    objection = store.find("objection", key)
    return objection if objection is not None and objection.contact == contact else None


@retrying
def set_status(store, actor: str, key: str, status: str, expected_version: int) -> Objection:
    """The DPO moves a confirmed objection to ``status`` (open, answered, upheld, withdrawn)."""
    if status not in DPO_STATUSES:
        raise ValidationError(f"status must be one of: {', '.join(DPO_STATUSES)}", field="status")
    with store.unit_of_work(actor) as uow:
        objection = uow.store.get("objection", key)
        if objection.status == "unconfirmed":
            raise Conflict("the objector has not confirmed this objection yet", field="status")
        if objection.status == status:
            return objection
        objection.status = status
        objection.status_changed_at = clock.now_iso()
        uow.update(objection, expected_version)
        engagement = uow.store.find("engagement", objection.engagement)
        uow.emit(ObjectionStatusChanged(objection=key, publisher=engagement.exporter if engagement else "",
                                        status=status))
        return uow.commit()[0]


def recent(store, limit: int = 500, statuses=OBJECTION_STATUSES) -> list[tuple]:
    """Objections newest first, each with its engagement and change (None if gone):
    [(objection, engagement, change)]."""
    items = sorted((o for o in store.list("objection") if o.status in statuses),
                   key=lambda o: (o.created_at, o.key), reverse=True)[:limit]
    engagements = lookup(store, "engagement", [o.engagement for o in items])
    entries = lookup(store, "change", [o.change for o in items])
    return [(o, engagements.get(o.engagement), entries.get(o.change)) for o in items]
