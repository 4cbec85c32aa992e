"""The notice rule for imports: ``publication.imported_entries`` on a parsed export document."""

import pytest

from registry.domain.errors import ValidationError
from registry.services.exchange import export_registry, parse_document
from registry.services.publication import imported_entries


def _document(engagement):
    return {"format": "registry-export", "version": 1, "objects": {
        "organisation": [{"key": "pub", "name": "Pub", "publisher": True, "notice_days": 15},
                         {"key": "vendor", "name": "Vendor Co"}],
        "engagement": [dict({"key": "pub-vendor", "exporter": "pub", "importer": "vendor", "public": True},
                            **engagement)]}}


def test_an_imported_vendor_starting_tomorrow_is_refused(store, clock):
    document = _document({"status": "planned", "effective_date": "2030-03-02"})
    with pytest.raises(ValidationError) as err:
        imported_entries(store, parse_document(document))
    assert err.value.field == "objects.engagement[0].effective_date"
    assert "customers may object until 2030-03-16" in err.value.message


def test_an_imported_active_public_vendor_is_refused(store, clock):
    with pytest.raises(ValidationError) as err:
        imported_entries(store, parse_document(_document({"status": "active"})))
    assert err.value.field == "objects.engagement[0].status"


def test_an_imported_planned_vendor_with_notice_is_announced(store, clock):
    [entry] = imported_entries(store, parse_document(_document({"status": "planned",
                                                                "effective_date": "2030-03-17"})))
    assert (entry.action, entry.date, entry.objection_deadline, entry.effective_date, entry.vendor) == \
        ("announced", "2030-03-01", "2030-03-16", "2030-03-17", "Vendor Co")


def test_a_registry_moving_between_stores_keeps_its_history(acme, clock):
    document = export_registry(acme)
    assert imported_entries(acme, parse_document(document)) == []
