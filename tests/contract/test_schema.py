"""Schema initialisation is idempotent and keeps the data."""

from registry.domain.records import User

from .builders import create, org


def test_init_schema_twice_keeps_data(store):
    create(store, org("acme"))
    store.save_user(User("alice", "hash", "admin"))
    store.init_schema()
    store.init_schema()
    assert store.get("organisation", "acme").version == 1
    assert store.get_user("alice").role == "admin"
    create(store, org("beta"))
    assert [r.key for r in store.audit_log()] == ["beta", "alice", "acme"]


def test_close_is_harmless(store):
    create(store, org("acme"))
    store.close()
    assert store.find("organisation", "acme") is not None
