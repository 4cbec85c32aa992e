"""Creating, changing and deleting registry objects: the meaning checks around the store.

Forms and the API check shape; these functions check meaning and raise domain
errors. Each call is one unit of work: it reads, checks and writes inside one store
transaction, so a check that reads (the parent chain, the notice rules) holds against
concurrent writers, and a refused write changes nothing.
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import NotFound, ValidationError
from ..domain.model import Entity, kind_class
from ..store.base import Store, UnitOfWork, retrying
from . import publication, timeline

# Every change of an organisation's parent takes this lock, so that two concurrent
# changes (A under B, B under A) cannot both pass the loop check.
PARENT_LOCK = "organisation-parents"


def build(kind: str, data: dict) -> Entity:
    """A validated object of ``kind`` from a dict of its fields (ValidationError otherwise)."""
    return kind_class(kind).checked_from_dict(data)


def check_parent_chain(store: Store, organisation: Any) -> None:
    """ValidationError if ``organisation``'s parent chain would loop back to it."""
    seen, current = {organisation.key}, organisation.parent
    while current:
        if current in seen:
            raise ValidationError("the parent chain would loop back to this organisation", field="parent")
        seen.add(current)
        parent = store.find("organisation", current)
        current = parent.parent if parent else None


def _check_meaning(uow: UnitOfWork, obj: Any, before: Any) -> None:
    """The checks that read the store, made inside ``uow``'s transaction."""
    if obj.KIND == "organisation" and (obj.parent or (before is not None and before.parent)):
        uow.lock(PARENT_LOCK)
        check_parent_chain(uow.store, obj)
    if obj.KIND == "engagement":
        publication.check_engagement(uow.store, obj, before)
        timeline.started_today(obj, before)
        timeline.check_dates(obj)


@retrying
def create(store: Store, actor: str, kind: str, data: dict) -> Entity:
    """Create an object from ``data``; returns it with its version. Conflict if the key is taken."""
    obj = build(kind, data)
    with store.unit_of_work(actor) as uow:
        _check_meaning(uow, obj, None)
        uow.add(obj)
        publication.record(uow.store, uow, None, obj)
        written = uow.commit()[0]
    return written


@retrying
def update(store: Store, actor: str, kind: str, key: str, data: dict, expected_version: int | None) -> Entity:
    """Replace object ``key`` with ``data``, if it is still at ``expected_version``.

    The key cannot change. Raises Conflict on a stale version, NotFound if it is gone.
    """
    obj = build(kind, dict(data, key=key))
    with store.unit_of_work(actor) as uow:
        before = store.get(kind, key)
        _check_meaning(uow, obj, before)
        uow.update(obj, expected_version)
        publication.record(uow.store, uow, before, obj)
        written = uow.commit()[0]
    return written


@retrying
def delete(store: Store, actor: str, kind: str, key: str, expected_version: int | None = None) -> None:
    """Delete object ``key``; Referenced if anything still points at it."""
    with store.unit_of_work(actor) as uow:
        before = store.find(kind, key)
        if before is None:
            raise NotFound(f"no {kind.replace('_', ' ')} with key {key!r}")
        uow.delete(kind, key, expected_version)
        publication.record(uow.store, uow, before, None)
        uow.commit()


def flows_of(store: Store, organisation_key: str) -> tuple[list, list, list]:
    """(inbound, outbound, collections) engagements and collections of one organisation."""
    store.get("organisation", organisation_key)
    inbound = store.list("engagement", filters={"importer": organisation_key})
    outbound = store.list("engagement", filters={"exporter": organisation_key})
    collections = store.list("collection", filters={"organisation": organisation_key})
    return inbound, outbound, collections
