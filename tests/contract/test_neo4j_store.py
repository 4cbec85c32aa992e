"""What only the Neo4j store has: the graph's shape, the driver's behaviour, the plans.

The rest of this directory holds the contract, run against every store; these tests
check the Neo4j side of it from below (the graph itself, retries, errors, connection).
"""

import socket
import threading
import time

import pytest
from neo4j.exceptions import ConstraintError, SessionExpired, TransientError

from registry import cypher
from registry.domain.errors import Conflict, StoreBusy, StoreLimit, StoreUnavailable
from registry.store import neo4j as neo4j_module
from registry.store.base import Write
from registry.store.neo4j import Neo4jStore, connect, domain_error
from registry.store.neo4j_writes import apply_writes

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


class _PausingAfterCounter:
    """A transaction that, after its first update of the audit counter, runs ``pause()``."""

    def __init__(self, tx, pause):
        self.tx, self.pause, self.paused = tx, pause, False

    def run(self, query, *args, **kwargs):
        result = self.tx.run(query, *args, **kwargs)
        if query == cypher.query("audit/append_many") and not self.paused:
            result.consume()
            self.paused = True
            self.pause()
        return result


def _blocked_transactions(store):
    records, _, _ = store.driver.execute_query(
        "SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n",
        database_=store.database)
    return records[0]["n"]


def test_a_unit_of_work_takes_the_audit_counter_once_so_a_waiting_writer_does_not_deadlock(neo4j_store):
    """Writes of several kinds (several runs) number their audit records in one update of the
    counter. A second update would deadlock with a writer already waiting for the counter's
    lock (one 50,000-engagement import batch in two was failed and written again)."""
    create(neo4j_store, org("seed"))  # the counter exists from here on
    failures, done = [], []

    def other_writer():
        try:
            with neo4j_store.driver.session(database=neo4j_store.database) as session:
                with session.begin_transaction() as tx:  # no retry: a deadlock would surface
                    apply_writes(tx, [Write("create", "organisation", "other", org("other"))], "dpo")
                    tx.commit()
            done.append(True)
        except Exception as exc:  # the test reports it
            failures.append(exc)

    waiter = threading.Thread(target=other_writer)

    def let_the_other_writer_queue_for_the_counter():
        waiter.start()
        deadline = time.monotonic() + 20
        while not _blocked_transactions(neo4j_store) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _blocked_transactions(neo4j_store) == 1, "the other writer waits for the counter"

    writes = [Write("create", "organisation", "acme", org("acme")),
              Write("create", "subject_group", "staff", group("staff"))]
    with neo4j_store.driver.session(database=neo4j_store.database) as session:
        try:
            with session.begin_transaction() as tx:
                apply_writes(_PausingAfterCounter(tx, let_the_other_writer_queue_for_the_counter), writes, "dpo")
                tx.commit()
        except TransientError as exc:
            failures.append(exc)
    waiter.join(timeout=30)
    assert failures == [] and done == [True]
    log = sorted(neo4j_store.audit_log(), key=lambda record: record.id)
    assert [(record.kind, record.key) for record in log] == [
        ("organisation", "seed"), ("organisation", "acme"), ("subject_group", "staff"), ("organisation", "other")]
    assert [record.id for record in log] == [1, 2, 3, 4]


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
