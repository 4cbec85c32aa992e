"""Bulk imports into Neo4j: checked first, then committed in bounded batches, two at a time,
all or nothing.

One transaction for 50,000 engagements outgrows a server's transaction memory, so an
import commits IMPORT_BATCH objects at a time. Before anything is written, the whole
import is checked (no key taken, every reference resolves), so a batch needs no
locking read and no reference check of its own (``PreparedCreates``).

The server writes one transaction on one core; IMPORT_WRITERS batches are written at
once, each in its own session. A batch starts only once every batch holding an object
it refers to has committed, because its relationships need those nodes to be there.
Each batch takes the audit counter last, and once (``PreparedCreates.send``): the counter's lock
orders the commits, so audit ids still become visible in increasing order (what the
flow index and the per-version caches read), and a batch's records have consecutive ids.

If a batch fails, the batches still being written are waited for, then every batch that
committed is deleted again, objects and audit records (``entity/import_undo``), and the
failure is raised.
"""

from concurrent.futures import Future, ThreadPoolExecutor, wait

from .. import cypher
from ..domain import words
from ..domain.errors import Conflict
from .base import Write, dangling
from .neo4j_tx import rows, run
from .neo4j_writes import PreparedCreates

IMPORT_BATCH = 5000  # objects per transaction: far below the test server's 512 MiB for two at once
IMPORT_WRITERS = 2  # transactions written at once: the server's cores, one each
# A batch that fails transiently (a server under memory pressure, a leader switch) is written
# again by the driver. An import is no page a person waits on: it retries for longer than a
# request, and at once.
RETRIES = {"max_transaction_retry_time": 60.0, "initial_retry_delay": 0.05}


def import_in_batches(store, objects, actor) -> int:
    """Create ``objects`` (in dependency order) in committed batches; the count. See the module doc."""
    check_import(store, objects)
    batches = [objects[start:start + IMPORT_BATCH] for start in range(0, len(objects), IMPORT_BATCH)]
    needs = _dependencies(batches)
    sent: list[Future] = []  # one per batch submitted: the id of its last audit record
    with ThreadPoolExecutor(IMPORT_WRITERS) as writers:
        try:
            for number, batch in enumerate(batches):
                # Preparing stays at most IMPORT_WRITERS batches ahead of the server (memory).
                for earlier in [*needs[number], number - IMPORT_WRITERS]:
                    if earlier >= 0:
                        sent[earlier].result()  # raises the failure of a batch it waits for
                prepared = PreparedCreates([Write("create", o.KIND, o.key, o) for o in batch], actor)
                sent.append(writers.submit(store._write_apart, _import_batch, prepared, retries=RETRIES))
            for future in sent:
                future.result()
        except BaseException:
            wait(sent)
            _undo(store, [(batch, future.result()) for batch, future in zip(batches, sent)
                          if future.exception() is None])
            raise
    return len(objects)


def _import_batch(tx, prepared):
    """A transaction function: create a checked batch of new objects (``PreparedCreates``);
    the id of its last audit record, so that its records can be found again."""
    prepared.send(tx)
    return tx.run(cypher.query("audit/last_id")).single()["id"]


def _dependencies(batches) -> list[set[int]]:
    """For each batch, the earlier batches holding an object it refers to."""
    home = {(o.KIND, o.key): number for number, batch in enumerate(batches) for o in batch}
    return [{home[(kind, key)] for o in batch for _name, kind, key in o.references()
             if home.get((kind, key), number) < number}
            for number, batch in enumerate(batches)]


def _undo(store, committed) -> None:
    """Delete the objects and audit records of each (batch, id of its last audit record), newest first."""
    for batch, last in reversed(committed):
        store._write_apart(run, cypher.query("entity/import_undo"), first=last - len(batch) + 1, last=last,
                           targets=[{"kind": o.KIND, "key": o.key} for o in batch])


def check_import(store, objects) -> None:
    """Before anything is written: no key is taken, and every reference resolves to an
    object of the import or one already stored (the messages of a unit of work's)."""
    new = {(o.KIND, o.key) for o in objects}
    if len(new) < len(objects):
        raise Conflict("the import names an object twice", field="key")
    empty = store._read(rows, cypher.query("entity/empty"))[0]["empty"]
    taken = set() if empty else _existing(store, new)
    if taken:
        kind, key = min(taken)
        raise Conflict(f"{words.a(kind)} with key {key!r} already exists", field="key")
    outside = {(kind, key) for o in objects for _, kind, key in o.references()} - new
    missing = outside - _existing(store, outside)
    for obj in objects:
        for name, kind, key in obj.references():
            if (kind, key) in missing:
                raise dangling(name, kind, key)


def _existing(store, idents) -> set:
    """Which of the (kind, key) pairs ``idents`` are stored."""
    targets = [{"kind": kind, "key": key} for kind, key in sorted(idents)]
    found: set[tuple[str, str]] = set()
    for start in range(0, len(targets), IMPORT_BATCH):
        found.update((r["kind"], r["key"]) for r in store._read(
            rows, cypher.query("entity/live"), targets=targets[start:start + IMPORT_BATCH]))
    return found
