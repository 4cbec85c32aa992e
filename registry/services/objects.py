"""Creating, changing and deleting registry objects: the meaning checks around the store.

Forms and the API check shape; these functions check meaning and raise domain
errors. Each write is one unit of work, so a refused write changes nothing.
"""

from ..domain.errors import NotFound, ValidationError
from ..domain.model import kind_class
from . import publication


def build(kind, data):
    """A validated object of ``kind`` from a dict of its fields (ValidationError otherwise)."""
    return kind_class(kind).from_dict(data).validate()


def _check_meaning(store, obj):
    if obj.KIND == "organisation" and obj.parent:
        seen, current = {obj.key}, obj.parent
        while current:
            if current in seen:
                raise ValidationError("the parent chain would loop back to this organisation", field="parent")
            seen.add(current)
            parent = store.find("organisation", current)
            current = parent.parent if parent else None
    if obj.KIND == "engagement":
        publication.check_engagement(store, obj, store.find("engagement", obj.key))


def create(store, actor, kind, data):
    """Create an object from ``data``; returns it with its version. Conflict if the key is taken."""
    obj = build(kind, data)
    _check_meaning(store, obj)
    with store.unit_of_work(actor) as uow:
        uow.add(obj)
        entries = publication.record(store, uow, None, obj)
        written = uow.commit()[0]
    publication.published(store, entries)
    return written


def update(store, actor, kind, key, data, expected_version):
    """Replace object ``key`` with ``data``, if it is still at ``expected_version``.

    The key cannot change. Raises Conflict on a stale version, NotFound if it is gone.
    """
    data = dict(data, key=key)
    obj = build(kind, data)
    before = store.get(kind, key)
    _check_meaning(store, obj)
    with store.unit_of_work(actor) as uow:
        uow.update(obj, expected_version)
        entries = publication.record(store, uow, before, obj)
        written = uow.commit()[0]
    publication.published(store, entries)
    return written


def delete(store, actor, kind, key, expected_version=None):
    """Delete object ``key``; Referenced if anything still points at it."""
    before = store.find(kind, key)
    if before is None:
        raise NotFound(f"no {kind.replace('_', ' ')} with key {key!r}")
    with store.unit_of_work(actor) as uow:
        uow.delete(kind, key, expected_version)
        entries = publication.record(store, uow, before, None)
        uow.commit()
    publication.published(store, entries)


def flows_of(store, organisation_key):
    """(inbound, outbound, collections) engagements and collections of one organisation."""
    store.get("organisation", organisation_key)
    inbound = store.list("engagement", filters={"importer": organisation_key})
    outbound = store.list("engagement", filters={"exporter": organisation_key})
    collections = store.list("collection", filters={"organisation": organisation_key})
    return inbound, outbound, collections
