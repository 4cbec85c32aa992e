"""The public page in real headless Chromium: no request leaves the app's origin, no cookie
is set, the CSP lets the page's own stylesheet through, print CSS hides the forms, and
a subscription sent from the browser works. Screenshots go to tests/artifacts/."""

import re

import xml.etree.ElementTree as ET

from registry.services import objects, publication
from tests.browser import ARTIFACTS, browser, live_server, origin, require_chromium  # noqa: F401 (fixtures)

from .conftest import body, link

require_chromium()


def test_public_page_in_chromium(app, acme, smtp, live_server, browser, clock):
    objects.create(acme, "dpo", "organisation", {"key": "lumen", "name": "Lumen Studio", "country": "NL",
                                                 "publisher": True, "notice_days": 14})
    publication.record_initial_list(acme, "dpo", "lumen", "2030-02-01", [{
        "key": "lumen-cloudco", "exporter": "lumen", "importer": "cloudco", "service": "Hosting",
        "categories": ["account"], "store_countries": ["US"], "safeguards": ["scc:2", "dpf"], "public": True,
        "internal_notes": "never shown"}])
    clock.set("2030-03-04")
    eng = acme.get("engagement", "acme-helpdesk")  # a material change: a new storage country
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["GB", "IE"]),
                   eng.version)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, console_errors = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)

    for org in ("acme", "lumen"):
        response = page.goto(f"{live_server}/p/{org}/subprocessors", wait_until="networkidle")
        assert response.status == 200
        assert "Set-Cookie" not in "".join(response.headers)
        assert page.locator("h1").inner_text().endswith("sub-processors")
    page.goto(f"{live_server}/p/acme/subprocessors", wait_until="networkidle")
    _page_json_and_atom_agree(page, live_server)
    # the stylesheet loaded under the CSP (system fonts, planned item styled)
    assert page.eval_on_selector("article.planned", "e => getComputedStyle(e).borderLeftStyle") == "solid"
    assert page.locator("text=CloudCo Inc.").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "public-page.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("#subscribe").is_visible()
    page.screenshot(path=str(ARTIFACTS / "public-page-print.png"), full_page=True)
    page.emulate_media(media="screen")

    # a real form post from the browser
    page.fill("#email", "browser@example.com")
    page.click("#subscribe button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "will receive an email with a link to confirm" in page.locator("#message").inner_text()
    path = link(body(smtp.wait_for(1)[0][1]), "confirm")
    page.goto(live_server + path, wait_until="networkidle")
    page.click("form.confirm button")
    page.wait_for_load_state("networkidle")
    assert "will be told of every change" in page.content()
    assert acme.list("subscription", filters={"confirmed": True})

    page.goto(f"{live_server}/p/acme/policy.html", wait_until="networkidle")
    assert page.locator("h2").first.inner_text() == "Sub-processors and international transfers"

    foreign = [url for url in requests if not url.startswith(("data:", "about:")) and origin(url) != live_server]
    assert foreign == [], f"requests left the app's origin: {foreign}"
    assert any(url.endswith("/p/static/public.css") for url in requests)
    assert context.cookies() == []
    assert not [e for e in console_errors if re.search(r"Content Security Policy|Refused", e)], console_errors
    context.close()


def _page_json_and_atom_agree(page, live_server):
    """What the browser shows for each planned change is what the JSON and the Atom feed say."""
    shown = {}
    for article in page.locator("article.planned").all():
        ref = article.get_attribute("id")
        items = article.locator("ul.pending li").all_inner_texts()
        shown[ref] = items
    data = page.request.get(f"{live_server}/p/acme/subprocessors.json").json()
    atom = ET.fromstring(page.request.get(f"{live_server}/p/acme/subprocessors.atom").body())
    contents = [e.findtext("{http://www.w3.org/2005/Atom}content") for e in
                atom.findall("{http://www.w3.org/2005/Atom}entry")]
    changes = {c["id"]: c for c in data["changes"]}
    planned = [e for e in data["subprocessors"] if e["pending_changes"]]
    assert {e["id"] for e in planned} == set(shown) and len(shown) == 2  # NewCo, and HelpDesk's new country
    for item in planned:
        texts = shown[item["id"]]
        assert len(texts) == len(item["pending_changes"])
        for key, text in zip(item["pending_changes"], texts):
            change = changes[key]
            assert change["summary"] in text and f"announced {change['date']}" in text
            assert f"takes effect {change['effective_date']}" in text
            assert f"last day to object {change['objection_deadline']}" in text
            assert any(change["summary"] in c and f"Takes effect on {change['effective_date']}." in c
                       and f"Objections may be made until {change['objection_deadline']}." in c for c in contents)
        assert item["objection_deadline"] == max(changes[k]["objection_deadline"] for k in item["pending_changes"])
    first_row = page.locator("#current tbody tr").first.inner_text()
    assert "EU SCCs" in first_row or "UK International" in first_row  # codes in words
