"""Two editors at once, each through its own store (as two requests would be)."""

import threading

from registry.domain.errors import Conflict

from .builders import create, org, update


def _race(store_factory, work, count=2):
    """Run ``work(store)`` in ``count`` threads at once; the results or errors, in order."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        store = store_factory()
        barrier.wait()
        try:
            results[i] = work(store)
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            store.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_updates_from_the_same_version_one_wins(store, store_factory):
    create(store, org("acme", name="Acme"))

    def edit(other):
        obj = org("acme", name=f"Acme {threading.get_ident()}")
        return update(other, obj, expected_version=1)

    results = _race(store_factory, edit)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    assert conflicts[0].details["current_version"] == 2
    [winner] = [r for r in results if not isinstance(r, Exception)]
    assert store.get("organisation", "acme").name == winner[0].name
    assert store.get("organisation", "acme").version == 2
    assert [r.action for r in store.audit_log()] == ["update", "create"]


def test_two_creates_of_the_same_key_one_wins(store, store_factory):
    def add(other):
        return create(other, org("acme", name=f"Acme {threading.get_ident()}"))

    results = _race(store_factory, add)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    assert "already exists" in conflicts[0].message
    assert store.count("organisation") == 1
    assert len(store.audit_log()) == 1


def test_concurrent_writers_get_distinct_increasing_audit_ids(store, store_factory):
    results = _race(store_factory, lambda other: [create(other, org(f"org-{threading.get_ident()}-{i}"))
                                                  for i in range(5)], count=3)
    assert not [r for r in results if isinstance(r, Exception)], results
    ids = [r.id for r in store.audit_log(limit=100)]
    assert len(ids) == 15 and len(set(ids)) == 15
    assert ids == sorted(ids, reverse=True)


def _rounds(store, store_factory, rounds, prepare, work, count=2):
    """Run ``rounds`` races of ``work``; each round starts from ``prepare(store, i)``."""
    outcomes = []
    for i in range(rounds):
        prepare(store, i)
        outcomes.append(_race(store_factory, lambda other, i=i, n=iter(range(count)): work(other, i, next(n)),
                              count=count))
    return outcomes


def test_concurrent_parent_changes_cannot_store_a_loop(store, store_factory):
    """A.parent = B and B.parent = A at once: one is refused, in every round (issue 9)."""
    from registry.services import objects

    def prepare(s, i):
        create(s, org(f"a{i}"), org(f"b{i}"))

    def work(other, i, which):
        child, parent = (f"a{i}", f"b{i}") if which == 0 else (f"b{i}", f"a{i}")
        return objects.update(other, "dpo", "organisation", child,
                              {"name": child.title(), "parent": parent}, expected_version=1)

    rounds = 8
    outcomes = _rounds(store, store_factory, rounds, prepare, work)
    for i, results in enumerate(outcomes):
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1, results
        assert "loop" in str(refused[0]), refused
        a, b = store.get("organisation", f"a{i}"), store.get("organisation", f"b{i}")
        assert not (a.parent == b.key and b.parent == a.key)


def test_a_failed_unit_of_work_leaves_nothing(store):
    """Reads and writes share the transaction; an error inside the block rolls all of it back."""
    import pytest

    create(store, org("acme"))
    with pytest.raises(RuntimeError):
        with store.unit_of_work("dpo") as uow:
            uow.add(org("first"))
            uow.flush()  # applied inside the transaction
            assert store.find("organisation", "first") is not None  # visible to its own reads
            raise RuntimeError("the service changed its mind")
    assert store.find("organisation", "first") is None
    assert [r.key for r in store.audit_log()] == ["acme"]


def test_nested_units_of_work_commit_once_with_the_outer(store):
    events = []
    store.on_commit = events.extend
    with store.unit_of_work("dpo") as outer:
        with store.unit_of_work("dpo") as inner:
            inner.add(org("inner"))
            inner.emit("inner-event")
            inner.commit()
        outer.add(org("outer"))
        outer.emit("outer-event")
        assert events == []  # nothing handled before the outer commit
        outer.commit()
    assert events == ["inner-event", "outer-event"]
    assert store.count("organisation") == 2


def test_events_are_dropped_when_the_unit_of_work_fails(store):
    events = []
    store.on_commit = events.extend
    create(store, org("acme"))
    import pytest

    from registry.domain.errors import Conflict as _Conflict
    with pytest.raises(_Conflict):
        with store.unit_of_work("dpo") as uow:
            uow.add(org("acme"))
            uow.emit("never")
            uow.commit()
    assert events == []
