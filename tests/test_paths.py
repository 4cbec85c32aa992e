"""Where does this data go: paths over the seed data, what-if, pages and API."""

import json
from base64 import b64encode

import pytest

from registry.services import objects
from registry.services.exchange import seed
from registry.services.gaps import registry_gaps
from registry.services.paths import what_if, where_does_it_go
from tests.conftest import PASSWORD


@pytest.fixture
def seeded(store):
    seed(store)
    return store


def _findings(answer, engagement):
    return [f for h in answer.hops() if h.engagement.key == engagement for f in h.assessment["findings"]]


def test_softntechnology_eu_data_to_a_hosting_vendor_of_unknown_country_is_unknown(seeded):
    answer = where_does_it_go(seeded, "account.contact.email", on="2026-11-22",
                              subject_groups=["softntechnology-eu-eea-subjects"], start="softntechnology")
    findings = _findings(answer, "softntechnology-hosting")
    eu = [f for f in findings if f["regime"] == "eu-gdpr" and f["rule"] == "transfer"]
    assert eu and eu[0]["status"] == "unknown"
    assert "store" in eu[0]["explanation"].lower() or "where" in eu[0]["explanation"].lower()


def test_regimes_travel_with_the_data_to_onward_hops(seeded):
    answer = where_does_it_go(seeded, "account", on="2026-11-22")
    onward = [p for p in answer.paths if len(p.hops) >= 2
              and "eu-gdpr" in p.hops[0].assessment["regimes"]]
    assert onward, "the demo has EU data going at least two hops"
    later = onward[0].hops[1]
    assert any(f["regime"] == "eu-gdpr" for f in later.assessment["findings"])


def test_paths_respect_depth_and_subject_groups(seeded):
    deep = where_does_it_go(seeded, "account", on="2026-11-22")
    shallow = where_does_it_go(seeded, "account", on="2026-11-22", max_depth=1)
    assert max(len(p.hops) for p in deep.paths) >= 3
    assert max(len(p.hops) for p in shallow.paths) == 1
    one_group = where_does_it_go(seeded, "account", on="2026-11-22", subject_groups=["softntechnology-customers"])
    assert one_group.paths and {p.subject_group.key for p in one_group.paths} == {"softntechnology-customers"}


def test_what_if_shows_new_findings_and_who_must_announce(seeded):
    planned = [e for e in seeded.list("engagement", filters={"status": "planned"})]
    assert planned, "the demo has a planned engagement"
    category = planned[0].categories[0]
    answer, new, publishers = what_if(seeded, category, on="2026-11-22")
    assert any(h.engagement.key == planned[0].key for h in answer.hops())
    assert any(h.engagement.key == planned[0].key for h, _ in new)
    assert publishers and all(seeded.get("organisation", k).publisher for k in publishers)


def test_date_changes_the_answer(store):
    """The EU recognised Brazil as adequate from 2026-01-26: the same hop before and after."""
    objects.create(store, "t", "category", {"key": "account", "name": "Account"})
    objects.create(store, "t", "organisation", {"key": "eu-co", "name": "EU Co", "country": "DE"})
    objects.create(store, "t", "organisation", {"key": "br-co", "name": "BR Co", "country": "BR"})
    objects.create(store, "t", "subject_group", {"key": "eu", "name": "EU", "residence": ["DE"]})
    objects.create(store, "t", "collection", {"key": "c", "organisation": "eu-co", "subject_group": "eu",
                                              "categories": ["account"]})
    objects.create(store, "t", "engagement", {"key": "e", "exporter": "eu-co", "importer": "br-co",
                                              "importer_role": "processor", "categories": ["account"]})
    before = _findings(where_does_it_go(store, "account", on="2025-12-01"), "e")
    after = _findings(where_does_it_go(store, "account", on="2026-11-22"), "e")
    assert [f["status"] for f in before if f["rule"] == "transfer"] == ["action"]
    assert [(f["status"], f["basis"]) for f in after if f["rule"] == "transfer"] == [("ok", "adequacy")]


def test_gaps_list_every_non_ok_finding(seeded):
    gaps = registry_gaps(seeded, on="2026-11-22")
    statuses = {g.finding["status"] for g in gaps}
    assert {"violation", "action", "unknown"} <= statuses
    assert all(g.finding["citation"] for g in gaps)


def _basic(user="viewer"):
    return {"Authorization": "Basic " + b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def test_paths_api(client, seeded):
    response = client.get("/api/v1/paths?category=account&on=2026-11-22", headers=_basic())
    assert response.status_code == 200
    assert response.json["paths"] and response.json["status"] in ("violation", "action", "unknown", "ok")
    bad = client.get("/api/v1/paths?category=nothing", headers=_basic())
    assert bad.status_code == 400 and bad.json["field"] == "category"
    missing = client.get("/api/v1/paths", headers=_basic())
    assert missing.status_code == 400 and missing.json["field"] == "category"
    what = client.get("/api/v1/paths?category=account&planned=1", headers=_basic())
    assert "publishers_to_announce" in what.json["what_if"]


def test_assess_api_and_cli(client, runner):
    body = {"on": "2026-11-22", "exporter": {"country": "DE", "role": "controller", "certifications": []},
            "importer": {"country": "US", "role": "processor", "certifications": ["dpf-eu"],
                         "stores_in": ["US"], "accesses_from": []},
            "subjects": {"residence": ["DE"], "citizenship": ["DE"]},
            "categories": ["account.contact.email"], "flags": [], "individuals_per_year": 50000}
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 200
    eu = [f for f in response.json["findings"] if f["regime"] == "eu-gdpr"][0]
    assert (eu["status"], eu["basis"], eu["options"]) == ("ok", "adequacy", [[]])
    bad = client.post("/api/v1/assess", json=dict(body, importer=dict(body["importer"], country="XX")))
    assert bad.status_code == 400 and bad.json["field"] == "importer.country"
    result = runner.invoke(["assess"], input=json.dumps(body))
    assert result.exit_code == 0 and json.loads(result.output)["status"] == response.json["status"]
    failed = runner.invoke(["assess"], input="{}")
    assert failed.exit_code == 1 and failed.output.startswith("Error:")


@pytest.mark.parametrize("url", ["/graph/where", "/graph/where?category=account&on=2026-11-22",
                                 "/graph/where?category=account&planned=y", "/graph/gaps",
                                 "/admin/organisations/demo-skyloom", "/graph/assets/plotly.min.js"])
def test_graph_pages_render(client, auth, seeded, url):
    auth.login("viewer")
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]


def test_where_page_shows_findings_and_a_sankey(client, auth, seeded):
    auth.login("viewer")
    page = client.get("/graph/where?category=biometric&on=2026-11-22").text
    assert 'id="sankey"' in page and "plotly.min.js" in page
    assert "status violation" in page and "<cite>" in page and "local" in page
