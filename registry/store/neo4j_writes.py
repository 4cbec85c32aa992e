"""The write path of the Neo4j store: one transaction function for a batch of writes.

The semantics are those of ``SQLiteStore.apply``: writes run in order (Conflict on a
taken key or a stale version, NotFound for a missing object), each with its audit
record; only after all of them are references checked (so a batch may create objects
that point at each other in any order) and then linked as relationships. A delete
first *retires* the node (``:Retired``, no other label) so that references from other
objects still point at it when the check runs; the node is purged once all passed.

Consecutive writes of the same action and kind form a *run* (at most RUN_SIZE long),
sent as a few ``UNWIND`` queries instead of a few queries per write: one locks and
reads the run's objects, one writes them. The checks
happen in Python, write by write, against what the transaction has seen and done so
far, so a run behaves exactly like its writes one after another (a key created twice in
one run conflicts on the second; a write that fails does so after the writes before it).
The audit records of every write come last, in one query (``_append_audits``).
A bulk import's batches, checked beforehand, are prepared the same way without a
transaction (``PreparedCreates``) and only sent inside one (see ``neo4j_import``).
"""

import json

from .. import cypher
from ..domain.errors import Conflict, NotFound, Referenced
from . import neo4j_model as gm
from .base import check_write, dangling, referenced_message, utcnow

RUN_SIZE = 1000  # writes per run: bounds the size of one query's parameters


def apply_writes(tx, writes, actor):
    """Apply ``writes`` in ``tx``; the new version per write (None for a delete).

    A transaction function: the driver may run it again after a transient failure, so
    every bit of state lives in locals of this call and nothing outside is touched.
    A domain error raised here rolls the transaction back.
    """
    known = {}  # (kind, key) -> {"version", "state"} as stored now, None when absent
    written = {}  # (kind, key) -> object of the last write, None when it deleted
    audits = []  # every write's audit record, in write order
    versions = []
    for run in _runs(writes):
        versions.extend(_apply_run(tx, run, known, written, audits))
    _check_integrity(tx, writes, written)
    _link(tx, gm.link_parameters(obj for obj in written.values() if obj is not None))
    tx.run(cypher.query("entity/purge")).consume()
    _append_audits(tx, audits, actor)
    return versions


class PreparedCreates:
    """The queries that create a batch of new objects, prepared without a transaction.

    For writes the caller has checked already (``neo4j_import``): creates of keys not
    taken, whose references all resolve; so no locking read, no reference check.
    Preparing needs no server, so an import prepares batches while the server writes
    others. ``send`` may run more than once (a transaction function) and changes nothing here.
    """

    def __init__(self, writes, actor):
        self.actor = actor
        self.runs = []
        self.audits = []
        known = {(w.kind, w.key): None for w in writes}
        for run in _runs(writes):
            pending = _Pending("create", run[0].kind, self.audits)
            for write in run:
                _apply_one(write, known, {}, pending)
            self.runs.append(pending)
        self.links = gm.link_parameters(w.obj for w in writes)

    def send(self, tx):
        """Run the queries in ``tx``: the objects and their relationships, then the audit
        records. Those come last because they take the audit counter's lock, held until
        the commit: batches written at once do their work side by side and commit in turn."""
        for pending in self.runs:
            pending.send(tx)
        _link(tx, self.links)
        _append_audits(tx, self.audits, self.actor)


def _append_audits(tx, audits, actor):
    """Append a transaction's audit records, advancing the audit counter once.

    Once per transaction, never per run: a second update of the counter in a transaction
    deadlocks with any transaction already waiting for the counter's lock (measured on
    Neo4j 5.26: one import batch in two was failed and written again).
    """
    if audits:
        tx.run(cypher.query("audit/append_many"), actor=actor, records=audits).consume()


def _link(tx, links):
    if links["links"]:
        tx.run(cypher.query("entity/link"), **links).consume()


def _runs(writes):
    """Consecutive writes of the same action and kind, at most RUN_SIZE at a time."""
    run = []
    for write in writes:
        if run and ((write.action, write.kind) != (run[0].action, run[0].kind) or len(run) >= RUN_SIZE):
            yield run
            run = []
        run.append(write)
    if run:
        yield run


def _apply_run(tx, run, known, written, audits):
    """Check and apply one run of writes, queueing their audit records in ``audits``; the new
    version per write."""
    _load(tx, run[0].kind, [write.key for write in run], known)
    pending = _Pending(run[0].action, run[0].kind, audits)
    try:
        for write in run:
            _apply_one(write, known, written, pending)
    except (Conflict, NotFound):
        pending.send(tx)  # the writes before the failing one come first, as one by one
        raise
    pending.send(tx)
    return pending.versions


def _load(tx, kind, keys, known):
    """Lock and read the objects of ``kind`` with ``keys`` that this transaction has not seen."""
    wanted = list(dict.fromkeys(key for key in keys if (kind, key) not in known))
    if not wanted:
        return
    for record in tx.run(cypher.query("entity/lock"), kind=kind, keys=wanted):
        row = record.data()
        known[(kind, row["key"])] = {"version": row["props"]["version"],
                                     "state": gm.to_dict(kind, row["props"], row["refs"])}
    for key in wanted:
        known.setdefault((kind, key), None)


def _apply_one(write, known, written, pending):
    """Check one write against the state so far, record its effect, queue it in ``pending``."""
    ident = (write.kind, write.key)
    current = known[ident]
    stored_version = current["version"] if current else None
    check_write(write, stored_version)
    before = current["state"] if current else None
    if write.action == "delete":
        obj, after, version = None, None, None
        known[ident] = None
    else:
        obj = write.obj
        after = obj.to_dict()
        version = 1 if current is None else stored_version + 1
        known[ident] = {"version": version, "state": after}
    written[ident] = obj
    pending.add(write, obj, version, before, after)


class _Pending:
    """The queued writes of one run (same action and kind); their audit records go to
    ``audits``, the transaction's, numbered by their place in it."""

    def __init__(self, action, kind, audits):
        self.action, self.kind = action, kind
        self.creates = []  # node properties, in write order
        self.updates = {}  # key -> node properties of the last update of that key
        self.deletes = []  # keys (a key is deleted at most once in a run)
        self.audits = audits
        self.versions = []

    def add(self, write, obj, version, before, after):
        if write.action == "create":
            self.creates.append(gm.node_properties(obj, version))
        elif write.action == "update":
            self.updates[write.key] = gm.node_properties(obj, version)
        else:
            self.deletes.append(write.key)
        self.audits.append({"offset": len(self.audits), "at": utcnow(), "action": write.action,
                            "kind": write.kind, "key": write.key,
                            "before": json.dumps(before) if before is not None else None,
                            "after": json.dumps(after) if after is not None else None})
        self.versions.append(version)

    def send(self, tx):
        """Send the queued writes (their audit records are the transaction's to send)."""
        if self.creates:
            label = gm.label(self.kind)
            if len(self.creates) == 1:
                tx.run(cypher.query("entity/create"), label=label, props=self.creates[0]).consume()
            else:
                tx.run(cypher.query("entity/create_many"), label=label, rows=self.creates).consume()
        if self.updates:
            tx.run(cypher.query("entity/update"), kind=self.kind,
                   rows=[{"key": key, "props": props} for key, props in self.updates.items()]).consume()
        if self.deletes:
            tx.run(cypher.query("entity/retire"), kind=self.kind, keys=self.deletes,
                   label=gm.label(self.kind)).consume()


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
    pointing = {}  # (kind, key) -> references to it in the final state of objects this batch wrote
    for obj in written.values():
        if obj is not None:
            for name, kind, key in obj.references():
                pointing.setdefault((kind, key), set()).add((obj.KIND, obj.key, name))
    for write in writes:
        if write.action == "delete":
            ident = (write.kind, write.key)
            left = untouched.get(ident, set()) | pointing.get(ident, set())
            if left:
                left = sorted(left)
                raise Referenced(referenced_message(write.kind, write.key, left), referrers=left)
        else:
            for name, kind, key in write.obj.references():
                if (kind, key) not in live:
                    raise dangling(name, kind, key)
