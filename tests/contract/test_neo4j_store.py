"""What only the Neo4j store has: the graph's shape, the driver's behaviour, the plans.

The rest of this directory holds the contract, run against every store; these tests
check the Neo4j side of it from below (the graph itself, retries, errors, connection).
"""

import socket

import pytest
from neo4j.exceptions import ConstraintError, SessionExpired, TransientError

from registry import cypher
from registry.domain.errors import Conflict, StoreBusy, StoreLimit, StoreUnavailable
from registry.store import neo4j as neo4j_module
from registry.store.neo4j import Neo4jStore, connect, domain_error

from .builders import base_graph, collection, create, delete, engagement, group, org


def _count(store, pattern_query, **params):
    records, _, _ = store.driver.execute_query(pattern_query, params, database_=store.database)
    return records[0][0]


def test_the_graph_has_the_documented_shape(neo4j_store):
    store = neo4j_store
    create(store, *base_graph(), org("sub", parent="cloudco"),
           collection("signup", "acme", "customers", ["account.contact.email"], purposes=["billing"]),
           engagement("acme-cloudco", "acme", "cloudco", ["account.contact"], subject_groups=["customers"],
                      purposes=["billing"], safeguards=["scc:2"]))
    assert _count(store, "MATCH (:Organisation {key: 'acme'})-[:ENGAGES]->(e:Engagement:Entity)"
                         "-[:ENGAGED]->(:Organisation {key: 'cloudco'}) RETURN count(e)") == 1
    assert _count(store, "MATCH (:Engagement)-[r:CARRIES]->(:Category {key: 'account.contact'}) RETURN count(r)") == 1
    assert _count(store, "MATCH (:Engagement)-[r:CONCERNS]->(:SubjectGroup) RETURN count(r)") == 1
    assert _count(store, "MATCH (:Engagement)-[r:FOR_PURPOSE]->(:Purpose) RETURN count(r)") == 1
    assert _count(store, "MATCH (:Category {key: 'account.contact.email'})-[:PART_OF]->(:Category)"
                         "-[:PART_OF]->(c:Category {key: 'account'}) RETURN count(c)") == 1
    assert _count(store, "MATCH (:Organisation {key: 'sub'})-[r:SUBSIDIARY_OF]->(:Organisation {key: 'cloudco'}) "
                         "RETURN count(r)") == 1
    assert _count(store, "MATCH (:Collection)-[:COLLECTED_BY]->(:Organisation {key: 'acme'}) RETURN count(*)") == 1
    assert _count(store, "MATCH (:Collection)-[:COLLECTS]->(:Category) RETURN count(*)") == 1
    assert _count(store, "MATCH (e:Engagement) RETURN e.safeguards") == '[{"code": "scc:2"}]'
    assert _count(store, "MATCH (a:AuditRecord) RETURN count(a)") == 10
    assert _count(store, "MATCH (c:Counter {name: 'audit'}) RETURN c.value") == 10
    delete(store, "engagement", "acme-cloudco")
    assert _count(store, "MATCH (n:Retired) RETURN count(n)") == 0
    assert _count(store, "MATCH (:Organisation {key: 'acme'})-[r:ENGAGES]->() RETURN count(r)") == 0


def _schema_names(store, what):
    records, _, _ = store.driver.execute_query(f"SHOW {what} YIELD name RETURN collect(name) AS names",
                                               database_=store.database)
    return set(records[0]["names"])


def test_schema_constraints_and_indexes(neo4j_store):
    constraints = _schema_names(neo4j_store, "CONSTRAINTS")
    assert {"entity_kind_key", "user_username", "audit_record_id"} <= constraints
    assert not constraints & {"organisation_key", "engagement_key"}  # entity_kind_key covers every kind
    assert {"engagement_status", "audit_record_key"} <= _schema_names(neo4j_store, "INDEXES")


def test_init_schema_drops_what_earlier_versions_made(neo4j_store):
    run = neo4j_store.driver.execute_query
    run("CREATE CONSTRAINT organisation_key IF NOT EXISTS FOR (n:Organisation) REQUIRE n.key IS UNIQUE",
        database_=neo4j_store.database)
    run("CREATE INDEX entity_import IF NOT EXISTS FOR (n:Entity) ON (n._import)", database_=neo4j_store.database)
    create(neo4j_store, org("acme"))
    neo4j_store.init_schema()
    assert "organisation_key" not in _schema_names(neo4j_store, "CONSTRAINTS")
    assert "entity_import" not in _schema_names(neo4j_store, "INDEXES")
    assert neo4j_store.get("organisation", "acme").version == 1
    with pytest.raises(Conflict):  # a key is still unique per kind
        create(neo4j_store, org("acme"))
    create(neo4j_store, group("acme"))  # and free in another kind
    assert neo4j_store.get("subject_group", "acme").version == 1


def test_a_transient_failure_reruns_the_whole_unit_of_work_and_writes_once(neo4j_store, monkeypatch):
    """A deadlock inside a unit of work rolls it back; the service runs it again from the start."""
    from neo4j.exceptions import TransientError

    from registry.services import objects

    attempts = []
    real = neo4j_module.apply_writes

    def flaky(tx, writes, actor):
        result = real(tx, writes, actor)
        attempts.append(1)
        if len(attempts) == 1:
            raise TransientError("deadlock detected (simulated)")
        return result

    monkeypatch.setattr(neo4j_module, "apply_writes", flaky)
    acme = objects.create(neo4j_store, "dpo", "organisation", {"key": "acme", "name": "Acme"})
    assert len(attempts) == 2
    assert acme.version == 1
    assert len(neo4j_store.audit_log()) == 1
    assert neo4j_store.get("organisation", "acme").version == 1


def test_a_constraint_error_becomes_a_conflict(neo4j_store):
    create(neo4j_store, org("acme"))
    props = {"entity_kind": "organisation", "key": "acme", "version": 1, "display_name": "x", "name": "x"}
    with pytest.raises(ConstraintError) as caught:  # past the store's own check, as a racing writer is
        neo4j_store.driver.execute_query(cypher.query("entity/create"), label="Organisation", props=props,
                                         database_=neo4j_store.database)
    error = domain_error(caught.value)
    assert isinstance(error, Conflict)
    assert error.message == "an organisation with key 'acme' already exists"


def test_a_memory_limit_is_reported_as_what_it_is(neo4j_store):
    """A transaction over the server's memory limit (512 MiB for the tests' one) is not "busy":
    it says which limit, and it is not run again."""
    with pytest.raises(TransientError) as caught:  # ~800 MB of integers, held at once
        neo4j_store.driver.execute_query("UNWIND range(1, 100000000) AS x RETURN size(collect(x)) AS n",
                                         database_=neo4j_store.database)
    error = domain_error(caught.value)
    assert isinstance(error, StoreLimit) and not isinstance(error, StoreBusy)
    assert "memory" in error.message and "db.memory.transaction" in error.message
    assert error.status == 503


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_connect_with_direct_and_routing_uris(neo4j_server, scheme):
    uri = neo4j_server.uri.replace("bolt://", f"{scheme}://")
    driver = connect(uri, neo4j_server.user, neo4j_server.password)
    try:
        store = Neo4jStore(driver, neo4j_server.database)
        assert store.count("organisation") >= 0
        assert store.list_users() is not None
    finally:
        driver.close()


@pytest.mark.parametrize("scheme", ["bolt", "neo4j"])
def test_an_unreachable_server_is_store_unavailable(scheme):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once the socket closes
    driver = connect(f"{scheme}://127.0.0.1:{port}", "neo4j", "secret",
                     connection_timeout=2.0, max_transaction_retry_time=0.5)
    try:
        store = Neo4jStore(driver, "neo4j")
        with pytest.raises(StoreUnavailable) as caught:
            store.find("organisation", "acme")
        assert caught.value.message == "graph database unavailable"
        with pytest.raises(StoreUnavailable):
            create(store, org("acme"))
    finally:
        driver.close()


def test_the_traversal_reads_edges_and_enumerates_no_path(neo4j_store):
    """Guards the plan: the candidate query expands single hops only, whatever is edited later
    (the walk itself happens in Python over the edges it returns)."""
    create(neo4j_store, *base_graph(), engagement("acme-cloudco", "acme", "cloudco", ["account"]))
    _, summary, _ = neo4j_store.driver.execute_query(
        cypher.explained("traversal/candidates"), database_=neo4j_store.database,
        category="account", on="2025-01-01", planned=False, groups=None)

    def operators(plan):
        yield plan["operatorType"]
        for child in plan.get("children", []):
            yield from operators(child)

    found = list(operators(summary.plan))
    assert found and not [op for op in found if "VarLength" in op or "ShortestPath" in op], found
