"""The Neo4j store: the registry as a property graph.

The graph's shape is described in ``neo4j_model``; every query is a file under
``cypher/`` (see ``registry.cypher``). One driver serves the whole app (``connect``);
a ``Neo4jStore`` is a light per-request object over it that opens a session per read
or unit of work and runs managed transactions only. Transaction functions return
plain data; domain objects are built from it outside the transaction.
"""

import json
import re
import time
from contextlib import contextmanager

from neo4j import READ_ACCESS, WRITE_ACCESS, GraphDatabase, NotificationDisabledClassification
from neo4j.exceptions import (ConstraintError, DriverError, Neo4jError, ServiceUnavailable,
                              SessionExpired, TransientError)

from .. import cypher
from ..domain import words
from ..domain.errors import Conflict, StoreBusy, StoreLimit, StoreUnavailable, ValidationError
from ..domain.model import kind_class
from ..domain.records import AuditRecord, User
from . import neo4j_model as gm
from . import neo4j_import, neo4j_traversal
from .base import Store, dependency_order, user_audit, utcnow
from .neo4j_auth import Neo4jAuth
from .neo4j_pages import Neo4jPages
from .neo4j_tx import rows as _rows, run as _run
from .neo4j_writes import apply_writes

_NO_LIMIT = 2 ** 62

POOL_SETTINGS = {
    "max_connection_pool_size": 20,  # one web worker's threads, with room to spare
    "connection_acquisition_timeout": 30.0,
    "connection_timeout": 5.0,
    "max_transaction_retry_time": 3.0,  # a person waits for the answer: fail soon, say why
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
    if isinstance(exc, TransientError) and "Memory" in (exc.code or ""):
        return StoreLimit("the graph database ran out of transaction memory: the request needs more than "
                          "its limit (the settings db.memory.transaction.total.max and "
                          "db.memory.transaction.max); raise it, or make the request smaller")
    if isinstance(exc, TransientError):  # a deadlock, or still failing after the driver's retries
        return StoreBusy("graph database busy; try again shortly")
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
                return Conflict(f"{words.a(kind)} with key {key['value']!r} already exists",
                                field="key")
            return Conflict(f"a {hit['label']} with the same identifier already exists")
        if "still has relationships" in message:
            return Conflict("cannot delete: other objects still refer to it; reload and try again")
        return ValidationError(f"the graph database refused the write: {message}")
    return None


class Outage:
    """Remembers for ``hold`` seconds that the server could not be reached, so that the
    requests in that time answer "unavailable" at once instead of each waiting out the
    driver's connection and retry time. The first request after the hold tries again."""

    def __init__(self, hold: float = 5.0) -> None:
        self.hold = hold
        self.until = 0.0

    def check(self) -> None:
        """StoreUnavailable while an outage is being held."""
        if time.monotonic() < self.until:
            raise StoreUnavailable("graph database unavailable")

    def record(self) -> None:
        self.until = time.monotonic() + self.hold


@contextmanager
def graph_errors(outage=None):
    """Re-raise driver errors as domain errors (see ``domain_error``); an unreachable
    server is recorded in ``outage`` when given."""
    try:
        yield
    except (DriverError, Neo4jError, ConnectionError) as exc:
        mapped = domain_error(exc)
        if mapped is None:
            raise
        if outage is not None and type(mapped) is StoreUnavailable:
            outage.record()
        raise mapped from exc


class Neo4jStore(Neo4jPages, Neo4jAuth, Store):
    """A Store over ``driver`` (shared, closed by the app) and ``database``."""

    def __init__(self, driver, database="neo4j", outage=None):
        self.driver = driver
        self.database = database
        self._outage = outage
        self._session = None
        self._tx = None

    def close(self):
        """Roll back a unit of work left open; the driver is the app's and stays."""
        if self._tx is not None:
            self._rollback()

    def _read(self, work, *args, **params):
        """Run ``work(tx, ...)`` in the open unit of work's transaction, or a managed read one."""
        if self._tx is not None:
            with graph_errors(self._outage):
                return work(self._tx, *args, **params)
        with graph_errors(self._outage), self.driver.session(database=self.database,
                                                             default_access_mode=READ_ACCESS) as session:
            return session.execute_read(work, *args, **params)

    def _write(self, work, *args, **params):
        """Run ``work(tx, ...)`` in the open unit of work's transaction, or a managed write one."""
        if self._tx is not None:
            with graph_errors(self._outage):
                return work(self._tx, *args, **params)
        return self._write_apart(work, *args, **params)

    def _write_apart(self, work, *args, retries=None, **params):
        """Run ``work(tx, ...)`` in a managed write transaction of its own session, never in the
        open unit of work's: safe from another thread (a bulk import's writers). ``retries``:
        the session's retry settings (``max_transaction_retry_time``, ``initial_retry_delay``)
        instead of the driver's."""
        with graph_errors(self._outage), self.driver.session(database=self.database, default_access_mode=WRITE_ACCESS,
                                                             **(retries or {})) as session:
            return session.execute_write(work, *args, **params)

    # -- transactions -----------------------------------------------------------
    # A unit of work is one explicit write transaction: its reads see (and its locks
    # hold against) concurrent transactions until it commits. Its checks cannot be
    # replayed by the driver, so a transient failure is reported, not retried.
    def _begin(self):
        with graph_errors(self._outage):
            self._session = self.driver.session(database=self.database, default_access_mode=WRITE_ACCESS)
            try:
                self._tx = self._session.begin_transaction()
            except BaseException:
                self._session.close()
                self._session = None
                raise

    def _commit(self):
        try:
            with graph_errors(self._outage):
                self._tx.commit()
        finally:
            self._end()

    def _rollback(self):
        try:
            if self._tx is not None and not self._tx.closed():
                self._tx.rollback()
        except (DriverError, Neo4jError, ConnectionError):
            pass  # the transaction is gone with its connection: nothing was committed
        finally:
            self._end()

    def _end(self):
        session, self._session, self._tx = self._session, None, None
        if session is not None:
            session.close()

    def _lock(self, name):
        self._write(_run, cypher.query("lock/acquire"), name=name)

    # -- schema -------------------------------------------------------------
    def init_schema(self):
        for text in (cypher.query("schema/constraints"), cypher.query("schema/indexes"),
                     cypher.query("schema/retired")):
            for statement in cypher.statements(text):
                self._write(_run, statement)  # schema commands: one per transaction
        self._read(_run, cypher.query("schema/await_indexes"), seconds=300)

    def warm_up(self, stop=None):
        """Have the server plan every query now (EXPLAIN runs nothing), so that the first
        request after a restart does not wait seconds for plan compilation. Returns how
        many queries were planned; one that cannot be planned this way is skipped. Stops
        early, between two queries, once ``stop`` (a ``threading.Event``) is set."""
        planned = 0
        # Without parameters the server warns that each plan "cannot be cached"; that is
        # expected here (the plans are what is wanted), so the warnings are not asked for.
        with self.driver.session(database=self.database, notifications_min_severity="OFF") as session:
            for name in cypher.names():
                if stop is not None and stop.is_set():
                    break
                if name.startswith("schema/"):
                    continue  # schema commands are not planned
                try:
                    session.run(cypher.explained(name)).consume()
                    planned += 1
                except (DriverError, Neo4jError):
                    continue
        return planned

    # -- reads ----------------------------------------------------------------
    def last_change_id(self) -> int:
        """The id of the newest audit record (0 when there is none): changes whenever anything is written."""
        return self._read(_rows, cypher.query("audit/last_id"))[0]["id"] or 0

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

    def import_objects(self, objects, actor):
        """See ``Store.import_objects``: a large import is committed in batches, two at a
        time, and undone if one fails (``neo4j_import``)."""
        objects = dependency_order(list(objects))
        if self.in_transaction or len(objects) <= neo4j_import.IMPORT_BATCH:
            return super().import_objects(objects, actor)
        neo4j_import.import_in_batches(self, objects, actor)
        for obj in objects:
            obj.version = 1
        return len(objects)

    # -- traversal --------------------------------------------------------------
    def _reach_by_queries(self, category, on, start, subject_groups, include_planned, max_depth):
        return neo4j_traversal.reach(self, category, on, start, subject_groups, include_planned, max_depth)

    def index_version(self):
        return neo4j_traversal.index_version(self)

    def index_changes(self, since, newest):
        return neo4j_traversal.index_changes(self, since, newest)

    def index_load(self, kind, keys):
        return neo4j_traversal.index_load(self, kind, keys)

    # -- users ----------------------------------------------------------------
    def get_user(self, username):
        rows = self._read(_rows, cypher.query("user/get"), username=username)
        return User(**rows[0]) if rows else None

    def save_user(self, user, actor="system"):
        self._write(_save_user, user, actor)

    def list_users(self):
        return [User(**row) for row in self._read(_rows, cypher.query("user/list"))]


def _save_user(tx, user, actor):
    """Upsert the user and append its audit record; safe to retry as a whole."""
    rows = _rows(tx, cypher.query("user/get"), username=user.username)
    action, before, after = user_audit(User(**rows[0]) if rows else None, user)
    _run(tx, cypher.query("user/save"), username=user.username, password_hash=user.password_hash, role=user.role)
    _run(tx, cypher.query("audit/append"), at=utcnow(), actor=actor, action=action, kind="user",
         key=user.username, before=json.dumps(before) if before else None, after=json.dumps(after))
