"""Users: save, get, list, replace."""

from registry.domain.records import User


def test_save_get_and_list_users(store):
    assert store.get_user("alice") is None
    assert store.list_users() == []
    store.save_user(User("bob", "hash-b", "editor"))
    store.save_user(User("alice", "hash-a", "admin"))
    assert store.get_user("alice") == User("alice", "hash-a", "admin")
    assert store.list_users() == [User("alice", "hash-a", "admin"), User("bob", "hash-b", "editor")]


def test_save_replaces_password_and_role(store):
    store.save_user(User("alice", "old", "viewer"))
    store.save_user(User("alice", "new", "editor"))
    assert store.get_user("alice") == User("alice", "new", "editor")
    assert len(store.list_users()) == 1


def test_user_changes_are_audited_without_the_hash(store):
    store.save_user(User("alice", "secret-hash", "viewer"), actor="admin")
    store.save_user(User("alice", "secret-hash", "editor"), actor="admin")
    records = store.audit_log(kind="user", key="alice")
    assert [(r.action, r.actor) for r in records] == [("update", "admin"), ("create", "admin")]
    assert records[0].before == {"username": "alice", "role": "viewer"}
    assert records[0].after == {"username": "alice", "role": "editor", "password_changed": False}
    assert records[1].after["password_changed"] is True
    assert "secret-hash" not in repr(records)
    assert store.count("organisation") == 0
