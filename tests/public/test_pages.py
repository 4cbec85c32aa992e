"""The public pages: content, grouping, formats, feeds, policy text, headers, no cookies."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from registry.services import objects

ATOM = "{http://www.w3.org/2005/Atom}"


def test_index_lists_publishers_only(client, acme):
    page = client.get("/p/")
    assert page.status_code == 200
    assert "/p/acme/subprocessors" in page.text
    assert "Private Co" not in page.text and "CloudCo" not in page.text


def test_publisher_page_shows_public_engagements_grouped(client, acme):
    page = client.get("/p/acme/subprocessors")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Acme: sub-processors</h1>" in html
    # vendor name and legal entity, vendor country, service, purpose, categories, locations, safeguard codes
    for text in ("CloudCo", "CloudCo Inc.", "United States", "Cloud hosting", "Running the service",
                 "Account data", "India", "EU SCCs Module Three, processor to processor",
                 "HelpDesk Ltd", "United Kingdom", "UK International Data Transfer Agreement", "Support tickets"):
        assert text in html, text
    # grouped by the vendor's role, sub-processors first
    assert html.index("<h3>Sub-processors</h3>") < html.index("CloudCo Inc.") \
        < html.index("<h3>Processors (service providers)</h3>") < html.index("HelpDesk Ltd")
    # planned: effective date and the last day to object (announced 2030-03-01 + 30 days)
    planned = html[html.index('id="planned"'):html.index('id="current"')]
    assert "NewCo" in planned and "2030-04-15" in planned and "2030-03-31" in planned
    assert "Last updated: <time datetime=\"2030-03-01\">" in html
    assert "GoneVendor" not in html  # ended
    assert "Private Co" not in html and "Hosting</td>" not in html  # a non-publisher's engagement


def test_history_is_shown_newest_first(client, acme, clock):
    clock.set("2030-03-05")
    eng = acme.get("engagement", "acme-helpdesk")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["GB", "IE"]),
                   eng.version)
    html = client.get("/p/acme/subprocessors").text
    history = html[html.index('id="history"'):]
    assert history.index("HelpDesk now stores data in Ireland") \
        < history.index("NewCo is planned as a sub-processor")
    assert "2030-03-05" in history


@pytest.mark.parametrize("url", ["/p/private-co/subprocessors", "/p/private-co/subprocessors.json",
                                 "/p/private-co/subprocessors.csv", "/p/private-co/subprocessors.atom",
                                 "/p/private-co/policy.md", "/p/private-co/policy.html", "/p/nobody/subprocessors",
                                 "/p/cloudco/subprocessors"])
def test_non_publishers_are_404(client, acme, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Private Co" not in response.text and "Traceback" not in response.text


def test_404_is_json_for_json_urls_and_public_page_otherwise(client, acme):
    response = client.get("/p/nobody/subprocessors.json")
    assert response.status_code == 404 and response.json["error"].startswith("There is no public")
    page = client.get("/p/nobody/else/here")
    assert page.status_code == 404 and "Sub-processor lists" in page.text
    assert "/admin" not in page.text and "Sign out" not in page.text


def test_json(client, acme):
    data = client.get("/p/acme/subprocessors.json").json
    assert data["publisher"] == {"key": "acme", "name": "Acme", "legal_name": "Acme GmbH",
                                 "country": {"code": "DE", "name": "Germany"}, "website": ""}
    assert data["notice_days"] == 30 and data["last_updated"] == "2030-03-01"
    by_vendor = {e["vendor"]: e for e in data["subprocessors"]}
    assert set(by_vendor) == {"CloudCo", "HelpDesk", "NewCo"}
    cloud = by_vendor["CloudCo"]
    assert [s["code"] for s in cloud["safeguards"]] == ["scc:3", "dpf"]
    assert cloud["safeguards"][0]["name"] == "EU SCCs Module Three, processor to processor"
    assert cloud["stored_in"] == [{"code": "US", "name": "United States"}]
    assert cloud["accessed_from"] == [{"code": "IN", "name": "India"}] and cloud["data_categories"] == ["Account data"]
    assert cloud["legal_entity"] == "CloudCo Inc." and cloud["vendor_country"]["code"] == "US"
    assert by_vendor["NewCo"]["status"] == "planned"
    assert by_vendor["NewCo"]["objection_deadline"] == "2030-03-31"
    assert [c["action"] for c in data["changes"]].count("announced") == 1
    assert data["links"]["atom"].endswith("/p/acme/subprocessors.atom")


def test_csv(client, acme):
    response = client.get("/p/acme/subprocessors.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["vendor"] for r in rows} == {"CloudCo", "HelpDesk", "NewCo"}
    cloud = next(r for r in rows if r["vendor"] == "CloudCo")
    assert cloud["safeguards"].startswith("EU SCCs Module Three, processor to processor (scc:3); ")
    assert cloud["vendor_country"] == "United States (US)"
    assert cloud["stored_in"] == "United States (US)" and cloud["accessed_from"] == "India (IN)"


def test_csv_cells_cannot_be_formulas(client, acme):
    objects.create(acme, "dpo", "organisation", {"key": "evil", "name": "=HYPERLINK(\"x\")"})
    objects.create(acme, "dpo", "engagement", {"key": "acme-evil", "exporter": "acme", "importer": "evil",
                                               "public": True, "service": "+cmd", "status": "planned",
                                               "effective_date": "2030-05-01"})
    rows = list(csv.DictReader(io.StringIO(client.get("/p/acme/subprocessors.csv").text)))
    evil = next(r for r in rows if "HYPERLINK" in r["vendor"])
    assert evil["vendor"].startswith("'=") and evil["service"] == "'+cmd"


def _atom(client):
    response = client.get("/p/acme/subprocessors.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def test_atom_feed_parses_with_stable_tag_ids(client, acme, clock):
    clock.set("2030-03-02")
    eng = acme.get("engagement", "acme-helpdesk")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), categories=["support", "account"]),
                   eng.version)
    feed = _atom(client)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "Acme: sub-processor changes"
    entries = feed.findall(f"{ATOM}entry")
    changes = sorted(acme.list("change", filters={"publisher": "acme"}), key=lambda c: (c.date, c.key), reverse=True)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert ids == [f"tag:localhost,{c.date}:subprocessors/acme/{c.key}" for c in changes]
    assert entries[0].find(f"{ATOM}title").text == "New data categories: HelpDesk"
    assert "HelpDesk now receives Account data" in entries[0].find(f"{ATOM}content").text
    assert feed.find(f"{ATOM}updated").text.startswith("2030-03-02")
    again = [e.find(f"{ATOM}id").text for e in _atom(client).findall(f"{ATOM}entry")]
    assert again == ids  # stable across requests
    assert ET.tostring(_atom(client)) == ET.tostring(_atom(client))


def test_change_entries_for_every_kind_of_change(client, acme, clock):
    """added, removed, new-location, new-categories and announced all reach page, JSON and feed."""
    store = acme
    clock.set("2030-03-02")
    eng = store.get("engagement", "acme-cloudco")
    objects.update(store, "dpo", "engagement", eng.key,
                   dict(eng.to_dict(), store_countries=["US", "JP"], categories=["account", "support"]), eng.version)
    eng = store.get("engagement", "acme-helpdesk")
    objects.update(store, "dpo", "engagement", eng.key, dict(eng.to_dict(), status="ended", end_date="2030-03-02"),
                   eng.version)
    clock.set("2030-04-02")  # after NewCo's notice period
    eng = store.get("engagement", "acme-newco")
    objects.update(store, "dpo", "engagement", eng.key, dict(eng.to_dict(), status="active"), eng.version)
    data = client.get("/p/acme/subprocessors.json").json
    actions = [(c["action"], c["vendor"]) for c in data["changes"]]
    assert actions[0] == ("added", "NewCo")
    for expected in [("new-location", "CloudCo"), ("new-categories", "CloudCo"), ("removed", "HelpDesk"),
                     ("announced", "NewCo"), ("initial-list", "")]:
        assert expected in actions
    titles = [e.find(f"{ATOM}title").text for e in _atom(client).findall(f"{ATOM}entry")]
    for title in ("Added: NewCo", "Removed: HelpDesk", "New location: CloudCo", "New data categories: CloudCo",
                  "Announced: NewCo"):
        assert title in titles
    html = client.get("/p/acme/subprocessors").text
    assert "CloudCo now stores data in Japan" in html
    assert "HelpDesk is no longer a sub-processor" in html


def test_policy_text_markdown_and_html(client, acme):
    md = client.get("/p/acme/policy.md")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    text = md.text
    assert text.startswith("## Sub-processors and international transfers")
    assert "| CloudCo (CloudCo Inc.) | Cloud hosting | United States | United States | India |" in text
    assert "EU SCCs Module Three, processor to processor" in text
    assert "NewCo is planned as a sub-processor from 2030-04-15: announced 2030-03-01, takes effect 2030-04-15; " \
           "objections until 2030-03-31." in text
    assert "at least 30 days" in text and "<http://localhost/p/acme/subprocessors>" in text
    html = client.get("/p/acme/policy.html")
    assert html.status_code == 200
    assert "<h2>Sub-processors and international transfers</h2>" in html.text
    assert "<table>" in html.text and "<td>CloudCo (CloudCo Inc.)</td>" in html.text


def test_policy_text_escapes_markup_from_the_registry(client, acme):
    objects.create(acme, "dpo", "organisation", {"key": "xss", "name": "<script>alert(1)</script> *Bold* | pipe"})
    objects.create(acme, "dpo", "engagement", {"key": "acme-xss", "exporter": "acme", "importer": "xss",
                                               "public": True, "store_countries": ["US"], "status": "planned",
                                               "effective_date": "2030-05-01"})
    html = client.get("/p/acme/policy.html").text
    assert "<script>" not in html and "<em>Bold</em>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; *Bold* | pipe" in html
    page = client.get("/p/acme/subprocessors").text
    assert "<script>" not in page


def test_admin_organisation_page_links_to_public_page_and_policy(client, auth, acme):
    auth.login("viewer")
    page = client.get("/admin/organisations/acme").text
    assert 'href="/p/acme/subprocessors"' in page and 'href="/p/acme/policy.html"' in page
    assert 'href="/p/acme/policy.md"' in page
    assert "/p/cloudco/" not in client.get("/admin/organisations/cloudco").text


PUBLIC_GETS = ["/p/", "/p/acme/subprocessors", "/p/acme/subprocessors.json", "/p/acme/subprocessors.csv",
               "/p/acme/subprocessors.atom", "/p/acme/policy.md", "/p/acme/policy.html", "/p/static/public.css",
               "/p/nobody/subprocessors", "/p/private-co/subprocessors.json", "/p/no/such/page",
               "/p/subscriptions/confirm/forged-token", "/p/subscriptions/unsubscribe/forged-token"]


@pytest.mark.parametrize("url", PUBLIC_GETS)
def test_public_responses_set_no_cookie_and_carry_security_headers(client, acme, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404), response.status_code
    assert "Set-Cookie" not in response.headers
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_public_pages_set_no_cookie_even_for_a_signed_in_admin(client, auth, acme):
    auth.login("admin")
    client.get("/admin/")
    for url in PUBLIC_GETS:
        assert "Set-Cookie" not in client.get(url).headers, url


@pytest.mark.parametrize("url", ["/p/", "/p/acme/subprocessors", "/p/acme/policy.html", "/p/nobody/subprocessors"])
def test_public_html_is_standalone_with_no_foreign_assets_or_tracking(client, acme, url):
    html = client.get(url).text
    assert "/static/style.css" not in html and "Sign out" not in html and "/admin" not in html
    assert "<script" not in html and "<iframe" not in html
    for attr in re.findall(r'(?:src|href|action)="([^"]*)"', html):
        assert not re.match(r"^(?:[a-z]+:)?//", attr) or attr.startswith("http://localhost/"), attr
    assert "@media print" in client.get("/p/static/public.css").text


def test_json_is_valid_utf8_json(client, acme):
    response = client.get("/p/acme/subprocessors.json")
    assert json.loads(response.data.decode("utf-8"))["publisher"]["name"] == "Acme"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_feed_ids_use_the_public_base_url_host(client, app, acme):
    app.config["PUBLIC_BASE_URL"] = "https://privacy.acme.example"
    feed = _atom(client)
    assert feed.find(f"{ATOM}id").text == "tag:privacy.acme.example,2025:subprocessors/acme"
    assert all(re.match(r"tag:privacy\.acme\.example,20\d\d-\d\d-\d\d:subprocessors/acme/chg-", e.find(f"{ATOM}id").text)
               for e in feed.findall(f"{ATOM}entry"))
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"] == "https://privacy.acme.example/p/acme/subprocessors.atom"
