"""``last_change_id``: the registry's version, which public pages are cached by, on both stores."""

from registry.domain.model import Organisation


def test_last_change_id_moves_with_every_write_and_only_then(store):
    first = store.last_change_id()
    assert first == 0
    with store.unit_of_work("t") as uow:
        uow.add(Organisation(key="acme", name="Acme").validate())
        uow.commit()
    second = store.last_change_id()
    assert second > first
    store.list("organisation")
    assert store.last_change_id() == second  # reads change nothing
    with store.unit_of_work("t") as uow:
        org = store.get("organisation", "acme")
        org.name = "Acme AG"
        uow.update(org, org.version)
        uow.commit()
    assert store.last_change_id() > second
    assert store.last_change_id() == store.audit_log(limit=1)[0].id
