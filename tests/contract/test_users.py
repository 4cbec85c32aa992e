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


def test_users_are_not_registry_objects(store):
    store.save_user(User("alice", "hash", "viewer"))
    assert store.audit_log() == []
    assert store.count("organisation") == 0
