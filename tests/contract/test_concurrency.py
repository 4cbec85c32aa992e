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
