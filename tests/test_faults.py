"""Faults: while Neo4j is down, a signed-in admin gets the 503 page promptly, never a bare 500."""

import socket
import time

import pytest

from registry import create_app
from registry.db import get_store, make_backend
from registry.services.users import create_user
from tests.conftest import PASSWORD


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def neo4j_app(neo4j_server):
    config = {"TESTING": True, "SECRET_KEY": "faults", "WTF_CSRF_ENABLED": False, "STORE": "neo4j",
              "NEO4J_URI": neo4j_server.uri, "NEO4J_USER": neo4j_server.user,
              "NEO4J_PASSWORD": neo4j_server.password, "NEO4J_DATABASE": neo4j_server.database}
    app = create_app(config)
    with app.app_context():
        store = get_store()
        store.init_schema()
        if store.get_user("admin") is None:
            create_user(store, "admin", PASSWORD, "admin")
    yield app
    app.extensions["registry.backend"].close()


def test_signed_in_pages_answer_503_while_the_database_is_down(neo4j_app):
    client = neo4j_app.test_client()
    assert client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 302
    assert client.get("/admin/").status_code == 200
    working = neo4j_app.extensions["registry.backend"]
    down = dict(neo4j_app.config, NEO4J_URI=f"bolt://127.0.0.1:{_free_port()}")
    neo4j_app.extensions["registry.backend"] = make_backend(down)  # the database goes away
    try:
        for url in ("/admin/", "/admin/organisations/", "/graph/gaps"):
            started = time.perf_counter()
            page = client.get(url)
            seconds = time.perf_counter() - started
            print(f"{url}: {page.status_code} in {seconds:.1f} s")
            assert page.status_code == 503, url
            assert "unavailable" in page.get_data(as_text=True).lower() and "Traceback" not in page.text
        api = client.get("/api/v1/organisations", headers={"Authorization": "Bearer rgt_x"})
        assert api.status_code == 503 and api.json["status"] == 503
    finally:
        neo4j_app.extensions["registry.backend"].close()
        neo4j_app.extensions["registry.backend"] = working
    assert client.get("/admin/").status_code == 200  # and the session survives the outage
