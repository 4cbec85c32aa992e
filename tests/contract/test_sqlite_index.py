"""The embedded store's flow index: the same reach as its queries, current after every write.

SQLite only: the index is how the embedded store answers ``reach`` outside a unit of work;
inside one it uses its queries (``_reach_by_queries``), which must agree with it.
"""

import itertools

import pytest

from registry.store import sqlite_traversal
from registry.store.sqlite import SQLiteStore

from .builders import category, collection, create, engagement, group, org
from .test_reach import ACCOUNT, EMAIL, ON, graph  # noqa: F401  (the fixture)


@pytest.fixture
def store(sqlite_store):
    return sqlite_store


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
        assert _shape(graph.reach(*args)) == _shape(sqlite_traversal._reach_by_queries(graph, *args)), args


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


def test_writes_by_another_process_are_seen(store):
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
