"""The write path of the Neo4j store: one transaction function for a batch of writes.

The semantics are those of ``SQLiteStore.apply``: writes run in order (Conflict on a
taken key or a stale version, NotFound for a missing object), each with its audit
record; only after all of them are references checked (so a batch may create objects
that point at each other in any order) and then linked as relationships. A delete
first *retires* the node (``:Retired``, no other label) so that references from other
objects still point at it when the check runs; the node is purged once all passed.
"""

import json

from .. import cypher
from ..domain.errors import Conflict, NotFound, Referenced, ValidationError
from . import neo4j_model as gm
from .base import referenced_message, utcnow


def apply_writes(tx, writes, actor):
    """Apply ``writes`` in ``tx``; the new version per write (None for a delete).

    A transaction function: the driver may run it again after a transient failure, so
    every bit of state lives in locals of this call and nothing outside is touched.
    A domain error raised here rolls the transaction back.
    """
    written = {}  # (kind, key) -> object of the last write, None when it deleted
    states = {}  # (kind, key) -> stored dict after the last write (the next one's "before")
    versions = [_apply_one(tx, write, actor, written, states) for write in writes]
    _check_integrity(tx, writes, written)
    links = [link for obj in written.values() if obj is not None for link in gm.links(obj)]
    if links:
        tx.run(cypher.query("entity/link"), links=links).consume()
    tx.run(cypher.query("entity/purge")).consume()
    return versions


def _apply_one(tx, write, actor, written, states):
    ident = (write.kind, write.key)
    record = tx.run(cypher.query("entity/lock"), kind=write.kind, key=write.key).single()
    current = record.data() if record else None
    label = write.kind.replace("_", " ")
    if write.action == "create" and current:
        raise Conflict(f"a {label} with key {write.key!r} already exists", field="key")
    if write.action != "create" and not current:
        raise NotFound(f"no {label} with key {write.key!r}")
    stored_version = current["props"]["version"] if current else None
    if write.action != "create" and write.expected_version is not None \
            and stored_version != write.expected_version:
        raise Conflict(f"this {label} was changed by someone else since you opened it "
                       f"(now version {stored_version}, yours {write.expected_version}); "
                       "reload it and make your change again",
                       current_version=stored_version)
    if current is None:
        before = None
    elif ident in states:  # written earlier in this batch: its links are not made yet
        before = states[ident]
    else:
        before = gm.to_dict(write.kind, current["props"], current["refs"])

    if write.action == "delete":
        tx.run(cypher.query("entity/retire"), kind=write.kind, key=write.key,
               label=gm.label(write.kind)).consume()
        obj, after, version = None, None, None
    else:
        obj = write.obj
        after = obj.to_dict()
        version = 1 if current is None else stored_version + 1
        props = gm.node_properties(obj, version)
        if current is None:
            tx.run(cypher.query("entity/create"), label=gm.label(write.kind), props=props).consume()
        else:
            tx.run(cypher.query("entity/update"), kind=write.kind, key=write.key, props=props).consume()
    written[ident] = obj
    states[ident] = after
    tx.run(cypher.query("audit/append"), at=utcnow(), actor=actor, action=write.action,
           kind=write.kind, key=write.key,
           before=json.dumps(before) if before is not None else None,
           after=json.dumps(after) if after is not None else None).consume()
    return version


def _check_integrity(tx, writes, written):
    """After all writes: no reference dangles, whichever write caused it (in write order)."""
    # References from objects this batch did not rewrite, to objects it deleted.
    untouched = {}
    for record in tx.run(cypher.query("entity/retired_referrers")):
        untouched.setdefault((record["kind"], record["key"]), set()).add(
            (record["src_kind"], record["src_key"], gm.field_of(record["src_kind"], record["type"])))
    targets = sorted({(kind, key) for w in writes if w.action != "delete"
                      for _, kind, key in w.obj.references()})
    live = set()
    if targets:
        live = {(r["kind"], r["key"]) for r in tx.run(
            cypher.query("entity/live"), targets=[{"kind": k, "key": v} for k, v in targets])}
    for write in writes:
        if write.action == "delete":
            ident = (write.kind, write.key)
            left = set(untouched.get(ident, ()))
            for obj in written.values():  # the final state of objects this batch wrote
                if obj is not None:
                    left.update((obj.KIND, obj.key, name) for name, kind, key in obj.references()
                                if (kind, key) == ident)
            if left:
                left = sorted(left)
                raise Referenced(referenced_message(write.kind, write.key, left), referrers=left)
        else:
            for name, kind, key in write.obj.references():
                if (kind, key) not in live:
                    raise ValidationError(f"{name}: no {kind.replace('_', ' ')} with key {key!r}", field=name)
