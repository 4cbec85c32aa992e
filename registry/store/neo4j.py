"""The Neo4j store: the registry as a property graph.

The graph's shape is described in ``neo4j_model``; every query is a file under
``cypher/`` (see ``registry.cypher``). One driver serves the whole app (``connect``);
a ``Neo4jStore`` is a light per-request object over it that opens a session per read
or unit of work and runs managed transactions only. Transaction functions return
plain data; domain objects are built from it outside the transaction.
"""

import json
import re
from contextlib import contextmanager

from neo4j import READ_ACCESS, WRITE_ACCESS, GraphDatabase, NotificationDisabledClassification
from neo4j.exceptions import (ConstraintError, DriverError, Neo4jError, ServiceUnavailable,
                              SessionExpired, TransientError)

from .. import cypher
from ..domain.errors import Conflict, StoreUnavailable, ValidationError
from ..domain.model import kind_class
from ..domain.records import AuditRecord, User
from . import neo4j_model as gm
from .base import Reach, Store, user_audit, utcnow
from .neo4j_writes import apply_writes

# traversal/reach bounds its path at *0..30 relationships: organisations up to 15 hops from
# a start export the last hop, so a traversal reaches at most 16 hops deep.
MAX_REACH_DEPTH = 16
_NO_LIMIT = 2 ** 62

POOL_SETTINGS = {
    "max_connection_pool_size": 20,  # one web worker's threads, with room to spare
    "connection_acquisition_timeout": 30.0,
    "connection_timeout": 10.0,
    "max_transaction_retry_time": 5.0,  # a person waits for the answer: fail soon, say why
    # "label/type does not exist yet" is normal for a young registry; keep the rest
    "notifications_disabled_classifications": [NotificationDisabledClassification.UNRECOGNIZED],
}


def connect(uri, user, password, **settings):
    """The app-wide driver for ``uri`` (``bolt://``, ``neo4j://``, ``neo4j+s://``, ...).

    Connects lazily: an unreachable server shows on first use, as StoreUnavailable.
    Without a password no credentials are sent (a server with authentication off).
    """
    options = dict(POOL_SETTINGS, **settings)
    auth = (user or "neo4j", password) if password else None
    return GraphDatabase.driver(uri, auth=auth, **options)


_EXISTS_RE = re.compile(r"already exists with label `(?P<label>[^`]+)`")
_VALUE_RE = r"`{}` = '(?P<value>(?:[^'\\]|\\.)*)'"


def domain_error(exc):
    """The domain error for a driver error, or None when it has no domain meaning."""
    if isinstance(exc, (ServiceUnavailable, SessionExpired, ConnectionError)):
        return StoreUnavailable("graph database unavailable")
    if isinstance(exc, TransientError):  # still failing after the driver's retries
        return StoreUnavailable("graph database busy; try again shortly")
    if isinstance(exc, ConstraintError):
        message = exc.message or str(exc)
        hit = _EXISTS_RE.search(message)
        if hit:
            kinds = {v: k for k, v in gm.LABELS.items()}
            kind = kinds.get(hit["label"])
            entity_kind = re.search(_VALUE_RE.format("entity_kind"), message)
            key = re.search(_VALUE_RE.format("key"), message)
            kind = kind or (entity_kind and entity_kind["value"])
            if kind and key:
                return Conflict(f"a {kind.replace('_', ' ')} with key {key['value']!r} already exists",
                                field="key")
            return Conflict(f"a {hit['label']} with the same identifier already exists")
        if "still has relationships" in message:
            return Conflict("cannot delete: other objects still refer to it; reload and try again")
        return ValidationError(f"the graph database refused the write: {message}")
    return None


@contextmanager
def graph_errors():
    """Re-raise driver errors as domain errors (see ``domain_error``)."""
    try:
        yield
    except (DriverError, Neo4jError, ConnectionError) as exc:
        mapped = domain_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


def _rows(tx, text, **params):
    """A transaction function: every record of ``text`` as a plain dict."""
    return [record.data() for record in tx.run(text, params)]


def _run(tx, text, **params):
    tx.run(text, params).consume()


class Neo4jStore(Store):
    """A Store over ``driver`` (shared, closed by the app) and ``database``."""

    def __init__(self, driver, database="neo4j"):
        self.driver = driver
        self.database = database

    def close(self):
        """Nothing to release: sessions close after each call; the driver is the app's."""

    def _read(self, work, *args, **params):
        with graph_errors(), self.driver.session(database=self.database,
                                                 default_access_mode=READ_ACCESS) as session:
            return session.execute_read(work, *args, **params)

    def _write(self, work, *args, **params):
        with graph_errors(), self.driver.session(database=self.database,
                                                 default_access_mode=WRITE_ACCESS) as session:
            return session.execute_write(work, *args, **params)

    # -- schema -------------------------------------------------------------
    def init_schema(self):
        for text in (cypher.query("schema/constraints"), cypher.query("schema/indexes")):
            for statement in cypher.statements(text):
                self._write(_run, statement)  # schema commands: one per transaction
        self._read(_run, cypher.query("schema/await_indexes"), seconds=300)

    # -- reads ----------------------------------------------------------------
    def find(self, kind, key):
        rows = self._read(_rows, cypher.query("entity/fetch"), kind=kind, keys=[key])
        return gm.to_object(kind, rows[0]) if rows else None

    def list(self, kind, query="", filters=None, limit=None):
        kind_class(kind)  # ValidationError for an unknown kind
        limit = int(limit) if limit else None
        rows = self._read(_rows, cypher.query("entity/list"), kind=kind, query=(query or "").lower(),
                          filters=gm.filter_specs(kind, filters),
                          limit=limit if limit is None or limit > 0 else None)
        return [gm.to_object(kind, row) for row in rows]

    def count(self, kind):
        return self._read(_rows, cypher.query("entity/count"), kind=kind)[0]["count"]

    def referrers(self, kind, key):
        rows = self._read(_rows, cypher.query("entity/referrers"), kind=kind, key=key)
        return sorted({(r["kind"], r["key"], gm.field_of(r["kind"], r["type"])) for r in rows})

    def audit_log(self, kind=None, key=None, actor=None, limit=100, offset=0):
        limit = int(limit)
        params = {"kind": kind or None, "actor": actor or None, "offset": max(int(offset), 0),
                  "limit": limit if limit >= 0 else _NO_LIMIT}
        if key:
            rows = self._read(_rows, cypher.query("audit/object_log"), key=key, **params)
        else:
            rows = self._read(_rows, cypher.query("audit/log"), **params)
        return [AuditRecord(id=r["id"], at=r["at"], actor=r["actor"], action=r["action"], kind=r["kind"],
                            key=r["key"], before=json.loads(r["before"]) if r.get("before") else None,
                            after=json.loads(r["after"]) if r.get("after") else None)
                for r in (row["record"] for row in rows)]

    # -- writes ---------------------------------------------------------------
    def apply(self, writes, actor):
        writes = list(writes)
        if not writes:
            return []
        versions = self._write(apply_writes, writes, actor)
        written = []
        for write, version in zip(writes, versions):
            if write.action != "delete":
                write.obj.version = version
                written.append(write.obj)
        return written

    # -- traversal --------------------------------------------------------------
    def reach(self, category, on, start=None, subject_groups=None, include_planned=False, max_depth=6):
        """See ``Store.reach``; ``max_depth`` is capped at MAX_REACH_DEPTH."""
        groups = list(subject_groups) if subject_groups else None
        depth = max(0, min(int(max_depth), MAX_REACH_DEPTH))
        collections, engagements, organisations = self._read(
            _reach, category=category, on=on, start=start, groups=groups,
            planned=bool(include_planned), depth=depth)
        return Reach(collections=[gm.to_object("collection", r) for r in collections],
                     engagements=[gm.to_object("engagement", r) for r in engagements],
                     organisations={r["props"]["key"]: gm.to_object("organisation", r) for r in organisations})

    # -- users ----------------------------------------------------------------
    def get_user(self, username):
        rows = self._read(_rows, cypher.query("user/get"), username=username)
        return User(**rows[0]) if rows else None

    def save_user(self, user, actor="system"):
        self._write(_save_user, user, actor)

    def list_users(self):
        return [User(**row) for row in self._read(_rows, cypher.query("user/list"))]


def _reach(tx, category, on, start, groups, planned, depth):
    """The traversal's read transaction: collections, engagements and organisations as rows."""
    collections = _rows(tx, cypher.query("traversal/collections"), category=category, start=start, groups=groups)
    if start:
        starts = [start]
    else:
        starts = sorted({gm.to_dict("collection", r["props"], r["refs"])["organisation"] for r in collections})
    engagements = _rows(tx, cypher.query("traversal/reach"), starts=starts, category=category, on=on,
                        planned=planned, groups=groups, max_depth=depth)
    org_keys = set(starts)
    for row in engagements:
        data = gm.to_dict("engagement", row["props"], row["refs"])
        org_keys.update(k for k in (data["exporter"], data["importer"]) if k)
    organisations = _rows(tx, cypher.query("entity/fetch"), kind="organisation", keys=sorted(org_keys))
    return collections, engagements, organisations


def _save_user(tx, user, actor):
    """Upsert the user and append its audit record; safe to retry as a whole."""
    rows = _rows(tx, cypher.query("user/get"), username=user.username)
    action, before, after = user_audit(User(**rows[0]) if rows else None, user)
    _run(tx, cypher.query("user/save"), username=user.username, password_hash=user.password_hash, role=user.role)
    _run(tx, cypher.query("audit/append"), at=utcnow(), actor=actor, action=action, kind="user",
         key=user.username, before=json.dumps(before) if before else None, after=json.dumps(after))
