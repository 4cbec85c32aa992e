"""The DPO's workspace in real headless Chromium, on the demo data and on a synthetic registry of
2,000 organisations and 10,000 engagements: lists, search, pickers with and without the app's
script, field errors, triage, and the three pictures drawn by the app's own plotly.js with the
app's own map data. Screenshots go to tests/artifacts/ (workspace-*.png)."""

import re

import pytest

from benchmarks.synthetic import build
from registry.services.exchange import import_registry, seed
from tests.browser import ARTIFACTS, browser, live_server, origin, require_chromium  # noqa: F401 (fixtures)
from tests.conftest import PASSWORD

require_chromium()


class Session:
    """One signed-in browser context that records every request, page error and console error."""

    def __init__(self, browser, base, javascript=True):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1300, "height": 1000}, java_script_enabled=javascript)
        self.requests, self.errors = [], []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        # console errors show CSP violations; failed loads are the favicon and the 400 of a refused form
        self.page.on("console", lambda msg: self.errors.append(msg.text)
                     if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)

    def sign_in(self, username="editor"):
        self.page.goto(f"{self.base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def open(self, path, shot=None, budget=300_000):
        response = self.page.goto(f"{self.base}{path}", wait_until="networkidle")
        assert response.status in (200, 400), (path, response.status)
        assert len(response.body()) < budget, (path, len(response.body()))
        if shot:
            self.shot(shot)
        return response

    def shot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"workspace-{name}.png"), full_page=True)

    def close(self):
        foreign = [url for url in self.requests if not url.startswith(("data:", "about:", "blob:"))
                   and origin(url) != self.base]
        assert foreign == [], f"requests left the app's origin: {foreign}"
        assert self.errors == [], self.errors
        self.context.close()


def rows(page):
    return page.locator("table.list tbody tr").count()


def test_workspace_on_the_demo_data(app, store, live_server, browser):
    seed(store)
    s = Session(browser, live_server)
    s.sign_in()
    s.open("/admin/", "dashboard")
    assert s.page.locator(".status-card").count() == 3
    assert s.page.locator("h2", has_text="Planned changes").is_visible()

    s.open("/admin/organisations/?q=united+states", "organisations-by-country")
    assert rows(s.page) >= 1 and "United States" in s.page.locator("table.list tbody").inner_text()

    s.open("/admin/engagements/new?exporter=demo-lumenhaus")
    s.page.fill("#importer", "Sky")
    s.page.wait_for_selector("#importer-options option", state="attached", timeout=5000)
    suggestion = s.page.locator("#importer-options option").first.get_attribute("value")
    assert "Skyloom" in suggestion
    s.page.fill("#importer", suggestion)
    s.page.fill("#key", "workspace-check")
    filter_box = s.page.locator("#categories").locator("xpath=preceding-sibling::input[@type='search']")
    filter_box.fill("email")
    visible = s.page.locator("#categories li:visible")
    assert 0 < visible.count() < s.page.locator("#categories li").count()
    visible.first.locator("input").check()
    s.page.select_option("#status", "active")
    s.page.fill("#effective_date", "2099-01-01")
    s.page.locator("#safeguards-0-code").select_option("scc:2")
    s.page.fill("#safeguards-0-document", "not-a-link")
    s.page.click("main form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    errors = s.page.locator(".has-error .error")
    assert "Evidence must be an http:// or https:// link" in " ".join(errors.all_inner_texts())
    assert store.find("engagement", "workspace-check") is None
    s.shot("engagement-form-error")

    s.open("/admin/triage", "triage")
    s.page.locator("table.triage details").first.click()
    s.shot("triage-open")
    s.open("/admin/pictures?view=network&organisation=demo-lumenhaus")
    s.page.wait_for_selector("#network-chart .main-svg", timeout=15000)
    assert s.page.locator("#network-chart .scatterlayer .point").count() >= 3
    s.shot("network")
    category = store.list("category")[0].key
    s.open(f"/admin/pictures?view=map&category={category}")
    s.page.wait_for_selector("#map-chart .geo .choroplethlocation", state="attached", timeout=15000)
    s.shot("map")
    s.open("/admin/pictures", "concentration")
    s.page.wait_for_selector("#concentration-chart .main-svg", timeout=15000)
    assert any(url.endswith("/static/topojson/world_110m.json") for url in s.requests)
    s.close()


def test_gaps_dashboard_current_then_while_a_newer_survey_runs(app, store, live_server, browser, monkeypatch):
    """The gaps dashboard with its survey current, then after an edit while the next survey is
    held back (as a large registry's takes a minute): the previous rows, and a note saying so."""
    import threading

    from registry.admin import survey_cache
    from registry.services import objects

    seed(store)
    s = Session(browser, live_server)
    s.sign_in("viewer")
    s.open("/graph/gaps?on=2026-11-22", "gaps")
    shown = rows(s.page)
    assert shown > 0 and s.page.locator(".flash").count() == 0
    s.page.locator("table.list details").first.click()
    assert s.page.locator("table.list details li").first.is_visible()
    gate, real = threading.Event(), survey_cache.survey
    monkeypatch.setattr(survey_cache, "survey", lambda *a, **kw: gate.wait(60) and real(*a, **kw))
    app.config["ADMIN_SURVEY_WAIT"] = 0
    objects.create(store, "dpo", "organisation", {"key": "late-vendor", "name": "Late Vendor"})
    s.open("/graph/gaps?on=2026-11-22", "gaps-stale")
    assert "being brought up to date" in s.page.locator(".flash").inner_text() and rows(s.page) == shown
    gate.set()
    s.close()


def test_forms_work_without_javascript(app, store, live_server, browser):
    seed(store)
    s = Session(browser, live_server, javascript=False)
    s.sign_in()
    s.open("/admin/engagements/new")
    s.page.fill("#key", "no-script")
    s.page.fill("#exporter", store.get("organisation", "demo-lumenhaus").name)
    s.page.fill("#importer", "demo-skyloom")
    s.page.locator("#categories input").first.check()
    s.page.select_option("#status", "planned")
    s.page.fill("#effective_date", "2099-01-01")
    s.page.click("main form button[type=submit]")
    s.page.wait_for_load_state("networkidle")
    assert store.get("engagement", "no-script").exporter == "demo-lumenhaus"
    s.shot("saved-without-script")
    s.close()


@pytest.fixture
def synthetic(app, store):
    """2,000 organisations and 10,000 engagements, imported in one batch (a few seconds)."""
    import_registry(store, "import", build(organisations=2000, engagements=10000))
    # The findings of 10,000 engagements take minutes (benchmarks/admin_pages.py measures them);
    # this test looks at everything else, so it turns the background survey off.
    app.config["ADMIN_SURVEY"] = False
    return store


def test_workspace_at_ten_thousand_engagements(app, synthetic, live_server, browser):
    s = Session(browser, live_server)
    s.sign_in()
    s.open("/admin/engagements/", "engagements-10k")
    assert rows(s.page) == 50 and "of 10,000" in s.page.locator(".pager").inner_text()
    s.page.click("thead a:has-text('Status')")
    s.page.wait_for_load_state("networkidle")
    s.page.click(".pager a[rel=next]")
    s.page.wait_for_load_state("networkidle")
    assert "51–100 of 10,000" in s.page.locator(".pager").inner_text()
    s.open("/admin/engagements/?q=Organisation+1234", "engagements-by-vendor-name")
    assert 0 < rows(s.page) <= 50
    assert "Organisation 1234" in s.page.locator("table.list tbody").inner_text()
    s.open("/admin/search?q=organisation+77", "search-10k")
    s.open("/admin/audit?q=org-1999", "audit-10k")
    assert s.page.locator("table.audit tbody tr").count() >= 1
    assert "Organisation 1999" in s.page.locator("table.audit").inner_text()
    s.open("/admin/engagements/e-17/edit", "engagement-form-10k")
    assert s.page.locator("select#exporter, select#importer").count() == 0
    s.open("/admin/organisations/org-0", "organisation-10k")
    s.open("/admin/", "dashboard-10k")
    s.open("/admin/pictures?view=network&organisation=org-0")
    s.page.wait_for_selector("#network-chart .main-svg", timeout=20000)
    s.shot("network-10k")
    assert re.search(r"\d+ organisations reached", s.page.locator("main").inner_text())
    s.open("/admin/pictures?view=map&category=c1")
    s.page.wait_for_selector("#map-chart .geo .choroplethlocation", state="attached", timeout=20000)
    s.shot("map-10k")
    s.open("/admin/pictures", "concentration-10k")
    s.close()
