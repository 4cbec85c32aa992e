"""Bulk imports: any size, all or nothing, on every store (Neo4j commits in batches)."""

import pytest

from registry.domain.errors import Conflict, ValidationError
from registry.store import neo4j as neo4j_module

from .builders import base_graph, create, engagement, org


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
