"""Bulk imports: any size, all or nothing, on every store (Neo4j commits in batches)."""

import threading
import time

import pytest

from registry.domain.errors import Conflict, ValidationError
from registry.store import neo4j_import
from registry.store.base import dependency_order

from .builders import ACTOR, base_graph, create, engagement, org


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of 3, so that a dozen objects span several Neo4j transactions."""
    monkeypatch.setattr(neo4j_import, "IMPORT_BATCH", 3)


def test_an_import_spanning_batches_writes_everything_with_parents_first(store):
    children = [org(f"child-{i}", parent="group-top") for i in range(5)]
    objects = base_graph() + children + [org("group-top")] + [
        engagement(f"e{i}", "acme", f"child-{i}", ["account"]) for i in range(5)]
    assert store.import_objects(objects, "import") == len(objects)
    assert store.count("organisation") == 8
    assert store.get("organisation", "child-3").parent == "group-top"
    assert store.get("engagement", "e4").version == 1
    assert len(store.audit_log(limit=100)) == len(objects)


def test_a_failing_last_batch_leaves_nothing_behind(store):
    objects = base_graph() + [org(f"o{i}") for i in range(6)] + [
        engagement("bad", "acme", "nobody", ["account"])]
    with pytest.raises(ValidationError, match="no organisation with key 'nobody'"):
        store.import_objects(objects, "import")
    assert store.count("organisation") == 0
    assert store.count("category") == 0
    assert store.audit_log() == []


def test_an_import_refuses_a_taken_key_before_writing(store):
    create(store, org("o4"))
    with pytest.raises(Conflict, match="'o4' already exists"):
        store.import_objects(base_graph() + [org(f"o{i}") for i in range(6)], "import")
    assert store.count("organisation") == 1
    assert len(store.audit_log()) == 1


def test_a_batch_failing_on_the_server_undoes_only_what_the_import_wrote(neo4j_store, monkeypatch):
    """Batches 1 and 2 commit, batch 3 fails: their objects and audit records go, and a write
    another editor made between two batches stays, with its audit record."""
    store = neo4j_store
    monkeypatch.setattr(neo4j_import, "IMPORT_WRITERS", 1)  # the editor writes between batches, not beside one
    create(store, org("before"))
    real, batches = neo4j_import._import_batch, []

    def third_batch_fails(tx, prepared):
        batches.append(prepared)
        if len(batches) == 2:
            create(store, org("meanwhile"))  # another editor, between two committed batches
        if len(batches) == 3:
            raise RuntimeError("the server went away")
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_import, "_import_batch", third_batch_fails)
    objects = base_graph() + [org(f"o{i}") for i in range(6)] + [
        engagement(f"e{i}", "acme", f"o{i}", ["account"]) for i in range(6)]
    with pytest.raises(RuntimeError):
        store.import_objects(objects, "import")
    assert len(batches) == 3
    assert sorted(o.key for o in store.list("organisation")) == ["before", "meanwhile"]
    assert store.count("engagement") == 0 and store.count("category") == 0
    assert [(r.actor, r.key) for r in store.audit_log(limit=100)] == [(ACTOR, "meanwhile"), (ACTOR, "before")]


def test_a_batch_waits_for_the_batch_holding_what_it_refers_to(neo4j_store, monkeypatch):
    """The first batch is slow to commit; the second links to its organisations, so it may
    not start before: its relationships need those nodes."""
    real, started = neo4j_import._import_batch, []

    def slow_first(tx, prepared):
        started.append(time.monotonic())
        if len(started) == 1:
            time.sleep(0.5)
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_import, "_import_batch", slow_first)
    objects = [org(f"o{i}") for i in range(3)] + [org("o3")] + [
        engagement(f"e{i}", "o0", f"o{i + 1}", []) for i in range(2)]
    assert neo4j_store.import_objects(objects, "import") == len(objects)
    assert neo4j_store.get("engagement", "e1").importer == "o2"
    assert started[1] - started[0] >= 0.5


def test_independent_batches_are_written_side_by_side_and_numbered_in_turn(neo4j_store, monkeypatch):
    """Batches that refer to nothing of each other run two at a time; each one's audit records
    still have consecutive ids (what an undo deletes), and no id is lost or taken twice."""
    real, both = neo4j_import._import_batch, threading.Barrier(2, timeout=10)

    def meet(tx, prepared):
        both.wait()  # times out (BrokenBarrierError) unless two batches are being written at once
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_import, "_import_batch", meet)
    objects = [org(f"o{i}") for i in range(12)]
    assert neo4j_store.import_objects(objects, "import") == 12
    records = sorted(neo4j_store.audit_log(limit=100), key=lambda r: r.id)
    assert [r.id for r in records] == list(range(records[0].id, records[0].id + 12))
    written = [sorted(r.key for r in records[start:start + 3]) for start in range(0, 12, 3)]
    ordered = dependency_order(objects)
    batches = [sorted(o.key for o in ordered[start:start + 3]) for start in range(0, 12, 3)]
    assert sorted(written) == sorted(batches)


def test_a_batch_committed_beside_the_failing_one_is_undone_too(neo4j_store, monkeypatch):
    """Batches 3 and 4 are written at once; 3 fails, 4 commits after it: nothing stays."""
    real, pairs = neo4j_import._import_batch, threading.Barrier(2, timeout=10)

    def third_fails(tx, prepared):
        pairs.wait()  # batches meet in twos: 1 with 2, 3 with 4
        if any(props["key"] == "o6" for run in prepared.runs for props in run.creates):
            raise RuntimeError("the server went away")
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_import, "_import_batch", third_fails)
    with pytest.raises(RuntimeError):
        neo4j_store.import_objects([org(f"o{i}") for i in range(12)], "import")
    assert neo4j_store.count("organisation") == 0
    assert neo4j_store.audit_log() == []
