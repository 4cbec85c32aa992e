"""Checks that read run inside the write's transaction, so concurrent requests cannot all pass
them: the per-address subscription limit and the objection deadline, on both stores."""

import threading

from registry import clock
from registry.domain.errors import Conflict, RateLimited
from registry.domain.model import ChangeEntry, Engagement, Organisation
from registry.services import objections, objects, subscriptions
from registry.services.public_view import public_ref

CONFIG = {"SECRET_KEY": "test", "SUBSCRIBE_ADDRESS_LIMIT": 3, "SUBSCRIBE_ADDRESS_WINDOW": 3600}


def _publisher(store, publishers=("acme",)):
    with store.unit_of_work("t") as uow:
        for key in publishers:
            uow.add(Organisation(key=key, name=key.title(), publisher=True, notice_days=30).validate())
        uow.commit()


def _race(store_factory, count, work):
    """Run ``work(store)`` in ``count`` threads at once, each on its own store; the outcomes."""
    barrier, outcomes, lock = threading.Barrier(count), [], threading.Lock()

    def run():
        store = store_factory()
        try:
            barrier.wait()
            result = work(store)
        except (RateLimited, Conflict) as exc:
            result = exc
        finally:
            store.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(count)]
    with clock.frozen("2030-03-10"):  # the clock is process-wide: frozen once around every thread
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return outcomes


def test_the_per_address_limit_holds_under_concurrent_requests(store, store_factory):
    publishers = tuple(f"pub{i}" for i in range(6))
    _publisher(store, publishers)
    turn = iter(range(6))
    lock = threading.Lock()

    def request(s):
        with lock:
            key = publishers[next(turn)]
        return subscriptions.request_subscription(s, CONFIG, key, "flood@example.com")

    outcomes = _race(store_factory, 6, request)
    accepted = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(accepted) == 3 and sum(isinstance(o, RateLimited) for o in outcomes) == 3
    assert len(store.list("subscription", filters={"email": "flood@example.com"})) == 3


def test_no_objection_is_stored_once_its_change_is_closed(store, store_factory):
    _publisher(store)
    with store.unit_of_work("t") as uow:
        uow.add(Organisation(key="newco", name="NewCo").validate())
        uow.add(Engagement(key="acme-newco", exporter="acme", importer="newco", status="planned", public=True,
                           effective_date="2030-04-15", announced_date="2030-03-01").validate())
        uow.add(ChangeEntry(key="chg-1", publisher="acme", date="2030-03-01", action="announced",
                            engagement="acme-newco", vendor="NewCo", effective_date="2030-04-15",
                            objection_deadline="2030-03-31").validate())
        uow.commit()
    data = {"name": "Dana", "contact": "dana@example.com", "reason": "no"}
    ref = public_ref("acme", "acme-newco")

    def close(s):
        # an admin starts NewCo early: its announcement takes effect today, so objections close
        eng = s.get("engagement", "acme-newco")
        objects.update(s, "admin", "engagement", eng.key,
                       dict(eng.to_dict(), status="active", effective_date="2030-03-10",
                            early_start_reason="the old vendor shut down"), eng.version)
        return "closed"

    def object_(s):
        return objections.submit(s, "acme", ref, data)

    jobs = iter([close] + [object_] * 5)
    lock = threading.Lock()

    def work(s):
        with lock:
            job = next(jobs)
        return job(s)

    outcomes = _race(store_factory, 6, work)
    stored = store.list("objection")
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    # every objection stored was checked against the deadline it was written with
    assert len(stored) + len(refused) == 5
    log = store.audit_log(limit=20)
    closed_at = next(r.id for r in log if r.kind == "engagement" and r.action == "update")
    assert store.get("change", "chg-1").effective_date == "2030-03-10"
    assert all(r.id < closed_at for r in log if r.kind == "objection")
