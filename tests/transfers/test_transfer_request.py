"""Parsing the JSON hop: defaults, normalisation, and errors that name the field."""

import copy
from datetime import date

import pytest

from registry.domain.errors import ValidationError
from registry.transfers.request import parse_hop_request

TODAY = date(2026, 11, 22)
EXAMPLE = {
    "on": "2026-11-22",
    "exporter": {"country": "DE", "role": "controller", "certifications": []},
    "importer": {"country": "US", "role": "processor", "certifications": ["dpf-eu"],
                 "stores_in": ["US"], "accesses_from": []},
    "subjects": {"residence": ["DE"], "citizenship": ["DE"]},
    "categories": ["account.contact.email"], "flags": [], "individuals_per_year": 50000,
    "safeguards": ["scc:2", "tia"],
}


def changed(path, value):
    """A copy of EXAMPLE with the dotted ``path`` set to ``value`` (or removed if value is ...)."""
    data = copy.deepcopy(EXAMPLE)
    *parents, last = path.split(".")
    target = data
    for key in parents:
        target = target[key]
    if value is ...:
        target.pop(last, None)
    else:
        target[last] = value
    return data


def test_the_documented_example_parses():
    req = parse_hop_request(EXAMPLE, TODAY)
    assert req.on == date(2026, 11, 22)
    assert (req.exporter.country, req.exporter.role) == ("DE", "controller")
    assert req.importer.certifications == ("dpf-eu",)
    assert req.importer.locations == ("US",)
    assert req.subjects.residence == ("DE",)
    assert req.categories == ("account.contact.email",)
    assert req.individuals_per_year == 50000
    assert req.safeguards == ("scc:2", "tia")
    assert req.regimes == ()


def test_defaults_fill_the_optional_fields():
    req = parse_hop_request({"exporter": {"country": "de", "role": "processor"},
                             "importer": {"country": "in", "role": "processor", "accesses_from": ["us"]}}, TODAY)
    assert req.on == TODAY
    assert req.exporter.country == "DE"
    assert req.importer.stores_in == ("IN",)
    assert req.importer.accesses_from == ("US",)
    assert req.safeguards == () and req.flags == () and req.individuals_per_year is None
    assert req.subjects.residence == () and req.subjects.citizenship == ()


def test_an_unknown_importer_country_is_a_fact_not_an_error():
    for importer in ({"role": "processor"}, {"country": None, "role": "processor", "stores_in": []}):
        req = parse_hop_request(changed("importer", importer), TODAY)
        assert req.importer.country is None
        assert not req.importer.location_known


def test_an_unknown_exporter_country_is_reported_not_refused():
    from registry.transfers.assess import assess_hop
    for exporter in ({"role": "controller"}, {"country": None, "role": "controller"}):
        req = parse_hop_request(changed("exporter", exporter), TODAY)
        assert req.exporter.country is None
        findings = assess_hop(req).to_dict()["findings"]
        assert any(f["rule"] == "establishment" and f["status"] == "unknown" for f in findings)


def test_upstream_regimes_are_checked_against_the_knowledge_base():
    assert parse_hop_request(changed("regimes", ["eu-gdpr"]), TODAY).regimes == ("eu-gdpr",)


@pytest.mark.parametrize("path, value, field", [
    ("importer.country", "XX", "importer.country"),
    ("importer.country", "USA", "importer.country"),
    ("importer.country", 840, "importer.country"),
    ("exporter.country", "XX", "exporter.country"),
    ("exporter.role", "owner", "exporter.role"),
    ("importer.role", ..., "importer.role"),
    ("importer.role", "sub-processor", "importer.role"),
    ("importer.stores_in", ["US", "ZZ"], "importer.stores_in[1]"),
    ("importer.stores_in", [], "importer.stores_in"),
    ("importer.accesses_from", "US", "importer.accesses_from"),
    ("importer.certifications", ["DPF EU"], "importer.certifications[0]"),
    ("importer.colour", "red", "importer.colour"),
    ("exporter", "DE", "exporter"),
    ("importer", ..., "importer"),
    ("subjects.residence", ["xx"], "subjects.residence[0]"),
    ("subjects.citizenship", "DE", "subjects.citizenship"),
    ("on", "2026-13-01", "on"),
    ("on", 20261122, "on"),
    ("flags", ["secret"], "flags[0]"),
    ("flags", "special", "flags"),
    ("individuals_per_year", -1, "individuals_per_year"),
    ("individuals_per_year", "many", "individuals_per_year"),
    ("individuals_per_year", True, "individuals_per_year"),
    ("safeguards", ["SCC 2"], "safeguards[0]"),
    ("categories", [""], "categories[0]"),
    ("regimes", ["xx-law"], "regimes[0]"),
    ("colour", "red", "colour"),
])
def test_bad_input_names_the_field(path, value, field):
    with pytest.raises(ValidationError) as caught:
        parse_hop_request(changed(path, value), TODAY)
    assert caught.value.field == field
    assert field in caught.value.errors


def test_a_body_that_is_not_an_object_is_rejected():
    with pytest.raises(ValidationError):
        parse_hop_request(["not", "an", "object"], TODAY)
