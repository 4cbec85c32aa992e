"""Smoke tests for the Neo4j test harness (tests/neo4j_harness.py)."""

from __future__ import annotations

import os

import pytest
from neo4j import GraphDatabase

from tests.neo4j_harness import Neo4jServer, reset_database, wipe


@pytest.fixture
def driver(neo4j_server: Neo4jServer):
    drv = GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth)
    reset_database(drv, neo4j_server.database)
    yield drv
    drv.close()


def test_write_and_read_back(driver, neo4j_server):
    def create(tx, name):
        return tx.run("CREATE (s:SubProcessor {name: $name}) RETURN s.name AS name", name=name).single()["name"]

    def read(tx, name):
        return [r["name"] for r in tx.run("MATCH (s:SubProcessor {name: $name}) RETURN s.name AS name", name=name)]

    with driver.session(database=neo4j_server.database) as session:
        assert session.execute_write(create, "Acme Hosting") == "Acme Hosting"
        assert session.execute_read(read, "Acme Hosting") == ["Acme Hosting"]


@pytest.mark.skipif("NEO4J_URI" in os.environ, reason="version pinned only for the embedded server")
def test_server_version_is_5_26(driver, neo4j_server):
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
        database_=neo4j_server.database,
    )
    kernel = [r for r in records if r["name"] == "Neo4j Kernel"]
    assert kernel, records
    assert kernel[0]["versions"][0].startswith("5.26."), kernel[0]["versions"]
    assert kernel[0]["edition"] == "community"


def test_quantified_path_pattern(driver, neo4j_server):
    db = neo4j_server.database
    driver.execute_query(
        "CREATE (:X {id: 0})-[:R]->({id: 1})-[:R]->({id: 2})-[:R]->({id: 3})-[:R]->({id: 4})",
        database_=db,
    )
    records, _, _ = driver.execute_query(
        "MATCH p = (a:X)((x)-[:R]->(y)){1,3}(b) RETURN count(p) AS n", database_=db
    )
    assert records[0]["n"] == 3  # paths of length 1, 2 and 3 from the :X node


def test_dynamic_labels(driver, neo4j_server):
    """`CREATE (n:$($label))` / `MATCH (n:$($label))` (dynamic labels, Cypher in Neo4j 5.26+)."""
    db = neo4j_server.database
    driver.execute_query("CREATE (n:$($label) {k: 1})", label="Vendor Label", database_=db)
    records, _, _ = driver.execute_query(
        "MATCH (n:$($label)) RETURN labels(n) AS labels, n.k AS k", label="Vendor Label", database_=db
    )
    assert [(r["labels"], r["k"]) for r in records] == [(["Vendor Label"], 1)]


def test_reset_database_drops_schema(driver, neo4j_server):
    db = neo4j_server.database
    driver.execute_query("CREATE CONSTRAINT sp_name IF NOT EXISTS FOR (s:SubProcessor) REQUIRE s.name IS UNIQUE", database_=db)
    driver.execute_query("CREATE INDEX sp_country IF NOT EXISTS FOR (s:SubProcessor) ON (s.country)", database_=db)
    driver.execute_query("CREATE (:SubProcessor {name: 'a', country: 'DE'})", database_=db)

    wipe(neo4j_server)

    nodes, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=db)
    constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=db)
    indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name", database_=db)
    assert nodes[0]["n"] == 0
    assert constraints == []
    assert indexes == []
