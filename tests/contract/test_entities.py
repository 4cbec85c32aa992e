"""CRUD, listing, versions, conflicts and referential integrity, for any Store."""

import dataclasses

import pytest

from registry.domain.errors import Conflict, NotFound, Referenced, ValidationError
from registry.store.base import referenced_message

from .builders import (base_graph, category, change, collection, create, delete, engagement, group,
                       objection, org, purpose, subscription, update)


def _engagement(key="acme-cloudco", **kw):
    kw.setdefault("service", "hosting")
    kw.setdefault("purposes", ["billing"])
    kw.setdefault("subject_groups", ["customers"])
    kw.setdefault("store_countries", ["US", "IE"])
    kw.setdefault("access_countries", ["IN"])
    kw.setdefault("safeguards", [{"code": "scc:2", "document": "https://example.test/dpa.pdf",
                                  "signed_on": "2024-03-01"}, "dpf"])
    kw.setdefault("effective_date", "2024-04-01")
    kw.setdefault("provenance", [{"source": "https://example.test/subprocessors", "section": "EU"}])
    return engagement(key, "acme", "cloudco", ["account.contact", "account"], **kw)


# kind -> (a new object, a change to it); every one refers to objects of base_graph().
SAMPLES = {
    "organisation": (lambda: org("vendorco", country="FR", parent="acme", certifications=["iso27001", "soc2"],
                                 provenance=[{"source": "register", "quote": "SAS"}]),
                     {"website": "https://vendorco.example", "certifications": ["soc2"]}),
    "subject_group": (lambda: group("employees", kind="employees", residence=["DE"], citizenship=["UZ", "DE"]),
                      {"residence": ["DE", "AT"], "description": "staff"}),
    "category": (lambda: category("account.contact.phone", flags=["children", "special"]),
                 {"name": "Phone number", "flags": []}),
    "purpose": (lambda: purpose("support", legal_basis="legitimate-interests"),
                {"legal_basis": "contract"}),
    "collection": (lambda: collection("signup", "acme", "customers", ["account.contact.email", "account"],
                                      purposes=["billing"], description="sign-up form"),
                   {"categories": ["account"], "purposes": []}),
    "engagement": (_engagement,
                   {"status": "ended", "end_date": "2025-01-01", "categories": ["account.contact.email"],
                    "safeguards": [], "internal_notes": "moved"}),
    "change": (lambda: change("acme-2025-01", "acme", action="added", vendor="cloudco", engagement="gone",
                              effective_date="2025-02-15"),
               {"summary": "hosting moved to the EU"}),
    "subscription": (lambda: subscription("sub-1", "acme", created_at="2025-01-01T10:00:00+00:00"),
                     {"confirmed": True, "confirmed_at": "2025-01-02T10:00:00+00:00"}),
    "objection": (lambda: objection("obj-1", "acme-cloudco", organisation="Customer Ltd"),
                  {"reason": "data leaves the EU"}),
}


@pytest.fixture
def seeded(store):
    create(store, *base_graph())
    create(store, _engagement())
    return store


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_crud_round_trip(seeded, kind):
    store = seeded
    make, changes = SAMPLES[kind]
    obj = make() if kind != "engagement" else make("acme-cloudco-2")
    expected = obj.to_dict()
    assert store.find(kind, obj.key) is None

    [written] = create(store, obj)
    assert written.version == 1
    found = store.get(kind, obj.key)
    assert type(found) is type(obj)
    assert found.to_dict() == expected
    assert found.version == 1

    changed = dataclasses.replace(found, **changes)
    [written] = update(store, changed, expected_version=1)
    assert written.version == 2
    found = store.get(kind, obj.key)
    assert found.to_dict() == changed.to_dict()
    assert found.version == 2

    assert delete(store, kind, obj.key, expected_version=2) == []
    assert store.find(kind, obj.key) is None
    with pytest.raises(NotFound):
        store.get(kind, obj.key)


def test_optional_values_round_trip(store):
    acme = org("acme")  # country None, parent None, empty lists, defaults
    create(store, acme, org("blank", website=""))
    found = store.get("organisation", "acme")
    assert found.country is None and found.parent is None and found.certifications == []
    assert found.to_dict() == acme.to_dict()
    assert store.get("organisation", "blank").website == ""


def test_list_order_of_references_is_kept(store):
    create(store, *base_graph(), category("zeta"))
    obj = engagement("e1", "acme", "cloudco", ["zeta", "account", "account.contact.email"])
    create(store, obj)
    assert store.get("engagement", "e1").categories == ["zeta", "account", "account.contact.email"]


def test_versions_increase_by_one_per_update(store):
    create(store, org("acme"))
    for expected in (1, 2, 3):
        obj = store.get("organisation", "acme")
        assert obj.version == expected
        obj.name = f"Acme {expected}"
        [written] = update(store, obj, expected_version=expected)
        assert written.version == expected + 1
    assert store.get("organisation", "acme").version == 4


def test_update_without_expected_version_is_unchecked(store):
    create(store, org("acme"))
    obj = store.get("organisation", "acme")
    obj.name = "Acme Ltd"
    [written] = update(store, obj, expected_version=None)
    assert written.version == 2


def test_list_query_matches_key_or_name_case_insensitively(store):
    create(store, org("acme", name="Acme Holdings"), org("beta", name="Beta Cloud"), org("cloudy", name="Gamma"))
    assert [o.key for o in store.list("organisation")] == ["acme", "beta", "cloudy"]
    assert [o.key for o in store.list("organisation", query="CLOUD")] == ["beta", "cloudy"]
    assert [o.key for o in store.list("organisation", query="holdings")] == ["acme"]
    assert store.list("organisation", query="nothing") == []
    assert [o.key for o in store.list("organisation", limit=2)] == ["acme", "beta"]


def test_list_query_searches_the_label_of_nameless_kinds(store):
    create(store, *base_graph())
    create(store, _engagement(service="Payroll hosting"))
    assert [e.key for e in store.list("engagement", query="payroll")] == ["acme-cloudco"]
    assert [e.key for e in store.list("engagement", query="cloudco")] == ["acme-cloudco"]  # importer key


def test_list_filters(store):
    create(store, *base_graph(), category("health", flags=["special"]))
    create(store, org("sub-a", country="FR", parent="acme", certifications=["soc2", "iso27001"]),
           org("sub-b", country="FR", parent="cloudco", certifications=["soc2"], publisher=True),
           engagement("e-health", "acme", "sub-a", ["health"], status="planned"),
           engagement("e-account", "acme", "sub-b", ["account"]))

    def keys(kind, **filters):
        return [o.key for o in store.list(kind, filters=filters)]

    assert keys("organisation", country="FR") == ["sub-a", "sub-b"]  # scalar
    assert keys("organisation", country=None) == []
    assert keys("organisation", publisher=True) == ["acme", "sub-b"]  # boolean
    assert keys("organisation", publisher=False) == ["cloudco", "sub-a"]
    assert keys("organisation", certifications="iso27001") == ["sub-a"]  # list field
    assert keys("organisation", certifications="soc2", country="FR") == ["sub-a", "sub-b"]
    assert keys("organisation", parent="acme") == ["sub-a"]  # reference
    assert keys("organisation", parent=None) == ["acme", "cloudco"]
    assert keys("engagement", status="planned") == ["e-health"]
    assert keys("engagement", exporter="acme") == ["e-account", "e-health"]
    assert keys("engagement", importer="sub-b") == ["e-account"]
    assert keys("engagement", categories="health") == ["e-health"]  # list of references
    assert keys("category", flags="special") == ["health"]
    assert keys("organisation", country="FR", publisher=True) == ["sub-b"]
    assert [o.key for o in store.list("organisation", query="sub", filters={"country": "FR"}, limit=1)] == ["sub-a"]


def test_list_of_unknown_kind_is_refused(store):
    with pytest.raises(ValidationError):
        store.list("spaceship")


def test_count(store):
    assert store.count("organisation") == 0
    create(store, *base_graph())
    assert store.count("organisation") == 2
    assert store.count("category") == 3
    assert store.count("engagement") == 0


def test_stale_update_conflicts_and_leaves_the_record(store):
    create(store, org("acme", name="Acme"))
    mine = store.get("organisation", "acme")
    theirs = store.get("organisation", "acme")
    theirs.name = "Acme (theirs)"
    update(store, theirs, expected_version=1)

    mine.name = "Acme (mine)"
    with pytest.raises(Conflict) as caught:
        update(store, mine, expected_version=1)
    assert "organisation" in caught.value.message
    assert "changed by someone else" in caught.value.message
    assert caught.value.details["current_version"] == 2
    stored = store.get("organisation", "acme")
    assert stored.name == "Acme (theirs)" and stored.version == 2
    assert len(store.audit_log(kind="organisation", key="acme")) == 2


def test_stale_delete_conflicts(store):
    create(store, org("acme"))
    update(store, store.get("organisation", "acme"), expected_version=1)
    with pytest.raises(Conflict) as caught:
        delete(store, "organisation", "acme", expected_version=1)
    assert caught.value.details["current_version"] == 2
    assert store.find("organisation", "acme") is not None


def test_duplicate_create_conflicts(store):
    create(store, org("acme", name="First"))
    with pytest.raises(Conflict) as caught:
        create(store, org("acme", name="Second"))
    assert "already exists" in caught.value.message
    assert caught.value.details.get("field") == "key"
    assert store.get("organisation", "acme").name == "First"


def test_the_same_key_in_another_kind_is_no_duplicate(store):
    create(store, org("acme"), purpose("acme"), group("acme"))
    assert store.get("purpose", "acme").key == "acme"
    assert store.count("organisation") == 1


def test_update_or_delete_of_a_missing_object_is_not_found(store):
    with pytest.raises(NotFound):
        update(store, org("ghost"), expected_version=1)
    with pytest.raises(NotFound):
        delete(store, "organisation", "ghost")
    assert store.audit_log() == []


def test_referrers(store):
    create(store, *base_graph())
    create(store, _engagement(), org("sub", parent="acme"),
           collection("signup", "acme", "customers", ["account"]))
    assert store.referrers("organisation", "acme") == [
        ("collection", "signup", "organisation"),
        ("engagement", "acme-cloudco", "exporter"),
        ("organisation", "sub", "parent"),
    ]
    assert store.referrers("category", "account") == [
        ("category", "account.contact", "key"),
        ("collection", "signup", "categories"),
        ("engagement", "acme-cloudco", "categories"),
    ]
    assert store.referrers("organisation", "nobody") == []


def test_delete_of_a_referenced_object_is_refused_and_changes_nothing(store):
    create(store, *base_graph())
    create(store, _engagement())
    audit_before = store.audit_log(limit=1000)
    with pytest.raises(Referenced) as caught:
        delete(store, "organisation", "cloudco")
    error = caught.value
    assert error.referrers == [("engagement", "acme-cloudco", "importer")]
    assert error.message == referenced_message("organisation", "cloudco", error.referrers)
    assert "acme-cloudco" in error.message
    assert store.find("organisation", "cloudco") is not None
    assert store.get("engagement", "acme-cloudco").importer == "cloudco"
    assert store.audit_log(limit=1000) == audit_before


def test_parent_category_cannot_go_while_children_exist(store):
    create(store, category("account"), category("account.contact"))
    with pytest.raises(Referenced) as caught:
        delete(store, "category", "account")
    assert caught.value.referrers == [("category", "account.contact", "key")]


def test_delete_together_with_its_referrers_in_one_batch(store):
    create(store, *base_graph())
    create(store, _engagement(), objection("obj-1", "acme-cloudco"))
    with store.unit_of_work("dpo") as uow:  # the referred object first, its referrers after
        uow.delete("engagement", "acme-cloudco")
        uow.delete("objection", "obj-1")
        uow.delete("organisation", "cloudco")
        uow.commit()
    assert store.find("engagement", "acme-cloudco") is None
    assert store.find("organisation", "cloudco") is None
    assert store.referrers("organisation", "acme") == []


def test_delete_after_an_update_drops_the_reference(store):
    create(store, org("acme"), org("holding"), org("sub", parent="holding"))
    sub = store.get("organisation", "sub")
    sub.parent = "acme"
    with store.unit_of_work("dpo") as uow:
        uow.delete("organisation", "holding")
        uow.update(sub, 1)
        uow.commit()
    assert store.get("organisation", "sub").parent == "acme"
    assert store.find("organisation", "holding") is None


def test_delete_and_recreate_in_one_batch(store):
    create(store, org("acme", name="Old"))
    with store.unit_of_work("dpo") as uow:
        uow.delete("organisation", "acme")
        uow.add(org("acme", name="New"))
        [written] = uow.commit()
    assert written.version == 1
    assert store.get("organisation", "acme").name == "New"


def test_a_batch_with_one_bad_write_changes_nothing(store):
    create(store, org("acme"))
    audit_before = store.audit_log(limit=1000)
    with pytest.raises(Conflict):
        with store.unit_of_work("dpo") as uow:
            uow.add(org("first"))
            uow.add(org("second"))
            uow.update(org("acme", name="changed"), expected_version=7)
            uow.commit()
    assert store.find("organisation", "first") is None
    assert store.find("organisation", "second") is None
    assert store.get("organisation", "acme").name == "Acme"
    assert store.count("organisation") == 1
    assert store.audit_log(limit=1000) == audit_before


def test_a_failed_batch_leaves_earlier_updates_undone(store):
    create(store, org("acme"), org("beta"))
    acme = store.get("organisation", "acme")
    acme.name = "Changed"
    with pytest.raises(ValidationError):
        with store.unit_of_work("dpo") as uow:
            uow.update(acme, 1)
            uow.delete("organisation", "beta")
            uow.add(org("gamma", parent="nowhere"))
            uow.commit()
    assert store.get("organisation", "acme").name == "Acme"
    assert store.get("organisation", "acme").version == 1
    assert store.find("organisation", "beta") is not None
    assert store.count("organisation") == 2


@pytest.mark.parametrize("order", ["referrers-first", "referred-first"])
def test_a_batch_may_create_objects_referring_to_each_other_in_any_order(store, order):
    objs = base_graph() + [
        org("sub", parent="cloudco"),
        collection("signup", "acme", "customers", ["account.contact.email"]),
        engagement("acme-cloudco", "acme", "cloudco", ["account.contact"], subject_groups=["customers"]),
        engagement("cloudco-sub", "cloudco", "sub", ["account"]),
        objection("obj-1", "cloudco-sub"),
    ]
    if order == "referrers-first":
        objs.reverse()
    written = create(store, *objs)
    assert [o.version for o in written] == [1] * len(objs)
    assert store.get("engagement", "cloudco-sub").importer == "sub"
    assert store.get("category", "account.contact.email").parent == "account.contact"
    assert store.referrers("organisation", "sub") == [("engagement", "cloudco-sub", "importer")]


def test_a_dangling_reference_is_refused_naming_the_field(store):
    create(store, *base_graph())
    with pytest.raises(ValidationError) as caught:
        create(store, engagement("e1", "acme", "nowhere", ["account"]))
    assert caught.value.field == "importer"
    assert "nowhere" in caught.value.message
    with pytest.raises(ValidationError) as caught:
        create(store, category("unknown.child"))
    assert caught.value.field == "key"
    with pytest.raises(ValidationError) as caught:
        create(store, engagement("e2", "acme", "cloudco", ["account", "missing"]))
    assert caught.value.field == "categories"
    assert store.count("engagement") == 0
    assert store.count("category") == 3


def test_an_update_may_not_introduce_a_dangling_reference(store):
    create(store, *base_graph())
    create(store, _engagement())
    eng = store.get("engagement", "acme-cloudco")
    eng.purposes = ["billing", "marketing"]
    with pytest.raises(ValidationError) as caught:
        update(store, eng, expected_version=1)
    assert caught.value.field == "purposes"
    assert store.get("engagement", "acme-cloudco").purposes == ["billing"]
    assert store.get("engagement", "acme-cloudco").version == 1


def test_deleting_and_referring_in_one_batch_is_refused(store):
    create(store, *base_graph())
    with pytest.raises((Referenced, ValidationError)):
        with store.unit_of_work("dpo") as uow:
            uow.delete("organisation", "cloudco")
            uow.add(engagement("e1", "acme", "cloudco", ["account"]))
            uow.commit()
    assert store.find("organisation", "cloudco") is not None
    assert store.count("engagement") == 0
