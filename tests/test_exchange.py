"""Export, import and seeding through the service layer."""

import json

import pytest

from registry.domain.errors import Conflict, ValidationError
from registry.services import objects
from registry.services.exchange import dumps, export_registry, import_registry, seed
from registry.store.sqlite import SQLiteStore


def _small_registry(store):
    objects.create(store, "t", "category", {"key": "account", "name": "Account"})
    objects.create(store, "t", "category", {"key": "account.email", "name": "Email"})
    objects.create(store, "t", "organisation", {"key": "acme", "name": "Acme", "country": "DE",
                                                "publisher": True})
    objects.create(store, "t", "organisation", {"key": "cloudco", "name": "CloudCo", "country": "US",
                                                "certifications": ["dpf-eu"]})
    objects.create(store, "t", "subject_group", {"key": "eu-customers", "name": "EU customers",
                                                 "residence": ["DE", "FR"]})
    objects.create(store, "t", "collection", {"key": "acme-signup", "organisation": "acme",
                                              "subject_group": "eu-customers", "categories": ["account"]})
    objects.create(store, "t", "engagement", {"key": "acme-cloudco", "exporter": "acme", "importer": "cloudco",
                                              "categories": ["account.email"], "store_countries": ["US"],
                                              "safeguards": [{"code": "dpf"}], "public": True,
                                              "internal_notes": "renewal due"})


def _fresh(tmp_path, name):
    store = SQLiteStore(tmp_path / name)
    store.init_schema()
    return store


def test_round_trip_is_identical(store, tmp_path):
    _small_registry(store)
    first = dumps(export_registry(store))
    other = _fresh(tmp_path, "other.sqlite3")
    count = import_registry(other, "import", json.loads(first))
    assert count == len(json.loads(first)["objects"]["change"]) + 7
    assert dumps(export_registry(other)) == first


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(format="other"), "not a registry export"),
    (lambda d: d["objects"]["organisation"][0].update(country="ZZ"), "objects.organisation[0]: 'ZZ' is not"),
    (lambda d: d["objects"]["engagement"][0].update(importer="ghost"), "importer: no organisation with key 'ghost'"),
    (lambda d: d["objects"]["organisation"][0].update(colour="red"), "unknown field(s) for organisation: colour"),
    (lambda d: d["objects"].update(planets=[]), "unknown kind(s) planets"),
])
def test_bad_import_fails_clearly_and_changes_nothing(store, tmp_path, mutate, message):
    _small_registry(store)
    document = export_registry(store)
    mutate(document)
    other = _fresh(tmp_path, "other.sqlite3")
    with pytest.raises(ValidationError) as caught:
        import_registry(other, "import", document)
    assert message in caught.value.message
    assert all(other.count(kind) == 0 for kind in ("organisation", "category", "engagement"))
    assert other.audit_log() == []


def test_import_into_a_store_that_has_the_keys_is_refused(store):
    _small_registry(store)
    with pytest.raises(Conflict):
        import_registry(store, "import", export_registry(store))


def test_seed_is_idempotent(store):
    added = seed(store)
    assert added > 0
    before = dumps(export_registry(store))
    assert seed(store) == 0
    assert dumps(export_registry(store)) == before


def test_seed_has_the_five_policy_organisations_with_provenance(store):
    seed(store, include_demo=False)
    publishers = {o.key: o for o in store.list("organisation", filters={"publisher": True})}
    sources = {p["source"] for org in publishers.values() for p in org.provenance}
    for policy in ("000_60832233b990caaf.txt", "001_cb7d296f9cf87da5.txt", "002_3b52f320a9515ee6.txt",
                   "003_927fe607e088a028.txt", "004_eebf0e4a7c00d8c1.txt"):
        assert policy in sources
    softn = [o for o in publishers.values() if "Softntechnology" in o.name]
    assert softn and softn[0].country == "UZ"
    engagements = store.list("engagement")
    assert engagements and all(e.provenance for e in engagements)
