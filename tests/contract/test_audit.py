"""The audit trail: one record per write, in the same transaction, newest first."""

import pytest

from registry.domain.errors import Conflict

from .builders import create, delete, org, update


def test_one_record_per_write_with_before_after_and_actor(store):
    [acme] = create(store, org("acme", name="Acme"), actor="alice")
    acme.name = "Acme Ltd"
    acme.certifications = ["soc2"]
    update(store, acme, expected_version=1, actor="bob")
    delete(store, "organisation", "acme", expected_version=2, actor="carol")

    deleted, updated, created = store.audit_log()
    assert (created.action, created.actor, created.kind, created.key) == ("create", "alice", "organisation", "acme")
    assert created.before is None
    assert created.after == org("acme", name="Acme").to_dict()
    assert "version" not in created.after

    assert (updated.action, updated.actor) == ("update", "bob")
    assert updated.before == created.after
    assert updated.after["name"] == "Acme Ltd" and updated.after["certifications"] == ["soc2"]
    assert updated.changed_fields() == ["certifications", "name"]

    assert (deleted.action, deleted.actor) == ("delete", "carol")
    assert deleted.before == updated.after
    assert deleted.after is None

    assert created.id < updated.id < deleted.id
    for record in (created, updated, deleted):
        assert record.at[:2] == "20" and "T" in record.at


def test_a_batch_writes_one_record_per_write(store):
    create(store, org("a"), org("b"), org("c"))
    records = store.audit_log()
    assert [r.key for r in records] == ["c", "b", "a"]
    assert len({r.id for r in records}) == 3


def test_the_before_of_a_second_write_to_the_same_object_in_a_batch(store):
    create(store, org("holding"))
    with store.unit_of_work("dpo") as uow:
        uow.add(org("sub", name="Sub"))
        uow.update(org("sub", name="Sub Ltd", parent="holding"), 1)
        [first, second] = uow.commit()
    assert second.version == 2
    newest, previous = store.audit_log(key="sub")
    assert previous.after == org("sub", name="Sub").to_dict()
    assert newest.before == previous.after
    assert newest.after["parent"] == "holding"
    assert store.get("organisation", "sub").parent == "holding"


def test_the_before_records_references(store):
    create(store, org("holding"), org("sub", parent="holding"))
    sub = store.get("organisation", "sub")
    sub.parent = None
    update(store, sub, 1)
    [record] = store.audit_log(key="sub", limit=1)
    assert record.before["parent"] == "holding"
    assert record.after["parent"] is None


def test_a_failed_write_leaves_no_record(store):
    create(store, org("acme"))
    with pytest.raises(Conflict):
        create(store, org("beta"), org("acme"))
    assert [r.key for r in store.audit_log()] == ["acme"]


def test_filters_order_and_paging(store):
    create(store, org("acme"), actor="alice")
    create(store, org("beta"), actor="bob")
    from .builders import purpose
    create(store, purpose("acme"), actor="bob")
    update(store, store.get("organisation", "acme"), 1, actor="bob")

    def summary(records):
        return [(r.action, r.kind, r.key, r.actor) for r in records]

    everything = store.audit_log()
    assert summary(everything) == [("update", "organisation", "acme", "bob"),
                                   ("create", "purpose", "acme", "bob"),
                                   ("create", "organisation", "beta", "bob"),
                                   ("create", "organisation", "acme", "alice")]
    assert [r.id for r in everything] == sorted((r.id for r in everything), reverse=True)
    assert summary(store.audit_log(kind="organisation", key="acme")) == [
        ("update", "organisation", "acme", "bob"), ("create", "organisation", "acme", "alice")]
    assert summary(store.audit_log(key="acme")) == [
        ("update", "organisation", "acme", "bob"), ("create", "purpose", "acme", "bob"),
        ("create", "organisation", "acme", "alice")]
    assert summary(store.audit_log(kind="purpose")) == [("create", "purpose", "acme", "bob")]
    assert summary(store.audit_log(actor="alice")) == [("create", "organisation", "acme", "alice")]
    assert summary(store.audit_log(kind="organisation", actor="bob")) == [
        ("update", "organisation", "acme", "bob"), ("create", "organisation", "beta", "bob")]
    assert store.audit_log(limit=2) == everything[:2]
    assert store.audit_log(limit=2, offset=2) == everything[2:]
    assert store.audit_log(actor="nobody") == []
