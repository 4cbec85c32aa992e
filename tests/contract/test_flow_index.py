"""The flow index: the same reach as the stores' queries, current after every write, on both stores.

Outside a unit of work a store answers ``reach`` from the index; inside one, from its
queries (``sqlite_traversal.reach``, ``neo4j_traversal.reach``), which must agree with it.
"""

import itertools

import pytest

from registry.store import neo4j_traversal, sqlite_traversal
from registry.store.sqlite import SQLiteStore

from .builders import category, collection, create, engagement, group, org
from .test_reach import ACCOUNT, EMAIL, ON, graph  # noqa: F401  (the fixture)


def _by_queries(store, *args):
    traversal = sqlite_traversal if isinstance(store, SQLiteStore) else neo4j_traversal
    return traversal.reach(store, *args)


def _shape(reach):
    return ([c.key for c in reach.collections], sorted(e.key for e in reach.engagements),
            sorted(reach.organisations), reach.cut)


QUESTIONS = list(itertools.product(
    [ACCOUNT, EMAIL, "account.contact", "health", "account.billing", "nothing"],
    ["2023-06-01", "2024-06-30", ON, "2026-01-01"],
    [None, "acme", "cloudco", "loner"],
    [None, ["customers"], ["employees"]],
    [False, True],
    [None, 1, 2]))


def test_the_index_answers_as_the_queries_do(graph):  # noqa: F811
    for category_key, on, start, groups, planned, depth in QUESTIONS:
        args = (category_key, on, start, groups, planned, depth)
        assert _shape(graph.reach(*args)) == _shape(_by_queries(graph, *args)), args


def test_the_index_sees_every_write(store):
    create(store, category("x"), group("g"), org("a"), org("b"), org("c"), collection("col", "a", "g", ["x"]),
           engagement("a-b", "a", "b", ["x"], effective_date="2024-01-01"))
    assert _shape(store.reach("x", ON))[1] == ["a-b"]
    create(store, engagement("b-c", "b", "c", ["x"], effective_date="2024-01-01"))
    assert _shape(store.reach("x", ON))[1] == ["a-b", "b-c"]
    changed = store.get("engagement", "b-c")
    changed.end_date, changed.status = "2024-06-01", "ended"
    with store.unit_of_work("test") as uow:
        uow.update(changed, changed.version)
        uow.commit()
    assert _shape(store.reach("x", ON))[1] == ["a-b"]
    with store.unit_of_work("test") as uow:
        uow.delete("engagement", "b-c", 2)
        uow.delete("engagement", "a-b", 1)
        uow.commit()
    assert _shape(store.reach("x", ON))[1] == []


def test_writes_by_another_process_are_seen(sqlite_store):
    store = sqlite_store
    create(store, category("x"), org("a"), org("b"))
    assert store.reach("x", ON, start="a").engagements == []
    other = SQLiteStore(store.path)  # another connection to the same file, as another worker has
    create(other, engagement("a-b", "a", "b", ["x"], effective_date="2024-01-01"))
    other.close()
    assert [e.key for e in store.reach("x", ON, start="a").engagements] == ["a-b"]


def test_a_unit_of_work_sees_its_own_writes_and_a_rollback_leaves_the_index_alone(store):
    create(store, category("x"), org("a"), org("b"))
    assert store.reach("x", ON, start="a").engagements == []
    with pytest.raises(RuntimeError):
        with store.unit_of_work("test") as uow:
            uow.add(engagement("a-b", "a", "b", ["x"], effective_date="2024-01-01"))
            uow.flush()
            assert [e.key for e in store.reach("x", ON, start="a").engagements] == ["a-b"]
            raise RuntimeError("roll back")
    assert store.reach("x", ON, start="a").engagements == []


def test_a_database_made_again_at_the_same_path_is_indexed_afresh(tmp_path):
    """SQLite: another file at the same path (Neo4j: a wiped database is tested by every contract test)."""
    path = tmp_path / "again.db"
    for importer in ("b", "c"):
        if path.exists():
            path.unlink()
        store = SQLiteStore(path)
        store.init_schema()
        create(store, category("x"), org("a"), org(importer),
               engagement("a-it", "a", importer, ["x"], effective_date="2024-01-01"))
        assert [e.importer for e in store.reach("x", ON, start="a").engagements] == [importer]
        store.close()


def test_an_undone_bulk_import_leaves_the_index_too(neo4j_store, monkeypatch):
    """Neo4j commits a bulk import in batches; an index that saw the first ones forgets them on undo."""
    from registry.store import neo4j_import

    store = neo4j_store
    monkeypatch.setattr(neo4j_import, "IMPORT_BATCH", 3)
    monkeypatch.setattr(neo4j_import, "IMPORT_WRITERS", 1)  # so that the third batch comes after the second
    create(store, category("x"), org("a"))
    assert store.reach("x", ON, start="a").engagements == []
    real, batches = neo4j_import._import_batch, []

    def third_batch_fails(tx, prepared):
        batches.append(prepared)
        if len(batches) == 3:
            seen = store.reach("x", ON, start="a")  # the index catches up with the first two batches
            assert [e.key for e in seen.engagements] == ["a-o0", "a-o1"]
            raise RuntimeError("the server went away")
        return real(tx, prepared)

    monkeypatch.setattr(neo4j_import, "_import_batch", third_batch_fails)
    objects = [org(f"o{i}") for i in range(4)] + [
        engagement(f"a-o{i}", "a", f"o{i}", ["x"], effective_date="2024-01-01") for i in range(4)]
    with pytest.raises(RuntimeError):
        store.import_objects(objects, "import")
    after = store.reach("x", ON, start="a")
    assert after.engagements == [] and list(after.organisations) == ["a"]


def test_a_database_before_migration_5_is_answered_by_queries(sqlite_store):
    store = sqlite_store
    create(store, category("x"), org("a"), org("b"), engagement("a-b", "a", "b", ["x"], effective_date="2024-01-01"))
    store.conn.execute("DROP TABLE database_identity")  # as a file from before the flow index
    assert [e.key for e in store.reach("x", ON, start="a").engagements] == ["a-b"]
