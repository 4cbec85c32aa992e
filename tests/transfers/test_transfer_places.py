"""Regions as places (EU, EEA, Worldwide) expanded on the assessment date, and the Art. 28(3) contract."""

from datetime import date

import pytest

from registry.domain.places import REGIONS
from registry.transfers.assess import assess_hop
from registry.transfers.knowledge import load_knowledge_base
from registry.transfers.request import parse_hop_request

EU_SUBJECTS = {"residence": ["DE"], "citizenship": ["DE"]}


def assess(stores, on="2026-11-22", exporter="DE", exporter_role="controller", role="processor", have=(),
           subjects=EU_SUBJECTS, access=()):
    body = {"on": on, "exporter": {"country": exporter, "role": exporter_role},
            "importer": {"country": "US", "role": role, "stores_in": list(stores), "accesses_from": list(access)},
            "subjects": subjects, "safeguards": list(have)}
    return assess_hop(parse_hop_request(body, date(2026, 11, 22)))


def finding(result, regime, rule="transfer"):
    return next(f for f in result.findings if f.regime == regime and f.rule == rule)


def test_the_knowledge_base_defines_exactly_the_domain_regions():
    assert {region.token for region in load_knowledge_base().regions} == set(REGIONS)


def test_eu_storage_is_no_transfer_under_the_gdpr_today():
    result = assess(["EU"])
    assert (finding(result, "eu-gdpr").status, finding(result, "eu-gdpr").basis) == ("ok", "no-transfer")


def test_the_eu_included_the_uk_until_31_january_2020():
    kb = load_knowledge_base()
    assert "GB" in kb.expand(["EU"], date(2020, 1, 31))[0]
    assert "GB" not in kb.expand(["EU"], date(2020, 2, 1))[0]
    assert "HR" not in kb.expand(["EU"], date(2013, 6, 30))[0] and "HR" in kb.expand(["EU"], date(2013, 7, 1))[0]


def test_the_eea_is_the_eu_plus_three_and_matches_the_gdpr_territory():
    kb = load_knowledge_base()
    eea = set(kb.expand(["EEA"], date(2026, 11, 22))[0])
    assert {"IS", "LI", "NO"} <= eea and set(kb.expand(["EU"], date(2026, 11, 22))[0]) < eea
    assert eea == set(kb.regime("eu-gdpr").territory)


def test_eu_storage_is_a_transfer_under_uk_law_after_brexit_assessed_on_the_day():
    uk = {"residence": ["GB"], "citizenship": ["GB"]}
    result = assess(["EU"], exporter="GB", subjects=uk)
    assert finding(result, "uk-gdpr").status == "ok" and finding(result, "uk-gdpr").basis == "adequacy"


def test_worldwide_is_never_ok():
    result = assess(["Worldwide"], have=["scc:2", "tia", "dpa"])
    eu = finding(result, "eu-gdpr")
    assert (eu.status, eu.basis) == ("unknown", "unknown-location")
    assert "Worldwide" in eu.explanation
    assert all(f.status != "ok" for f in result.findings if f.rule == "transfer")


def test_worldwide_next_to_a_country_inside_is_still_unknown():
    eu = finding(assess(["DE", "Worldwide"]), "eu-gdpr")
    assert (eu.status, eu.basis) == ("unknown", "unknown-location")


def test_worldwide_access_with_a_non_adequate_country_keeps_the_action():
    eu = finding(assess(["IN"], access=["Global"]), "eu-gdpr")
    assert eu.status == "action" and "Worldwide" in eu.explanation


def test_worldwide_storage_leaves_a_localisation_rule_unknown():
    body = {"on": "2026-11-22", "exporter": {"country": "RU", "role": "controller"},
            "importer": {"country": "RU", "role": "processor", "stores_in": ["Worldwide"]},
            "subjects": {"residence": ["RU"], "citizenship": ["RU"]}}
    result = assess_hop(parse_hop_request(body, date(2026, 11, 22)))
    local = [f for f in result.findings if f.regime == "ru-152fz" and f.basis in ("localisation", "unknown-location")]
    assert local and all(f.status != "ok" for f in local)


def test_an_unknown_place_token_is_refused_with_its_position():
    with pytest.raises(Exception) as exc:
        parse_hop_request({"exporter": {"country": "DE", "role": "controller"},
                           "importer": {"country": "US", "role": "processor", "stores_in": ["DE", "Mars"]}},
                          date(2026, 11, 22))
    assert exc.value.field == "importer.stores_in[1]" and "EU, EEA, Worldwide" in exc.value.message


@pytest.mark.parametrize("exporter_role,have,status,missing", [
    ("controller", [], "action", ("dpa",)),
    ("controller", ["dpa"], "ok", ()),
    ("controller", ["scc:2"], "ok", ()),  # Module Two contains the Art. 28(3) terms
    ("processor", ["scc:2"], "action", ("dpa",)),  # ... but not the flow-down of Art. 28(4)
    ("processor", ["scc:3"], "ok", ()),
])
def test_processor_hops_need_an_art_28_contract_under_the_gdpr(exporter_role, have, status, missing):
    result = assess(["FR"], exporter_role=exporter_role, have=have)
    rule = "art28-contract" if exporter_role == "controller" else "art28-flow-down"
    found = finding(result, "eu-gdpr", rule)
    assert (found.status, found.missing) == (status, missing)
    assert "Art. 28" in found.citation


def test_a_controller_hop_needs_no_art_28_contract():
    result = assess(["FR"], role="controller")
    assert not [f for f in result.findings if f.rule.startswith("art28")]


def test_uk_gdpr_asks_for_the_contract_too():
    uk = {"residence": ["GB"], "citizenship": ["GB"]}
    found = finding(assess(["GB"], exporter="GB", subjects=uk), "uk-gdpr", "art28-contract")
    assert found.status == "action" and found.citation == "UK GDPR Art. 28(3)"
