"""Assessment of single hops, regime by regime, including the dates on which the law changed."""

import json
from datetime import date

import pytest

from registry.transfers.assess import assess_hop
from registry.transfers.request import parse_hop_request

ABSENT = None  # expected status meaning "no finding for this rule"


def hop(exporter, importer, on="2026-11-22", residence=(), citizenship=(), certs=(), stores=None,
        access=(), flags=(), n=None, have=(), regimes=(), collected=()):
    """Build a request body; parties are written "DE/controller", an importer "?/processor" is unknown."""
    ex_country, ex_role = exporter.split("/")
    im_country, im_role = importer.split("/")
    body = {"on": on, "exporter": {"country": ex_country, "role": ex_role},
            "importer": {"country": None if im_country == "?" else im_country, "role": im_role,
                         "certifications": list(certs), "accesses_from": list(access)},
            "subjects": {"residence": list(residence), "citizenship": list(citizenship)},
            "flags": list(flags), "individuals_per_year": n, "safeguards": list(have), "regimes": list(regimes)}
    if collected:
        body["collected_in"] = list(collected)
    if stores is not None:
        body["importer"]["stores_in"] = list(stores)
    return body


def assess(body):
    return assess_hop(parse_hop_request(body, date(2026, 11, 22)))


def case(name, body, regime, rule, status, basis=None, missing=None):
    return pytest.param(body, regime, rule, status, basis, missing, id=name)


EU = dict(residence=["DE"], citizenship=["DE"])
CASES = [
    # EU GDPR
    case("eu-us-dpf", hop("DE/controller", "US/processor", certs=["dpf-eu"], **EU), "eu-gdpr", "transfer", "ok", "adequacy"),
    case("eu-us-no-dpf", hop("DE/controller", "US/processor", **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:2", "tia"]),
    case("eu-us-dpf-uk-only", hop("DE/controller", "US/processor", certs=["dpf-uk"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:2", "tia"]),
    case("eu-us-scc-in-place", hop("DE/controller", "US/processor", have=["scc:2", "tia"], **EU), "eu-gdpr", "transfer", "ok", "mechanism", []),
    case("eu-us-scc-without-tia", hop("DE/controller", "US/processor", have=["scc:2"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["tia"]),
    case("eu-brazil-before", hop("DE/controller", "BR/processor", on="2026-01-25", **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:2", "tia"]),
    case("eu-brazil-from", hop("DE/controller", "BR/processor", on="2026-01-26", **EU), "eu-gdpr", "transfer", "ok", "adequacy"),
    case("eu-uk-last-day", hop("DE/controller", "GB/processor", on="2031-12-27", **EU), "eu-gdpr", "transfer", "ok", "adequacy"),
    case("eu-uk-expired", hop("DE/controller", "GB/processor", on="2031-12-28", **EU), "eu-gdpr", "transfer", "action", "mechanism"),
    case("eu-p2p-transfer", hop("DE/processor", "US/processor", **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:3", "tia"]),
    case("eu-p2p-authorisation", hop("DE/processor", "US/processor", **EU), "eu-gdpr", "art28-subprocessor", "action", "duty", ["art28-authorisation"]),
    case("eu-p2p-inside-no-transfer", hop("DE/processor", "FR/processor", **EU), "eu-gdpr", "transfer", "ok", "no-transfer"),
    case("eu-p2p-inside-still-authorised", hop("DE/processor", "FR/processor", **EU), "eu-gdpr", "art28-subprocessor", "action", "duty", ["art28-authorisation"]),
    case("eu-p2p-authorised", hop("DE/processor", "FR/processor", have=["art28-authorisation"], **EU), "eu-gdpr", "art28-subprocessor", "ok", "duty", []),
    case("eu-c2p-no-authorisation-duty", hop("DE/controller", "FR/processor", **EU), "eu-gdpr", "art28-subprocessor", ABSENT),
    # Module 4 owes a TIA only when data collected in the EU goes too (SCC Clause 14, footnote);
    # where that is not recorded, the exporter's seat stands in for it, the stricter reading
    case("eu-module-4-origin-unrecorded", hop("DE/processor", "US/controller", **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:4", "tia"]),
    case("eu-module-4-returning-us-data", hop("DE/processor", "US/controller", collected=["US"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:4"]),
    case("eu-module-4-returned-covered", hop("DE/processor", "US/controller", collected=["US"], have=["scc:4"], **EU), "eu-gdpr", "transfer", "ok", "mechanism"),
    case("eu-module-4-with-eu-data", hop("DE/processor", "US/controller", collected=["US", "FR"], have=["scc:4"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["tia"]),
    case("eu-onward-us-to-in", hop("US/processor", "IN/processor", residence=["FR"], regimes=["eu-gdpr"]), "eu-gdpr", "transfer", "action", "mechanism", ["scc:3", "tia"]),
    case("eu-onward-authorisation", hop("US/processor", "IN/processor", residence=["FR"], regimes=["eu-gdpr"]), "eu-gdpr", "art28-subprocessor", "action", "duty", ["art28-authorisation"]),
    case("eu-support-access-from-abroad", hop("DE/controller", "DE/processor", access=["IN"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:2", "tia"]),
    case("eu-remote-support-only", hop("DE/controller", "IN/processor", stores=[], access=["IN"], **EU), "eu-gdpr", "transfer", "action", "mechanism", ["scc:2", "tia"]),
    case("eu-japan-foreign-importer", hop("DE/controller", "US/processor", stores=["JP"], **EU), "eu-gdpr", "transfer", "action", "mechanism"),
    case("eu-unknown-importer", hop("DE/controller", "?/processor", **EU), "eu-gdpr", "transfer", "unknown", "unknown-location"),
    # UK GDPR
    case("uk-us-dpf-uk", hop("GB/controller", "US/processor", certs=["dpf-uk"], residence=["GB"]), "uk-gdpr", "transfer", "ok", "adequacy"),
    case("uk-us-dpf-eu-only", hop("GB/controller", "US/processor", certs=["dpf-eu"], residence=["GB"]), "uk-gdpr", "transfer", "action", "mechanism", ["uk-idta", "tra"]),
    case("uk-in-addendum", hop("GB/controller", "IN/processor", have=["scc:2", "uk-addendum", "tra"]), "uk-gdpr", "transfer", "ok", "mechanism"),
    case("uk-in-eu-scc-alone", hop("GB/controller", "IN/processor", have=["scc:2", "tia"]), "uk-gdpr", "transfer", "action", "mechanism"),
    case("uk-korea-before", hop("GB/controller", "KR/processor", on="2022-12-18"), "uk-gdpr", "transfer", "action", "mechanism"),
    case("uk-korea-from", hop("GB/controller", "KR/processor", on="2022-12-19"), "uk-gdpr", "transfer", "ok", "adequacy"),
    # Swiss FADP
    case("ch-us-dpf-eu-only", hop("CH/controller", "US/processor", certs=["dpf-eu"], residence=["CH"]), "ch-fadp", "transfer", "action", "mechanism", ["bcr", "tia"]),
    case("ch-us-dpf-ch-before", hop("CH/controller", "US/processor", on="2024-09-14", certs=["dpf-ch"]), "ch-fadp", "transfer", "action", "mechanism"),
    case("ch-us-dpf-ch-from", hop("CH/controller", "US/processor", on="2024-09-15", certs=["dpf-ch"]), "ch-fadp", "transfer", "ok", "adequacy"),
    case("ch-japan-not-listed", hop("CH/controller", "JP/processor"), "ch-fadp", "transfer", "action", "mechanism"),
    case("ch-eu-adequate", hop("CH/controller", "DE/processor"), "ch-fadp", "transfer", "ok", "adequacy"),
    # Uzbekistan, before and after Law No. 1125 (assumed in force 2026-03-27)
    case("uz-ordinary-before-1125", hop("UZ/controller", "DE/processor", on="2026-03-26", citizenship=["UZ"]), "uz-zru547", "all-citizen-data", "action", "localisation", ["local-primary-copy"]),
    case("uz-ordinary-transfer-before-1125", hop("UZ/controller", "DE/processor", on="2026-03-26", citizenship=["UZ"]), "uz-zru547", "transfer", "action", "mechanism", ["consent"]),
    case("uz-ordinary-after-1125", hop("UZ/controller", "DE/processor", on="2026-03-27", citizenship=["UZ"]), "uz-zru547", "all-citizen-data", ABSENT),
    case("uz-ordinary-after-1125-no-new-rule", hop("UZ/controller", "DE/processor", on="2026-03-27", citizenship=["UZ"]), "uz-zru547", "biometric-genetic-telecom", ABSENT),
    case("uz-ordinary-transfer-after-1125", hop("UZ/controller", "DE/processor", on="2026-03-27", citizenship=["UZ"]), "uz-zru547", "transfer", "action", "mechanism", ["uz-scc"]),
    case("uz-biometric-before-1125", hop("UZ/controller", "DE/processor", on="2026-03-26", citizenship=["UZ"], flags=["biometric"]), "uz-zru547", "all-citizen-data", "action", "localisation", ["local-primary-copy"]),
    case("uz-biometric-after-1125", hop("UZ/controller", "DE/processor", on="2026-03-27", citizenship=["UZ"], flags=["biometric"]), "uz-zru547", "biometric-genetic-telecom", "violation", "localisation"),
    case("uz-biometric-kept-home", hop("UZ/controller", "UZ/processor", citizenship=["UZ"], flags=["biometric"]), "uz-zru547", "biometric-genetic-telecom", "ok", "localisation"),
    case("uz-citizens-abroad-foreign-exporter", hop("DE/controller", "US/processor", citizenship=["UZ"], flags=["genetic"]), "uz-zru547", "biometric-genetic-telecom", "violation", "localisation"),
    case("uz-citizenship-unknown", hop("UZ/controller", "DE/processor", flags=["biometric"]), "uz-zru547", "biometric-genetic-telecom", "unknown", "missing-fact"),
    # Russia, before and after the Art. 18(5) rewrite of 2025-07-01
    case("ru-citizens-abroad-2015-rule", hop("RU/controller", "DE/processor", on="2025-06-30", citizenship=["RU"]), "ru-152fz", "art18-5-2015", "action", "localisation", ["local-primary-copy"]),
    case("ru-citizens-abroad-2025-rule", hop("RU/controller", "DE/processor", on="2025-07-01", citizenship=["RU"]), "ru-152fz", "art18-5-2025", "action", "localisation", ["local-primary-copy"]),
    case("ru-2015-rule-gone", hop("RU/controller", "DE/processor", on="2025-07-01", citizenship=["RU"]), "ru-152fz", "art18-5-2015", ABSENT),
    case("ru-primary-copy-at-home", hop("RU/controller", "DE/processor", citizenship=["RU"], have=["local-primary-copy"]), "ru-152fz", "art18-5-2025", "ok", "localisation"),
    case("ru-convention-108-adequate", hop("RU/controller", "DE/processor", citizenship=["RU"]), "ru-152fz", "transfer", "ok", "adequacy"),
    case("ru-notification-even-if-adequate", hop("RU/controller", "DE/processor", citizenship=["RU"]), "ru-152fz", "rkn-notification", "action", "duty", ["rkn-notification"]),
    case("ru-us-waiting-period", hop("RU/controller", "US/processor", citizenship=["RU"]), "ru-152fz", "transfer", "action", "mechanism", ["rkn-wait-10-days"]),
    case("ru-us-before-2023", hop("RU/controller", "US/processor", on="2023-02-01"), "ru-152fz", "transfer", "action", "mechanism", ["consent"]),
    case("ru-no-notification-before-2023", hop("RU/controller", "US/processor", on="2023-02-01"), "ru-152fz", "rkn-notification", ABSENT),
    # India
    case("in-ordinary-anywhere", hop("IN/controller", "US/processor"), "in-dpdp", "transfer", "ok", "no-restriction"),
    case("in-payment-abroad", hop("IN/controller", "US/processor", flags=["payment"]), "in-dpdp", "rbi-payment-data", "violation", "localisation"),
    case("in-payment-at-home", hop("IN/controller", "IN/processor", flags=["payment"]), "in-dpdp", "rbi-payment-data", "ok", "localisation"),
    # China, volume tiers
    case("cn-below-100k-exempt", hop("CN/controller", "US/processor", n=99_999), "cn-pipl", "transfer", "ok", "exemption"),
    case("cn-100k-contract", hop("CN/controller", "US/processor", n=100_000), "cn-pipl", "transfer", "action", "mechanism", ["cac-standard-contract"]),
    case("cn-certified", hop("CN/controller", "US/processor", n=500_000, have=["cac-certification"]), "cn-pipl", "transfer", "ok", "mechanism"),
    case("cn-1m-assessment", hop("CN/controller", "US/processor", n=1_000_000), "cn-pipl", "transfer", "action", "mechanism", ["cac-security-assessment"]),
    case("cn-1m-store-at-home", hop("CN/controller", "US/processor", n=1_000_000), "cn-pipl", "art40-volume", "action", "localisation", ["local-primary-copy"]),
    case("cn-sensitive-small", hop("CN/controller", "US/processor", n=5_000, flags=["biometric"]), "cn-pipl", "transfer", "action", "mechanism", ["cac-standard-contract"]),
    case("cn-sensitive-10k", hop("CN/controller", "US/processor", n=10_000, flags=["payment"]), "cn-pipl", "transfer", "action", "mechanism", ["cac-security-assessment"]),
    case("cn-2022-measures", hop("CN/controller", "US/processor", on="2024-03-21", n=150_000), "cn-pipl", "transfer", "action", "mechanism", ["cac-security-assessment"]),
    case("cn-2024-provisions", hop("CN/controller", "US/processor", on="2024-03-22", n=150_000), "cn-pipl", "transfer", "action", "mechanism", ["cac-standard-contract"]),
    case("cn-volume-unknown", hop("CN/controller", "US/processor"), "cn-pipl", "transfer", "unknown", "missing-fact"),
    case("cn-hong-kong-is-abroad", hop("CN/controller", "HK/processor", n=50_000), "cn-pipl", "transfer", "ok", "exemption"),
    case("cn-separate-consent", hop("CN/controller", "US/processor", n=50_000), "cn-pipl", "separate-consent", "action", "duty", ["separate-consent"]),
    case("cn-domestic", hop("CN/controller", "CN/processor", n=50_000), "cn-pipl", "separate-consent", ABSENT),
    # Brazil
    case("br-us-needs-anpd-scc", hop("BR/controller", "US/processor"), "br-lgpd", "transfer", "action", "mechanism", ["anpd-scc"]),
    case("br-us-anpd-scc", hop("BR/controller", "US/processor", have=["anpd-scc"]), "br-lgpd", "transfer", "ok", "mechanism"),
    case("br-eu-before", hop("BR/controller", "DE/processor", on="2025-12-01"), "br-lgpd", "transfer", "action", "mechanism"),
    case("br-eu-from", hop("BR/controller", "DE/processor", on="2026-01-26"), "br-lgpd", "transfer", "ok", "adequacy"),
    # Turkey, before and after Law No. 7499
    case("tr-before-7499", hop("TR/controller", "DE/processor", on="2024-05-01"), "tr-kvkk", "transfer", "action", "mechanism", ["consent"]),
    case("tr-parallel-consent", hop("TR/controller", "DE/processor", on="2024-07-01", have=["consent"]), "tr-kvkk", "transfer", "ok", "mechanism"),
    case("tr-consent-no-longer", hop("TR/controller", "DE/processor", on="2024-10-01", have=["consent"]), "tr-kvkk", "transfer", "action", "mechanism", ["bcr"]),
    case("tr-contract-not-notified", hop("TR/controller", "DE/processor", on="2024-10-01", have=["kvkk-standard-contract"]), "tr-kvkk", "transfer", "action", "mechanism", ["kvkk-notification"]),
    case("tr-contract-notified", hop("TR/controller", "DE/processor", have=["kvkk-standard-contract", "kvkk-notification"]), "tr-kvkk", "transfer", "ok", "mechanism"),
    # Ukraine
    case("ua-eea-adequate", hop("UA/controller", "DE/processor"), "ua-2297", "transfer", "ok", "adequacy"),
    case("ua-us", hop("UA/controller", "US/processor"), "ua-2297", "transfer", "action", "mechanism", ["consent"]),
    case("ua-us-guarantees", hop("UA/controller", "US/processor", have=["ua-guarantees"]), "ua-2297", "transfer", "ok", "mechanism"),
    # Kazakhstan
    case("kz-at-home", hop("KZ/controller", "KZ/processor"), "kz-pd", "databases-in-kazakhstan", "ok", "localisation"),
    case("kz-abroad-copy", hop("KZ/controller", "DE/processor"), "kz-pd", "databases-in-kazakhstan", "action", "localisation", ["local-primary-copy"]),
    case("kz-abroad-transfer", hop("KZ/controller", "DE/processor"), "kz-pd", "transfer", "action", "mechanism", ["kz-protection-assessed"]),
    # Japan
    case("jp-eea-designated", hop("JP/controller", "DE/processor"), "jp-appi", "transfer", "ok", "adequacy"),
    case("jp-us", hop("JP/controller", "US/processor"), "jp-appi", "transfer", "action", "mechanism", ["appi-equivalent-measures"]),
    # Korea, before and after Art. 28-8
    case("kr-before-28-8", hop("KR/controller", "US/processor", on="2023-09-14", have=["pipa-outsourcing-disclosure"]), "kr-pipa", "transfer", "action", "mechanism", ["consent"]),
    case("kr-from-28-8", hop("KR/controller", "US/processor", on="2023-09-15", have=["pipa-outsourcing-disclosure"]), "kr-pipa", "transfer", "ok", "mechanism"),
    # United States, 28 CFR Part 202
    case("us-eu-no-restriction", hop("US/controller", "DE/processor", residence=["US"]), "us-28cfr202", "transfer", "ok", "no-restriction"),
    case("us-cn-bulk-biometric", hop("US/controller", "CN/processor", residence=["US"], flags=["biometric"], n=5_000), "us-28cfr202", "biometric-restricted", "action", "restricted", ["cisa-security-requirements"]),
    case("us-cn-bulk-biometric-secured", hop("US/controller", "CN/processor", residence=["US"], flags=["biometric"], n=5_000, have=["cisa-security-requirements"]), "us-28cfr202", "biometric-restricted", "ok", "restricted"),
    case("us-cn-genomic", hop("US/controller", "CN/processor", residence=["US"], flags=["genetic"], n=500), "us-28cfr202", "genomic-prohibited", "violation", "prohibited"),
    case("us-cn-genomic-below-bulk", hop("US/controller", "CN/processor", residence=["US"], flags=["genetic"], n=100), "us-28cfr202", "genomic-prohibited", ABSENT),
    case("us-hong-kong-identifiers", hop("US/controller", "HK/processor", residence=["US"], n=200_000), "us-28cfr202", "identifiers-restricted", "action", "restricted"),
    case("us-covered-person-storing-in-us", hop("US/controller", "CN/processor", stores=["US"], residence=["US"], n=200_000), "us-28cfr202", "identifiers-restricted", "action", "restricted"),
    case("us-cn-small", hop("US/controller", "CN/processor", residence=["US"], n=500), "us-28cfr202", "identifiers-restricted", ABSENT),
    case("us-cn-foreign-subjects", hop("US/controller", "CN/processor", residence=["DE"], flags=["biometric"], n=5_000), "us-28cfr202", "biometric-restricted", ABSENT),
    case("us-cn-volume-unknown", hop("US/controller", "CN/processor", residence=["US"], flags=["biometric"]), "us-28cfr202", "biometric-restricted", "unknown", "missing-fact"),
    case("us-before-rule", hop("US/controller", "CN/processor", on="2025-04-07", residence=["US"], flags=["genetic"], n=500), "us-28cfr202", "genomic-prohibited", ABSENT),
]


@pytest.mark.parametrize("body, regime, rule, status, basis, missing", CASES)
def test_hop(body, regime, rule, status, basis, missing):
    result = assess(body)
    found = [f for f in result.findings if (f.regime, f.rule) == (regime, rule)]
    if status is ABSENT:
        assert not found, found
        return
    assert len(found) == 1, [(f.regime, f.rule) for f in result.findings]
    finding = found[0]
    assert finding.status == status, finding
    assert finding.citation and finding.explanation
    if basis:
        assert finding.basis == basis, finding
    if missing is not None:
        assert list(finding.missing) == missing, finding


def test_the_documented_example():
    body = hop("DE/controller", "US/processor", certs=["dpf-eu"], n=50_000, have=["scc:2", "tia"], **EU)
    out = assess(body).to_dict()
    assert out["on"] == "2026-11-22" and out["status"] == "ok" and out["regimes"] == ["eu-gdpr"]
    assert out["findings"][0] | {"explanation": "", "note": ""} == {
        "regime": "eu-gdpr", "rule": "transfer", "status": "ok", "basis": "adequacy", "options": [[]],
        "in_place": [], "missing": [], "explanation": "", "note": "",
        "citation": "GDPR Art. 45; Commission Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework)"}
    json.dumps(out)


def test_mechanism_options_list_every_alternative():
    finding = assess(hop("DE/controller", "US/processor", have=["tia"], **EU)).findings[0]
    assert finding.options == (("scc:2", "tia"), ("bcr", "tia"))
    assert finding.in_place == ("tia",) and finding.missing == ("scc:2",)


def test_swiss_options_need_the_swiss_adaptations():
    finding = assess(hop("CH/controller", "US/processor", certs=["dpf-eu"], have=["scc:2", "tia"])).findings[0]
    assert ("scc:2", "ch-swiss-adaptations", "tia") in finding.options
    assert finding.missing == ("ch-swiss-adaptations",)


def test_pipl_tiers_offer_contract_or_certification():
    finding = next(f for f in assess(hop("CN/controller", "US/processor", n=500_000)).findings if f.rule == "transfer")
    assert finding.options == (("cac-standard-contract",), ("cac-certification",))


def test_unknown_importer_says_which_fact_is_missing():
    finding = next(f for f in assess(hop("DE/controller", "?/processor", **EU)).findings if f.rule == "transfer")
    assert "country" in finding.explanation and "stores" in finding.explanation


def test_status_is_the_worst_finding_and_findings_come_worst_first():
    result = assess(hop("UZ/controller", "DE/processor", on="2026-03-27", citizenship=["UZ"], flags=["biometric"]))
    order = ["violation", "action", "unknown", "ok"]
    assert result.status == "violation"
    assert [f.status for f in result.findings] == sorted((f.status for f in result.findings), key=order.index)


def test_citizenship_alone_does_not_send_the_regime_downstream():
    result = assess(hop("DE/controller", "US/processor", citizenship=["RU"], residence=["DE"]))
    assert {f.regime for f in result.findings} == {"eu-gdpr", "ru-152fz"}
    assert [f.rule for f in result.findings if f.regime == "ru-152fz"] == ["art18-5-2025"]
    assert result.regimes == ("eu-gdpr",)


def test_regimes_travel_to_the_next_hop():
    first = assess(hop("DE/controller", "US/processor", certs=["dpf-eu"], **EU))
    second = assess(hop("US/processor", "IN/processor", regimes=first.regimes))
    assert "eu-gdpr" in second.regimes
    assert any(f.regime == "eu-gdpr" and f.status == "action" for f in second.findings)


def test_no_attaching_regime_means_ok_and_no_findings():
    result = assess(hop("AU/controller", "NZ/processor", residence=["AU"]))
    assert (result.status, result.findings, result.regimes) == ("ok", (), ())


def test_assessment_is_deterministic():
    body = hop("RU/controller", "US/processor", citizenship=["RU", "DE"], residence=["DE"], flags=["special"], n=20_000)
    assert assess(body).to_dict() == assess(body).to_dict()
