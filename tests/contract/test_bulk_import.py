"""Bulk imports: any size, all or nothing, on every store (Neo4j commits in batches)."""

import pytest

from registry.domain.errors import Conflict, ValidationError
from registry.store import neo4j as neo4j_module

from .builders import ACTOR, base_graph, create, engagement, org


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of 3, so that a dozen objects span several Neo4j transactions."""
    monkeypatch.setattr(neo4j_module, "IMPORT_BATCH", 3)


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
    create(store, org("before"))
    real, batches = neo4j_module._import_batch, []

    def third_batch_fails(tx, prepared):
        batches.append(prepared)
        if len(batches) == 2:
            create(store, org("meanwhile"))  # another editor, between two committed batches
        if len(batches) == 3:
            raise RuntimeError("the server went away")
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_module, "_import_batch", third_batch_fails)
    objects = base_graph() + [org(f"o{i}") for i in range(6)] + [
        engagement(f"e{i}", "acme", f"o{i}", ["account"]) for i in range(6)]
    with pytest.raises(RuntimeError):
        store.import_objects(objects, "import")
    assert len(batches) == 3
    assert sorted(o.key for o in store.list("organisation")) == ["before", "meanwhile"]
    assert store.count("engagement") == 0 and store.count("category") == 0
    assert [(r.actor, r.key) for r in store.audit_log(limit=100)] == [(ACTOR, "meanwhile"), (ACTOR, "before")]
