"""Session keys, API tokens and rate counters: the same behaviour on both stores."""

import threading

from registry.domain.records import ApiToken, User
from registry.services.users import create_token, revoke_token, revoke_user_tokens, token_user


def _user(store, name="ann"):
    store.save_user(User(name, "hash", "editor"))


def test_session_keys_replace(store):
    _user(store)
    assert store.session_key("ann") is None
    store.set_session_key("ann", "k1")
    store.set_session_key("ann", "k2")
    assert store.session_key("ann") == "k2"
    assert store.session_key("nobody") is None


def test_tokens_are_stored_hashed_found_listed_and_revoked(store):
    _user(store)
    _user(store, "bob")
    token, secret = create_token(store, "ann", "nightly sync", "ann")
    create_token(store, "bob", "other", "bob")
    assert secret.startswith("rgt_") and secret not in repr(store.list_tokens())
    assert token_user(store, secret).username == "ann"
    assert token_user(store, secret + "x") is None and token_user(store, "") is None
    assert [t.name for t in store.list_tokens("ann")] == ["nightly sync"]
    assert len(store.list_tokens()) == 2
    assert isinstance(store.find_token(token.token_hash), ApiToken)
    revoke_token(store, token.id, "admin")
    assert token_user(store, secret) is None
    actions = [(r.kind, r.action) for r in store.audit_log(kind="token")]
    assert actions == [("token", "delete"), ("token", "create"), ("token", "create")]
    assert all("hash" not in str(r.after) + str(r.before) for r in store.audit_log(kind="token"))
    assert revoke_user_tokens(store, "bob", "admin") == 1 and store.list_tokens() == []


def test_rate_counters_count_in_windows(store):
    assert store.hit_counter("login:x", 1000, 10_000) == (1, 11_000)
    assert store.hit_counter("login:x", 1000, 10_500, 2) == (3, 11_000)
    assert store.hit_counter("login:x", 1000, 10_600, 0) == (3, 11_000)  # a read
    assert store.hit_counter("login:x", 1000, 11_000) == (1, 12_000)  # a new window
    assert store.hit_counter("login:y", 1000, 11_000) == (1, 12_000)


def test_concurrent_hits_all_count(store, store_factory):
    """Counters are shared storage: hits from several connections (processes) add up."""
    errors = []

    def worker():
        other = store_factory()
        try:
            for _ in range(5):
                other.hit_counter("form:1.2.3.4", 60_000, 1_000)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.hit_counter("form:1.2.3.4", 60_000, 1_000, 0)[0] == 20
