"""Nothing that is not public leaves the registry through a public page, feed or text."""

import pytest

from .conftest import SECRET

OUTPUTS = ["/p/", "/p/acme/subprocessors", "/p/acme/subprocessors.json", "/p/acme/subprocessors.csv",
           "/p/acme/subprocessors.atom", "/p/acme/policy.md", "/p/acme/policy.html"]


@pytest.mark.parametrize("url", OUTPUTS)
def test_no_secret_in_any_public_output(client, acme, early_start, url):
    """Planted in internal notes, a non-public engagement (and its vendor), evidence links,
    safeguard notes, retention, provenance quotes, an ended engagement and an early-start reason."""
    stored = acme.get("engagement", "acme-newco")
    assert stored.status == "active" and SECRET in stored.early_start_reason  # the planted reason is stored
    response = client.get(url)
    assert response.status_code == 200
    assert SECRET not in response.get_data(as_text=True)
    assert "docs.example" not in response.get_data(as_text=True)
    for word in ("internal", "evidence", "urgent", "Hidden", "Shadow", "GoneVendor"):
        assert word not in response.get_data(as_text=True), word


def test_no_secret_in_change_entries_or_notification_text(acme, early_start):
    for change in acme.list("change"):
        assert SECRET not in repr(change)


def test_listing_copies_only_whitelisted_fields(acme):
    from registry.services.publication import public_listing
    listing = public_listing(acme, "acme")
    fields = set(listing.to_dict()["subprocessors"][0])
    assert fields == {"id", "vendor", "legal_entity", "vendor_country", "vendor_website", "role", "service",
                      "purposes", "data_categories", "stored_in", "accessed_from", "safeguards", "status",
                      "effective_date", "announced_date", "objection_deadline", "pending_changes", "transfers"}
    assert all(not item["id"].startswith("acme-") for item in listing.to_dict()["subprocessors"])
