"""The public page in real headless Chromium: no request leaves the app's origin, no cookie
is set, the CSP lets the page's own stylesheet through, print CSS hides the forms, and
a subscription sent from the browser works. Screenshots go to tests/artifacts/."""

import re

from registry.services import objects
from tests.browser import ARTIFACTS, browser, live_server, origin, require_chromium  # noqa: F401 (fixtures)

from .conftest import body, link

require_chromium()


def test_public_page_in_chromium(app, acme, smtp, live_server, browser, clock):
    objects.create(acme, "dpo", "organisation", {"key": "lumen", "name": "Lumen Studio", "country": "NL",
                                                 "publisher": True, "notice_days": 14})
    objects.create(acme, "dpo", "engagement", {"key": "lumen-cloudco", "exporter": "lumen", "importer": "cloudco",
                                               "service": "Hosting", "categories": ["account"],
                                               "store_countries": ["US"], "safeguards": ["scc:2", "dpf"],
                                               "public": True, "internal_notes": "never shown"})
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
