"""The store behind the app: chosen by configuration, one per request.

The app keeps one backend in ``app.extensions["registry.backend"]`` (for Neo4j it
holds the one driver); each request opens a store from it on first use and the
store is released in ``teardown_appcontext``.
"""

import atexit
import logging
import threading

from flask import current_app, g

from .domain.errors import ValidationError
from .store.sqlite import SQLiteStore

log = logging.getLogger(__name__)

WARM_UP_STOP_SECONDS = 10.0  # the warm-up stops after the query it is planning; a hung server is not waited for


class SQLiteBackend:
    """Opens SQLite stores on the configured file."""

    def __init__(self, path):
        self.path = path

    def open(self):
        return SQLiteStore(self.path)

    def close(self):
        pass


class Neo4jBackend:
    """Holds the app's one Neo4j driver, created on first use, closed at shutdown."""

    def __init__(self, uri, user, password, database, outage_seconds=5.0):
        from .store.neo4j import Outage
        self.uri, self.user, self.password, self.database = uri, user, password, database
        self._driver = None
        self._warming: threading.Thread | None = None
        self._stop_warming = threading.Event()
        self.outage = Outage(outage_seconds)

    @property
    def driver(self):
        if self._driver is None:
            from .store.neo4j import connect
            self._driver = connect(self.uri, self.user, self.password)
            self._stop_warming = threading.Event()
            self._warming = threading.Thread(target=self._warm_up, args=(self._driver, self._stop_warming),
                                             name="neo4j-warm-up", daemon=True)
            self._warming.start()
        return self._driver

    def _warm_up(self, driver, stop):
        """Plan every query in the background once the driver exists (see Neo4jStore.warm_up)."""
        from .store.neo4j import Neo4jStore
        try:
            Neo4jStore(driver, self.database).warm_up(stop)
        except Exception:  # noqa: BLE001 - a cold plan cache is slower, never wrong
            log.info("warming the Neo4j query plans failed; queries are planned on first use", exc_info=True)

    def open(self):
        """A store on the driver; StoreUnavailable at once while an outage is held."""
        from .store.neo4j import Neo4jStore
        self.outage.check()
        return Neo4jStore(self.driver, self.database, outage=self.outage)

    def close(self):
        """Close the driver, once the warm-up has stopped: closing a connection that another
        thread is using breaks the driver's buffers."""
        if self._driver is not None:
            self._stop_warming.set()
            if self._warming is not None:
                self._warming.join(timeout=WARM_UP_STOP_SECONDS)
            self._driver.close()
            self._driver = None
            self._warming = None


def make_backend(config):
    """A backend for ``config`` (a mapping with STORE and the settings it needs)."""
    kind = (config.get("STORE") or "sqlite").lower()
    if kind == "sqlite":
        return SQLiteBackend(config["SQLITE_PATH"])
    if kind == "neo4j":
        if not config.get("NEO4J_URI"):
            raise ValidationError("REGISTRY_STORE=neo4j needs NEO4J_URI", field="NEO4J_URI")
        return Neo4jBackend(config["NEO4J_URI"], config.get("NEO4J_USER") or "neo4j",
                            config.get("NEO4J_PASSWORD") or "", config.get("NEO4J_DATABASE") or "neo4j",
                            float(config.get("NEO4J_OUTAGE_SECONDS", 5.0)))
    raise ValidationError(f"unknown store {kind!r}: use sqlite or neo4j", field="STORE")


def get_store():
    """The current request's store, opened on first use.

    Its ``on_commit`` hands the events of each committed unit of work to the handlers
    the app registered in ``app.extensions["registry.event_handlers"]``, if any.
    """
    if "store" not in g:
        store = current_app.extensions["registry.backend"].open()
        store.on_commit = current_app.extensions.get("registry.event_handlers")
        g.store = store
    return g.store


def close_store(exc=None):
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app):
    backend = make_backend(app.config)
    app.extensions["registry.backend"] = backend
    app.teardown_appcontext(close_store)
    atexit.register(backend.close)
