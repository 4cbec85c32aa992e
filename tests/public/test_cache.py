"""Public outputs are rendered once per registry version and answer conditional GETs with 304."""

import pytest

from registry.public.cache import RenderCache
from registry.services import objects

URLS = ["/p/acme/subprocessors", "/p/acme/subprocessors.json", "/p/acme/subprocessors.csv",
        "/p/acme/subprocessors.atom", "/p/acme/policy.md", "/p/acme/policy.html"]


@pytest.mark.parametrize("url", URLS)
def test_etag_and_conditional_get(client, acme, url):
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    assert "Set-Cookie" not in again.headers
    assert client.get(url).data == first.data  # the same rendering


def test_a_write_or_a_new_day_makes_a_new_version(client, acme, clock):
    url = "/p/acme/subprocessors.json"
    etag = client.get(url).headers["ETag"]
    eng = acme.get("engagement", "acme-helpdesk")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), service="Support desk"), eng.version)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Support desk" in changed.text
    clock.set("2030-04-01")  # NewCo's objection period closed overnight
    later = client.get(url, headers={"If-None-Match": changed.headers["ETag"]})
    assert later.status_code == 200 and later.headers["ETag"] != changed.headers["ETag"]


def test_the_page_is_rendered_once_per_version(client, acme, monkeypatch):
    from registry.services import public_view
    calls = []
    real = public_view.public_listing
    monkeypatch.setattr(public_view, "public_listing", lambda *a, **k: calls.append(1) or real(*a, **k))
    from registry.public import feeds
    monkeypatch.setattr(feeds.publication, "public_listing", public_view.public_listing)
    for _ in range(3):
        assert client.get("/p/acme/subprocessors.json").status_code == 200
    assert len(calls) == 1


def test_render_cache_keeps_the_newest():
    cache = RenderCache(size=2)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") is None and cache.get("b") == "B" and cache.get("c") == "C"


def _statements(store, vendors):
    """How many SQL statements the public listing of a publisher with ``vendors`` vendors runs."""
    from registry.services import publication
    from registry.services.public_view import public_listing
    key = f"pub{vendors}"
    objects.create(store, "dpo", "organisation", {"key": key, "name": "Pub", "country": "DE", "publisher": True,
                                                  "notice_days": 10})
    objects.create(store, "dpo", "collection", {"key": f"{key}-signup", "organisation": key,
                                                "subject_group": "customers", "categories": ["account", "support"]})
    for i in range(vendors):
        objects.create(store, "dpo", "organisation", {"key": f"{key}-v{i}", "name": f"Vendor {i}",
                                                      "country": ("US", "FR", "IN")[i % 3]})
    publication.record_initial_list(store, "dpo", key, "2030-01-01", [
        {"key": f"{key}-e{i}", "exporter": key, "importer": f"{key}-v{i}", "public": True, "status": "active",
         "categories": [("account", "support")[i % 2]], "purposes": ["hosting"], "subject_groups": ["customers"],
         "store_countries": [("US", "FR", "IN")[i % 3]], "safeguards": ["scc:2"]} for i in range(vendors)])
    count = [0]
    store.conn.set_trace_callback(lambda statement: count.__setitem__(0, count[0] + 1))
    try:
        listing = public_listing(store, key)
    finally:
        store.conn.set_trace_callback(None)
    assert len(listing.engagements) == vendors and all(e.transfers for e in listing.engagements)
    return count[0]


def test_the_listing_reads_in_batches_whatever_the_number_of_vendors(acme):
    objects.create(acme, "dpo", "subject_group", {"key": "customers", "name": "Customers", "residence": ["DE"]})
    assert _statements(acme, 3) == _statements(acme, 30)
