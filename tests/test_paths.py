"""Where does this data go: paths over the seed data, what-if, pages and API."""

import json
import re
from base64 import b64encode
from datetime import date, timedelta

import pytest

from registry.domain.findings import STATUS_ORDER
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
    return [f for h in answer.hops if h.engagement.key == engagement for f in h.assessment["findings"]]


def test_softntechnology_eu_data_to_a_hosting_vendor_of_unknown_country_is_unknown(seeded):
    answer = where_does_it_go(seeded, "account.contact.email", on="2026-11-22",
                              subject_groups=["softntechnology-eu-eea-subjects"], start="softntechnology")
    findings = _findings(answer, "softntechnology-hosting")
    eu = [f for f in findings if f["regime"] == "eu-gdpr" and f["rule"] == "transfer"]
    assert eu and eu[0]["status"] == "unknown"
    assert "store" in eu[0]["explanation"].lower() or "where" in eu[0]["explanation"].lower()


def test_regimes_travel_with_the_data_to_onward_hops(seeded):
    answer = where_does_it_go(seeded, "account", on="2026-11-22")
    onward = [h for h in answer.hops if h.depth >= 2 and "eu-gdpr" in h.regimes]
    assert onward, "the demo has EU data going at least two hops"
    assert all(any(f["regime"] == "eu-gdpr" for f in h.assessment["findings"]) for h in onward)
    path = answer.example_path(onward[0])
    assert len(path["engagements"]) == onward[0].depth >= 2


def test_depth_bound_and_subject_groups(seeded):
    deep = where_does_it_go(seeded, "account", on="2026-11-22")
    shallow = where_does_it_go(seeded, "account", on="2026-11-22", max_depth=1)
    assert max(h.depth for h in deep.hops) >= 3 and deep.complete and deep.cut == []
    assert max(h.depth for h in shallow.hops) == 1
    assert not shallow.complete and shallow.cut  # the bound says what it left out
    assert set(shallow.cut) <= {h.engagement.key for h in deep.hops if h.depth == 2}
    one_group = where_does_it_go(seeded, "account", on="2026-11-22", subject_groups=["softntechnology-customers"])
    assert one_group.hops and {h.group.key for h in one_group.hops} == {"softntechnology-customers"}


def test_what_if_shows_new_findings_and_who_must_announce(seeded):
    planned = [e for e in seeded.list("engagement", filters={"status": "planned"})]
    assert planned, "the demo has a planned engagement"
    category = planned[0].categories[0]
    before = planned[0].announced_date
    day_before = (date.fromisoformat(before) - timedelta(days=1)).isoformat()
    answer, new, publishers = what_if(seeded, category, on=day_before)
    assert any(h.engagement.key == planned[0].key for h in answer.hops)
    assert any(h.engagement.key == planned[0].key for h, _ in new)
    assert publishers and all(seeded.get("organisation", k).publisher for k in publishers)
    assert planned[0].exporter in publishers
    # once announced, inside its notice period, nobody must announce it again
    _, new, publishers = what_if(seeded, category, on=before)
    assert any(h.engagement.key == planned[0].key for h, _ in new)
    assert planned[0].key not in {k for keys in publishers.values() for k in keys}


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
    body = response.json
    assert body["hops"] and body["status"] in ("violation", "action", "unknown", "ok")
    assert body["total"] >= len(body["hops"]) and body["complete"] is True
    first = client.get("/api/v1/paths?category=account&on=2026-11-22&limit=3", headers=_basic()).json
    second = client.get("/api/v1/paths?category=account&on=2026-11-22&limit=3&offset=3&examples=1",
                        headers=_basic()).json
    assert first["total"] == second["total"] == body["total"]
    assert [h["id"] for h in first["hops"] + second["hops"]] == [h["id"] for h in body["hops"][:6]]
    assert set(second["examples"]) == {h["id"] for h in second["hops"]}
    assert all(e["engagements"][-1] == h["engagement"] for h in second["hops"] for e in [second["examples"][h["id"]]])
    bounded = client.get("/api/v1/paths?category=account&on=2026-11-22&depth=1", headers=_basic()).json
    assert bounded["complete"] is False and bounded["cut"]["count"] > 0
    for query, field in [("category=nothing", "category"), ("", "category"),
                         ("category=account&organisation=nobody", "organisation"),
                         ("category=account&subject_group=nobody", "subject_group"),
                         ("category=account&on=2026-13-45", "on"), ("category=account&limit=-1", "limit"),
                         ("category=account&limit=100000", "limit"), ("category=account&limit=x", "limit"),
                         ("category=account&offset=-5", "offset"), ("category=account&depth=0", "depth")]:
        bad = client.get(f"/api/v1/paths?{query}", headers=_basic())
        assert bad.status_code == 400 and bad.json["field"] == field, (query, bad.json)
    what = client.get("/api/v1/paths?category=account&planned=1", headers=_basic())
    assert "publishers_to_announce" in what.json["what_if"]


def test_gaps_api_filters_pages_and_csv(client, seeded):
    everything = client.get("/api/v1/gaps?on=2026-11-22&limit=1000", headers=_basic()).json
    assert everything["total"] == len(everything["items"]) > 2
    keys = [i["engagement"] for i in everything["items"]]
    assert len(keys) == len(set(keys))  # one row per engagement
    assert all(f["contexts"] for i in everything["items"] for f in i["findings"])
    page = client.get("/api/v1/gaps?on=2026-11-22&limit=2&offset=1", headers=_basic()).json
    assert [i["engagement"] for i in page["items"]] == keys[1:3] and page["total"] == everything["total"]
    violations = client.get("/api/v1/gaps?on=2026-11-22&status=violation", headers=_basic()).json
    assert violations["items"] and all(f["status"] == "violation" for i in violations["items"]
                                       for f in i["findings"])
    eu = client.get("/api/v1/gaps?on=2026-11-22&regime=eu-gdpr", headers=_basic()).json
    assert eu["items"] and all(f["regime"] == "eu-gdpr" for i in eu["items"] for f in i["findings"])
    org = everything["items"][0]["exporter"]
    mine = client.get(f"/api/v1/gaps?on=2026-11-22&organisation={org}", headers=_basic()).json
    assert mine["items"] and all(org in (i["exporter"], i["importer"]) for i in mine["items"])
    publisher = client.get("/api/v1/gaps?on=2026-11-22&publisher=demo-lumenhaus", headers=_basic()).json
    assert 0 < publisher["total"] < everything["total"]
    biometric = client.get("/api/v1/gaps?on=2026-11-22&category=biometric", headers=_basic()).json
    assert biometric["items"] and biometric["total"] < everything["total"]
    csv_text = client.get("/api/v1/gaps?on=2026-11-22&format=csv", headers=_basic()).text
    assert csv_text.splitlines()[0].startswith("status,engagement,exporter")
    assert len(csv_text.splitlines()) - 1 == sum(len(i["findings"]) for i in everything["items"])
    for query, field in [("on=garbage", "on"), ("status=fine", "status"), ("regime=nowhere", "regime"),
                         ("organisation=nobody", "organisation"), ("publisher=nobody", "publisher"),
                         ("category=nothing", "category"), ("limit=0", "limit")]:
        bad = client.get(f"/api/v1/gaps?{query}", headers=_basic())
        assert bad.status_code == 400 and bad.json["field"] == field, (query, bad.json)


def test_assess_api_and_cli(client, runner):
    body = {"on": "2026-11-22", "exporter": {"country": "DE", "role": "controller", "certifications": []},
            "importer": {"country": "US", "role": "processor", "certifications": ["dpf-eu"],
                         "stores_in": ["US"], "accesses_from": []},
            "subjects": {"residence": ["DE"], "citizenship": ["DE"]},
            "categories": ["account.contact.email"], "flags": [], "individuals_per_year": 50000}
    response = client.post("/api/v1/assess", json=body)
    assert response.status_code == 200
    eu = [f for f in response.json["findings"] if f["regime"] == "eu-gdpr" and f["rule"] == "transfer"][0]
    assert (eu["status"], eu["basis"], eu["options"]) == ("ok", "adequacy", [[]])
    bad = client.post("/api/v1/assess", json=dict(body, importer=dict(body["importer"], country="XX")))
    assert bad.status_code == 400 and bad.json["field"] == "importer.country"
    result = runner.invoke(["assess"], input=json.dumps(body))
    assert result.exit_code == 0 and json.loads(result.output)["status"] == response.json["status"]
    failed = runner.invoke(["assess"], input="{}")
    assert failed.exit_code == 1 and failed.output.startswith("Error:")


@pytest.mark.parametrize("url", ["/graph/where", "/graph/where?category=account&on=2026-11-22",
                                 "/graph/where?category=account&planned=y", "/graph/gaps",
                                 "/graph/where?category=account&examples=y&limit=5&offset=5",
                                 "/graph/gaps?status=violation&regime=eu-gdpr&limit=5",
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
    assert 'class="legend"' in page and "planned flows are drawn apart" in page


def test_the_sankey_draws_planned_flows_apart(seeded):
    from registry.charts import PLANNED_COLOUR, flow_sankey

    planned = seeded.list("engagement", filters={"status": "planned"})[0]
    answer, _, _ = what_if(seeded, planned.categories[0], on="2026-11-22")
    figure, drawn, total = flow_sankey(answer)
    colours = list(figure.data[0].link.color)
    assert PLANNED_COLOUR in colours and len(set(colours)) > 1
    assert drawn == total == len(answer.edge_flows())
    assert answer.edge_flows() is answer.edge_flows()  # kept with the (cached) answer: a page turn draws it again


@pytest.mark.parametrize("url, field", [("/graph/gaps?on=garbage", "on"), ("/graph/gaps?limit=-3", "limit"),
                                        ("/graph/gaps?organisation=nobody", "organisation"),
                                        ("/graph/where?category=account&on=2026-02-31", "on"),
                                        ("/graph/where?category=account&organisation=nobody", "organisation"),
                                        ("/graph/where?category=account&limit=0", "limit"),
                                        ("/graph/where?category=account&depth=-1", "depth")])
def test_graph_pages_show_bad_input_next_to_the_field(client, auth, seeded, url, field):
    auth.login("viewer")
    response = client.get(url)
    assert response.status_code == 400
    assert re.search(rf'name="{field}"[^>]*>\s*(<[^>]+>\s*)*<span class="error"', response.text), response.text[-3000:]


def test_gaps_page_groups_by_engagement_and_exports_csv(client, auth, seeded):
    auth.login("viewer")
    page = client.get("/graph/gaps?on=2026-11-22").text
    assert "Download as CSV" in page and "context" in page
    csv_response = client.get("/graph/gaps?on=2026-11-22&format=csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"


def test_sankey_labels_cannot_inject_markup(store):
    objects.create(store, "t", "category", {"key": "account", "name": "Account"})
    objects.create(store, "t", "organisation", {"key": "a", "name": "A", "country": "DE"})
    objects.create(store, "t", "organisation", {"key": "b", "name": '<a href="https://evil.example">B</a>',
                                                "country": "US"})
    objects.create(store, "t", "subject_group", {"key": "eu", "name": "<b style='x'>EU</b>", "residence": ["DE"]})
    objects.create(store, "t", "collection", {"key": "c", "organisation": "a", "subject_group": "eu",
                                              "categories": ["account"]})
    objects.create(store, "t", "engagement", {"key": "e", "exporter": "a", "importer": "b",
                                              "importer_role": "processor", "categories": ["account"]})
    from registry.charts import flow_sankey
    figure, drawn, total = flow_sankey(where_does_it_go(store, "account", on="2026-11-22"))
    labels = list(figure.data[0].node.label)
    assert drawn == total == 1
    assert not any("<" in label or ">" in label for label in labels)
    assert any("&lt;a href=" in label for label in labels)



def test_pages_follow_the_full_order_whether_picked_from_the_head_or_sorted(seeded, monkeypatch):
    from registry.services import paths

    monkeypatch.setattr(paths, "HEAD", 7)  # pages within 7 hops come from the head, later ones sort
    first = where_does_it_go(seeded, "account", on="2026-11-22")
    assert first.total > 12
    picked = [first.page(3, offset) for offset in (0, 2, 4)] + [first.page(4, 10), first.page(None, 5)]
    order = where_does_it_go(seeded, "account", on="2026-11-22").hops  # another answer, sorted whole
    assert [[h.key for h in page] for page in picked] == [
        [h.key for h in order[0:3]], [h.key for h in order[2:5]], [h.key for h in order[4:7]],
        [h.key for h in order[10:14]], [h.key for h in order[5:]]]
    assert [STATUS_ORDER[h.status] for h in order] == sorted(STATUS_ORDER[h.status] for h in order)
    assert first.status == order[0].status
