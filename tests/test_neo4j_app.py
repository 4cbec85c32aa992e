"""The app on Neo4j: pages, moving a registry between stores, and an unreachable database."""

import json
import socket
import time
import threading
from base64 import b64encode

import pytest

from registry import create_app
from registry.db import get_store
from registry.services.exchange import dumps, export_registry, import_registry, seed
from registry.services.paths import where_does_it_go
from registry.services.users import create_user
from registry.store.sqlite import SQLiteStore
from tests.conftest import PASSWORD


def _config(server, uri=None):
    return {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "STORE": "neo4j", "NEO4J_URI": uri or server.uri,
            "NEO4J_USER": server.user, "NEO4J_PASSWORD": server.password, "NEO4J_DATABASE": server.database}


@pytest.fixture
def neo4j_app(neo4j_server):
    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_server.database)
    app = create_app(_config(neo4j_server))
    with app.app_context():
        store = get_store()
        store.init_schema()
        create_user(store, "viewer", PASSWORD, "viewer")
    yield app
    app.extensions["registry.backend"].close()


def _basic(user="viewer"):
    return {"Authorization": "Basic " + b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def test_moving_a_registry_from_sqlite_to_neo4j_is_lossless(neo4j_app, tmp_path):
    embedded = SQLiteStore(tmp_path / "embedded.sqlite3")
    embedded.init_schema()
    seed(embedded)
    first = dumps(export_registry(embedded))
    with neo4j_app.app_context():
        graph = get_store()
        import_registry(graph, "import", json.loads(first))
        assert dumps(export_registry(graph)) == first
        for category in ("account", "biometric", "content"):
            on_sqlite = where_does_it_go(embedded, category, on="2026-11-22").to_dict()
            on_neo4j = where_does_it_go(graph, category, on="2026-11-22").to_dict()
            assert on_neo4j == on_sqlite, category


def test_pages_and_api_on_neo4j(neo4j_app):
    with neo4j_app.app_context():
        seed(get_store())
    client = neo4j_app.test_client()
    page = client.post("/login", data={"username": "viewer", "password": PASSWORD})
    assert page.status_code == 302
    for url in ("/admin/", "/admin/organisations/?q=demo", "/admin/organisations/demo-cloudharbor",
                "/graph/where?category=account&on=2026-11-22", "/graph/gaps", "/p/",
                "/p/demo-brindle/subprocessors"):
        assert client.get(url).status_code == 200, url
    paths = client.get("/api/v1/paths?category=biometric&on=2026-11-22", headers=_basic())
    assert paths.status_code == 200 and paths.json["status"] == "violation"


class Forwarder:
    """A loopback TCP relay to the real server: the 'database' comes back when it starts."""

    def __init__(self, port, target):
        self.port, self.target, self.sockets = port, target, []

    def start(self):
        listener = socket.create_server(("127.0.0.1", self.port))
        self.sockets.append(listener)
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        for s in self.sockets:
            s.close()


def test_unreachable_database_is_a_503_and_the_app_recovers(neo4j_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    host, target_port = neo4j_server.uri.split("://")[1].rsplit(":", 1)
    app = create_app(dict(_config(neo4j_server, uri=f"bolt://127.0.0.1:{port}"), NEO4J_OUTAGE_SECONDS=1.0))
    client = app.test_client()
    down = client.get("/api/v1/organisations", headers=_basic())
    assert down.status_code == 503 and down.json["error"] == "graph database unavailable"
    backend = app.extensions["registry.backend"]
    driver, backend._driver = backend._driver, None  # while the outage is held, nobody connects
    page = client.get("/p/")
    assert backend._driver is None
    backend._driver = driver
    assert page.status_code == 503 and "graph database unavailable" in page.text.lower()
    assert "Traceback" not in page.text
    relay = Forwarder(port, (host, int(target_port)))
    relay.start()
    time.sleep(1.1)  # the held outage ends; the next request tries the server again
    try:
        with app.app_context():
            store = get_store()
            store.init_schema()
            if store.get_user("viewer") is None:
                create_user(store, "viewer", PASSWORD, "viewer")
        assert client.get("/api/v1/organisations", headers=_basic()).status_code == 200
        assert client.get("/p/").status_code == 200
    finally:
        app.extensions["registry.backend"].close()
        relay.stop()


def test_closing_the_app_stops_the_plan_warm_up_first(neo4j_server):
    """The warm-up plans queries on its own connection; the app closes the driver only once it
    has stopped (closing a connection in use broke the driver's buffers: BufferError)."""
    from registry.db import Neo4jBackend
    from registry.store.neo4j import Neo4jStore

    for _ in range(5):  # closed at once, while the warm-up is planning
        backend = Neo4jBackend(neo4j_server.uri, neo4j_server.user, neo4j_server.password, neo4j_server.database)
        assert backend.driver is not None
        warming = backend._warming
        backend.close()
        assert not warming.is_alive()
    stopped = threading.Event()
    stopped.set()
    with neo4j_server.driver() as driver:
        store = Neo4jStore(driver, neo4j_server.database)
        assert store.warm_up(stopped) == 0
        assert store.warm_up() > 30
