"""Fides interop: the export is a valid fideslang Taxonomy, and a registry-to-registry trip is lossless."""

import pytest

from registry.services import objects
from registry.services.fides import dumps, export_manifest, import_manifest, loads
from registry.store.sqlite import SQLiteStore

fideslang = pytest.importorskip("fideslang")


def build(store):
    for key, name in (("user", "User data"), ("user.contact", "Contact"),
                      ("user.contact.email_address", "Email address"), ("user.financial", "Financial")):
        objects.create(store, "t", "category", {"key": key, "name": name, **({"flags": ["payment"]}
                                                                               if key == "user.financial" else {})})
    objects.create(store, "t", "purpose", {"key": "billing", "name": "Billing", "legal_basis": "contract"})
    objects.create(store, "t", "subject_group", {"key": "customers", "name": "Customers", "residence": ["DE"]})
    objects.create(store, "t", "organisation", {"key": "acme", "name": "Acme", "country": "DE"})
    objects.create(store, "t", "organisation", {"key": "stripe", "name": "Stripe", "country": "US",
                                                 "legal_name": "Stripe, Inc.", "certifications": ["dpf-eu"]})
    objects.create(store, "t", "organisation", {"key": "aws", "name": "AWS", "country": "US"})
    objects.create(store, "t", "collection", {"key": "acme-customers", "organisation": "acme",
                                               "subject_group": "customers", "categories": ["user"],
                                               "purposes": ["billing"]})
    objects.create(store, "t", "engagement", {
        "key": "acme-stripe", "exporter": "acme", "importer": "stripe", "service": "Payments",
        "purposes": ["billing"], "categories": ["user.contact.email_address", "user.financial"],
        "subject_groups": ["customers"], "store_countries": ["US", "EU"], "access_countries": ["Worldwide"],
        "safeguards": [{"code": "dpa"}, {"code": "scc:2", "signed_on": "2024-01-02"}], "effective_date": "2024-01-01"})
    objects.create(store, "t", "engagement", {"key": "stripe-aws", "exporter": "stripe", "importer": "aws",
                                               "importer_role": "sub-processor", "categories": ["user"]})


def test_the_export_is_a_valid_fides_taxonomy(store):
    build(store)
    manifest = loads(dumps(export_manifest(store)))
    taxonomy = fideslang.models.Taxonomy.model_validate(manifest)
    systems = {s.fides_key: s for s in taxonomy.system}
    stripe = systems["stripe"]
    declaration = next(d for d in stripe.privacy_declarations if d.name == "acme-stripe")
    assert declaration.data_use == "billing" and declaration.data_subjects == ["customers"]
    assert set(declaration.data_categories) == {"user.contact.email_address", "user.financial"}
    assert [f.fides_key for f in systems["acme"].egress] == ["stripe"]
    assert [(f.fides_key, f.type) for f in systems["acme"].ingress] == [("user", "user")]
    assert {c.fides_key for c in taxonomy.data_category} >= {"user.contact.email_address"}
    assert "unspecified" in {u.fides_key for u in taxonomy.data_use}  # stripe-aws records no purpose


def test_a_trip_through_fides_and_back_is_lossless(store, tmp_path):
    build(store)
    text = dumps(export_manifest(store))
    fresh = SQLiteStore(tmp_path / "fresh.db")
    fresh.init_schema()
    try:
        counts = import_manifest(fresh, "t", loads(text))
        assert counts == {"category": 4, "purpose": 1, "subject_group": 1, "organisation": 3, "engagement": 2,
                          "collection": 1}
        assert dumps(export_manifest(fresh)) == text
        stripe = fresh.get("engagement", "acme-stripe")
        assert stripe.store_countries == ["US", "EU"] and stripe.safeguards[1]["signed_on"] == "2024-01-02"
        assert fresh.get("purpose", "billing").legal_basis == "contract"
    finally:
        fresh.close()


def test_a_foreign_manifest_comes_in_with_places_unknown(store):
    manifest = {
        "data_category": [{"fides_key": "user.contact.email", "parent_key": "user.contact"}],
        "data_use": [{"fides_key": "essential", "name": "Essential"},
                     {"fides_key": "essential.service", "name": "Provide the service", "parent_key": "essential"}],
        "data_subject": [{"fides_key": "customer", "name": "Customer"}],
        "system": [
            {"fides_key": "web_app", "name": "Web app", "system_type": "Application",
             "privacy_declarations": [{"name": "Sign-up", "data_categories": ["user.contact.email"],
                                       "data_use": "essential.service", "data_subjects": ["customer"]}],
             "egress": [{"fides_key": "mailer", "type": "system", "data_categories": ["user.contact.email"]}]},
            {"fides_key": "mailer", "name": "Mailer", "system_type": "Service", "privacy_declarations": []},
        ]}
    fideslang.models.Taxonomy.model_validate(manifest)
    assert import_manifest(store, "t", manifest, dry_run=True)["organisation"] == 2
    assert store.count("organisation") == 0
    counts = import_manifest(store, "t", manifest)
    assert counts["category"] == 3 and counts["engagement"] == 1 and counts["collection"] == 1
    eng = store.get("engagement", "web-app-to-mailer")
    assert eng.store_countries == [] and eng.categories == ["user.contact.email"]
    assert store.get("subject_group", "customer").kind == "customers"
    assert store.get("collection", "sign-up").purposes == ["essential-service"]
    assert import_manifest(store, "t", manifest) == {}  # only what is missing is added
