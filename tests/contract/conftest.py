"""The contract suite: every test runs against each Store implementation.

``store`` is a fresh, schema-initialised store: SQLite on a temporary file, or Neo4j
on the test server of ``tests.neo4j_harness`` (registered in ``tests/conftest.py``).
One driver serves the session. The Neo4j database is reset completely (data,
constraints, indexes) before the first test and emptied of data before each test;
``init_schema()`` runs every time. Dropping the schema before every test as well would
make Neo4j throw away its query plans each time and re-plan every query, which costs
seconds per test and tests nothing that the first reset and test_schema.py do not.
"""

import pytest

from registry.store.sqlite import SQLiteStore

_schema_reset = []


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server):
    from registry.store.neo4j import connect

    driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password)
    yield driver
    driver.close()


@pytest.fixture
def sqlite_store(tmp_path):
    store = SQLiteStore(tmp_path / "registry.db")
    store.init_schema()
    yield store
    store.close()


@pytest.fixture
def neo4j_store(neo4j_server, neo4j_driver):
    from registry.store.neo4j import Neo4jStore
    from tests.neo4j_harness import reset_database

    if not _schema_reset:
        reset_database(neo4j_driver, neo4j_server.database)
        _schema_reset.append(True)
    else:
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_server.database)
    store = Neo4jStore(neo4j_driver, neo4j_server.database)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "neo4j"])
def store(request):
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture
def store_factory(store):
    """Makes another store on the database of ``store`` (as another request would);
    the caller closes it, in the thread that used it."""
    from registry.store.neo4j import Neo4jStore

    def make():
        if isinstance(store, SQLiteStore):
            return SQLiteStore(store.path)
        return Neo4jStore(store.driver, store.database)

    return make
