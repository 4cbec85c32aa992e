"""The published text says what the path assessment says about transfers, in words."""

from registry.services import objects, publication


def _publisher(store, key, country, vendors):
    objects.create(store, "dpo", "organisation", {"key": key, "name": key.title(), "country": country,
                                                  "publisher": True, "notice_days": 14})
    publication.record_initial_list(store, "dpo", key, "2030-01-15", [
        dict({"key": f"{key}-{vendor}", "exporter": key, "importer": vendor, "public": True, "status": "active",
              "categories": ["account"]}, **extra) for vendor, extra in vendors])


def test_an_estonian_publisher_hosting_in_germany_lists_no_transfer(client, acme):
    objects.create(acme, "dpo", "organisation", {"key": "hetzner", "name": "Hetzner", "country": "DE"})
    _publisher(acme, "tallinn", "EE", [("hetzner", {"store_countries": ["DE", "FI"]}),
                                       ("cloudco", {"store_countries": ["US"], "safeguards": ["scc:2"]})])
    text = client.get("/p/tallinn/policy.md").text
    hetzner = next(line for line in text.splitlines() if line.startswith("- Hetzner"))
    assert "Germany, Finland" in hetzner and "Not a transfer under the EU General Data Protection" in hetzner
    assert "transfer under" in hetzner and "A transfer" not in hetzner
    cloud = next(line for line in text.splitlines() if line.startswith("- CloudCo"))
    assert "A transfer under the EU General Data Protection Regulation (EU/EEA)" in cloud
    assert "EU SCCs Module Two, controller to processor" in cloud
    data = client.get("/p/tallinn/subprocessors.json").json
    notes = {e["vendor"]: e["transfers"] for e in data["subprocessors"]}
    assert [n["kind"] for n in notes["Hetzner"]] == ["no-transfer"]
    assert notes["CloudCo"][0]["safeguards"] == [{"code": "scc:2", "name": "EU SCCs Module Two, controller to processor"}]


def test_unknown_locations_are_said_to_be_unknown(client, acme):
    objects.create(acme, "dpo", "organisation", {"key": "mystery", "name": "Mystery Inc"})
    _publisher(acme, "usco", "US", [("mystery", {})])
    text = client.get("/p/usco/policy.md").text
    line = next(line for line in text.splitlines() if line.startswith("- Mystery"))
    assert "data stored in: not recorded" in line
    assert "leaves" not in text and "None of the providers" not in text
    page = client.get("/p/usco/subprocessors").text
    assert "Mystery" in page and "30 days" not in page and "14 days" in page
