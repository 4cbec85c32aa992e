"""The store interface, shared by the embedded SQLite store and the Neo4j store.

Reads return domain objects. Writes go through a unit of work: it collects the
writes and ``commit()`` applies them in one transaction that checks versions,
checks references, and appends an audit record per write. Leaving the ``with``
block without committing discards everything, so a failed write changes nothing.
"""

from __future__ import annotations

import functools
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import clock
from ..domain import words
from ..domain.errors import Conflict, NotFound, StoreBusy, ValidationError


@dataclass(frozen=True)
class Write:
    """One intended write. ``action`` is create, update or delete."""

    action: str
    kind: str
    key: str
    obj: object = None
    expected_version: int | None = None


@dataclass
class Reach:
    """What a traversal found: the starting collections and the engagements reached.

    ``organisations`` holds every organisation at either end of those, by key. ``cut``
    lists, by key, the engagements that carry the flow onward from the last level a
    ``max_depth`` allowed, which the traversal therefore did not follow (empty when
    nothing was cut).
    """

    collections: list = field(default_factory=list)
    engagements: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)
    cut: list = field(default_factory=list)


def check_write(write: Write, stored_version: int | None) -> None:
    """The checks every store makes of one write against the stored version (None: absent).

    Conflict for a create of a taken key or a write against a stale version; NotFound for
    an update or delete of a missing object. Both stores call this, so the rule and its
    messages are written once.
    """
    label = write.kind.replace("_", " ")
    if write.action == "create":
        if stored_version is not None:
            raise Conflict(f"{words.a(label)} with key {write.key!r} already exists", field="key")
        return
    if stored_version is None:
        raise NotFound(f"no {label} with key {write.key!r}")
    if write.expected_version is not None and stored_version != write.expected_version:
        raise Conflict(f"this {label} was changed by someone else since you opened it "
                       f"(now version {stored_version}, yours {write.expected_version}); "
                       "reload it and make your change again",
                       current_version=stored_version)


def dangling(field_name: str, kind: str, key: str) -> ValidationError:
    """The error for a write whose ``field_name`` names a missing object."""
    return ValidationError(f"{field_name}: no {kind.replace('_', ' ')} with key {key!r}", field=field_name)


def referenced_message(kind, key, referrers):
    """The message for a refused delete, naming what still points at the object."""
    shown = ", ".join(f"{k.replace('_', ' ')} {rk!r} ({f})" for k, rk, f in referrers[:5])
    more = f" and {len(referrers) - 5} more" if len(referrers) > 5 else ""
    return f"cannot delete {kind.replace('_', ' ')} {key!r}: still referenced by {shown}{more}"


def user_audit(before, after):
    """(action, before, after) of the audit record for saving User ``after`` over ``before``."""
    def shown(user):
        return {"username": user.username, "role": user.role} if user else None
    changed = {"password_changed": before is None or before.password_hash != after.password_hash}
    return ("create" if before is None else "update"), shown(before), dict(shown(after), **changed)


# A deadlocked unit of work is run again after a pause that doubles each time, with jitter so
# that the transactions that deadlocked do not meet again in step; it gives up after BUSY_BUDGET
# seconds (a person waits for the answer), as the driver's managed transactions do.
BUSY_BUDGET = 5.0
BUSY_FIRST_PAUSE = 0.02
BUSY_MAX_PAUSE = 0.5


def retrying(work: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a service that runs one unit of work: run it again from the start when the
    store reports StoreBusy (a deadlock), as the Neo4j driver does for managed transactions,
    with a pause between tries that doubles and is jittered; StoreBusy once BUSY_BUDGET
    seconds have passed.

    The service must be safe to repeat: all it reads and decides happens inside its unit of
    work, which the failure rolled back.
    """
    @functools.wraps(work)
    def run(*args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + BUSY_BUDGET
        pause = BUSY_FIRST_PAUSE
        while True:
            try:
                return work(*args, **kwargs)
            except StoreBusy:
                if time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, BUSY_MAX_PAUSE)
    return run


def dependency_order(objects: list) -> list:
    """``objects`` with each one after what it references among them (parents first).

    Kinds keep their order; within a kind, an object that references another of the same
    kind (an organisation's parent, a category's parent) comes after it.
    """
    present = {(o.KIND, o.key) for o in objects}
    depth: dict[tuple[str, str], int] = {}
    by_ident = {(o.KIND, o.key): o for o in objects}

    def depth_of(ident: tuple[str, str], seen: frozenset = frozenset()) -> int:
        if ident not in depth:
            own = [(k, key) for _, k, key in by_ident[ident].references()
                   if k == ident[0] and (k, key) in present and (k, key) not in seen]
            depth[ident] = 1 + max((depth_of(o, seen | {ident}) for o in own), default=-1)
        return depth[ident]

    kinds = list(dict.fromkeys(o.KIND for o in objects))
    return sorted(objects, key=lambda o: (kinds.index(o.KIND), depth_of((o.KIND, o.key))))


def utcnow() -> str:
    """The current UTC time as an ISO string with seconds, for audit records."""
    return clock.now_iso()


class UnitOfWork:
    """One store transaction: reads, checks and writes inside ``with``, then ``commit()``.

    Entering opens the store transaction (SQLite ``BEGIN IMMEDIATE``; an explicit write
    transaction on Neo4j), so every read the service makes through the store inside the
    block happens in it, and a check that reads (a parent chain, a deadline, a count)
    holds under concurrent requests. ``add``/``update``/``delete`` collect writes;
    ``emit`` records domain events. ``commit()`` applies the writes (each checked and
    audited), commits, and then hands the events to the store's ``on_commit`` handler.
    Leaving the block without committing rolls everything back and drops the events.

    A unit of work opened while another is open on the same store joins it: its writes
    are applied at its own ``commit()`` but become durable, and its events are handled,
    only when the outermost one commits. So services compose inside one transaction.
    """

    def __init__(self, store: "Store", actor: str) -> None:
        self.store = store
        self.actor = actor
        self.writes: list[Write] = []
        self.events: list[object] = []
        self._outer: "UnitOfWork | None" = None
        self._open = False

    def __enter__(self) -> "UnitOfWork":
        self._outer = self.store._current_uow
        if self._outer is None:
            self.store._begin()
        self.store._current_uow = self
        self._open = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._open:
            self._close(commit=False)

    def _close(self, commit: bool) -> None:
        self._open = False
        self.store._current_uow = self._outer
        if self._outer is None:
            if commit:
                self.store._commit()
            else:
                self.store._rollback()
        self.writes = []

    def add(self, obj: Any) -> None:
        """Create ``obj``; the commit fails with Conflict if its key is taken."""
        self.writes.append(Write("create", obj.KIND, obj.key, obj))

    def update(self, obj: Any, expected_version: int | None) -> None:
        """Replace the stored object; the commit fails with Conflict on a stale version."""
        self.writes.append(Write("update", obj.KIND, obj.key, obj, expected_version))

    def delete(self, kind: str, key: str, expected_version: int | None = None) -> None:
        """Delete; the commit fails with Referenced if anything still points at it."""
        self.writes.append(Write("delete", kind, key, None, expected_version))

    def emit(self, event: object) -> None:
        """Record that something happened; handled after the transaction commits."""
        self.events.append(event)

    def lock(self, name: str) -> None:
        """Serialise this transaction with every other that locks ``name`` until it ends.

        For checks that read what no write of this unit touches (a parent chain, a count
        of requests), so that two transactions cannot both pass them.
        """
        self.store._lock(name)

    def flush(self) -> list:
        """Apply the writes collected so far inside the open transaction; the written objects."""
        writes, self.writes = self.writes, []
        return self.store.apply(writes, self.actor) if writes else []

    def commit(self) -> list:
        """Apply every collected write and commit; returns the written objects, new versions set.

        Then, for the outermost unit of work, the events go to ``store.on_commit``.
        """
        if not self._open:
            raise RuntimeError("commit() outside the unit of work's with-block")
        written = self.flush()
        events, self.events = self.events, []
        if self._outer is not None:
            self._outer.events.extend(events)
            self._close(commit=True)
            return written
        self._close(commit=True)
        if events and self.store.on_commit is not None:
            self.store.on_commit(events)
        return written

    def rollback(self) -> None:
        """Forget the writes not yet applied (the transaction stays open until the block ends)."""
        self.writes = []


class Store(ABC):
    """A registry store. One instance serves one request or one CLI command."""

    #: Called after the outermost unit of work commits, with the events it recorded
    #: (set by the app when it opens the request's store; None: events are dropped).
    on_commit: Callable[[list], None] | None = None
    _current_uow: UnitOfWork | None = None

    def unit_of_work(self, actor: str) -> UnitOfWork:
        """A new unit of work (one store transaction) whose audit records name ``actor``."""
        return UnitOfWork(self, actor)

    @property
    def in_transaction(self) -> bool:
        """Whether a unit of work is open on this store."""
        return self._current_uow is not None

    @abstractmethod
    def _begin(self) -> None:
        """Open the store transaction of a unit of work (reads and writes then run in it)."""

    @abstractmethod
    def _commit(self) -> None:
        """Commit the open transaction."""

    @abstractmethod
    def _rollback(self) -> None:
        """Roll the open transaction back."""

    @abstractmethod
    def _lock(self, name: str) -> None:
        """Take the named lock for the rest of the open transaction (see UnitOfWork.lock)."""

    @abstractmethod
    def init_schema(self):
        """Create or migrate the schema (tables, constraints, indexes). Idempotent."""

    @abstractmethod
    def close(self):
        """Release what this instance holds (connections, not the app-wide driver)."""

    @abstractmethod
    def find(self, kind, key):
        """The object of ``kind`` with ``key``, or None."""

    def get(self, kind, key):
        """The object of ``kind`` with ``key``; NotFound if there is none."""
        obj = self.find(kind, key)
        if obj is None:
            raise NotFound(f"no {kind.replace('_', ' ')} with key {key!r}")
        return obj

    @abstractmethod
    def list(self, kind, query="", filters=None, limit=None):
        """Objects of ``kind`` ordered by key.

        ``query`` matches key or name (case-insensitive substring); ``filters`` maps a
        field name to a value that must equal it, or, for list fields, be among it.
        """

    @abstractmethod
    def count(self, kind):
        """How many objects of ``kind`` exist."""

    @abstractmethod
    def referrers(self, kind, key):
        """(kind, key, field) of every object that references the given one."""

    @abstractmethod
    def apply(self, writes, actor):
        """Apply ``writes`` all or nothing: inside the open unit of work's transaction, or in
        a transaction of their own when none is open (see UnitOfWork)."""

    def import_objects(self, objects: Sequence[Any], actor: str) -> int:
        """Create every object of ``objects`` (in dependency order), all or nothing; the count.

        For imports and seeding of any size. This default is one unit of work; a store may
        commit in bounded batches as long as a failure leaves nothing behind.
        """
        with self.unit_of_work(actor) as uow:
            for obj in objects:
                uow.add(obj)
            uow.commit()
        return len(objects)

    @abstractmethod
    def audit_log(self, kind=None, key=None, actor=None, limit=100, offset=0):
        """Audit records, newest first, optionally for one object or one actor."""

    def reach(self, category, on, start=None, subject_groups=None, include_planned=False, max_depth=None):
        """Traverse from where ``category`` is collected along engagements that carry it.

        Starts at organisations with a collection whose categories match ``category``
        (same, ancestor or descendant key), or at ``start`` alone when given, follows
        engagements in force on ``on`` (ISO date; planned ones too if
        ``include_planned``) that carry a matching category, or record no category at
        all (the registry cannot rule them out), and, when ``subject_groups`` is given,
        concern one of them (an engagement naming no groups concerns all). Without
        ``max_depth`` it goes as far as the data goes; with it, at most that many hops
        from a start (shortest distance), and ``Reach.cut`` names what it left out.
        Returns a Reach.

        Answered from the flow index (``flow_index``), or inside a unit of work, which
        must see its own writes, by the store's queries (``_reach_by_queries``).
        """
        from . import flow_index  # it builds on this module

        index = None if self.in_transaction else flow_index.current(self)
        if index is None:
            return self._reach_by_queries(category, on, start, subject_groups, include_planned, max_depth)
        return index.reach(category, on, start, subject_groups, include_planned, max_depth)

    @abstractmethod
    def _reach_by_queries(self, category, on, start, subject_groups, include_planned, max_depth):
        """``reach`` by the store's own queries, in its current transaction."""

    @abstractmethod
    def get_user(self, username):
        """The User with ``username``, or None."""

    @abstractmethod
    def save_user(self, user, actor="system"):
        """Create or replace a user, with an audit record naming ``actor`` in the same transaction.

        The record (kind ``user``) holds the username, the role and whether the password
        changed, never the hash.
        """

    @abstractmethod
    def list_users(self):
        """Every user, ordered by username."""
