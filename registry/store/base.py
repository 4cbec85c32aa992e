"""The store interface, shared by the embedded SQLite store and the Neo4j store.

Reads return domain objects. Writes go through a unit of work: it collects the
writes and ``commit()`` applies them in one transaction that checks versions,
checks references, and appends an audit record per write. Leaving the ``with``
block without committing discards everything, so a failed write changes nothing.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timezone


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

    ``organisations`` holds every organisation at either end of those, by key.
    """

    collections: list = field(default_factory=list)
    engagements: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)


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


def utcnow():
    """The current UTC time as an ISO string with seconds, for audit records."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class UnitOfWork:
    """Collects writes for one commit. Use as a context manager; see the module doc."""

    def __init__(self, store, actor):
        self.store = store
        self.actor = actor
        self.writes = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.rollback()

    def add(self, obj):
        """Create ``obj``; the commit fails with Conflict if its key is taken."""
        self.writes.append(Write("create", obj.KIND, obj.key, obj))

    def update(self, obj, expected_version):
        """Replace the stored object; the commit fails with Conflict on a stale version."""
        self.writes.append(Write("update", obj.KIND, obj.key, obj, expected_version))

    def delete(self, kind, key, expected_version=None):
        """Delete; the commit fails with Referenced if anything still points at it."""
        self.writes.append(Write("delete", kind, key, None, expected_version))

    def commit(self):
        """Apply every collected write atomically; returns the written objects, new versions set."""
        writes, self.writes = self.writes, []
        if not writes:
            return []
        return self.store.apply(writes, self.actor)

    def rollback(self):
        """Forget the writes not yet committed."""
        self.writes = []


class Store(ABC):
    """A registry store. One instance serves one request or one CLI command."""

    def unit_of_work(self, actor):
        """A new unit of work whose audit records name ``actor``."""
        return UnitOfWork(self, actor)

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
        from ..domain.errors import NotFound

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
        """Apply ``writes`` in one transaction or not at all (see UnitOfWork)."""

    @abstractmethod
    def audit_log(self, kind=None, key=None, actor=None, limit=100, offset=0):
        """Audit records, newest first, optionally for one object or one actor."""

    @abstractmethod
    def reach(self, category, on, start=None, subject_groups=None, include_planned=False, max_depth=6):
        """Traverse from where ``category`` is collected along engagements that carry it.

        Starts at organisations with a collection whose categories match ``category``
        (same, ancestor or descendant key), or at ``start`` alone when given, follows
        engagements in force on ``on`` (ISO date; planned ones too if
        ``include_planned``) that carry a matching category and, when
        ``subject_groups`` is given, concern one of them (an engagement naming no
        groups concerns all), at most ``max_depth`` hops deep. Returns a Reach.
        """

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
