"""The DPO's pages in real headless Chromium: sign in, ask where data goes, see the Sankey
drawn by the app's own plotly.js, and a form error next to its field. Screenshots go to
tests/artifacts/."""

from registry.services.exchange import seed
from tests.browser import ARTIFACTS, browser, live_server, origin, require_chromium  # noqa: F401 (fixtures)
from tests.conftest import PASSWORD

require_chromium()


def test_where_does_it_go_in_chromium(app, store, live_server, browser):
    seed(store)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    requests, errors = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server}/admin/", wait_until="networkidle")
    assert "/login" in page.url
    page.fill("#username", "editor")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/")

    page.goto(f"{live_server}/graph/where", wait_until="networkidle")
    page.select_option("#category", "biometric")
    page.fill("#on", "2026-11-22")
    page.click("form.question button[type=submit]")
    page.wait_for_selector("#sankey .sankey-node", timeout=15000)
    assert page.locator("#sankey .sankey-node").count() >= 3
    assert page.locator("section.path .status.violation").first.is_visible()
    assert "Uzbekistan" in page.locator("section.path").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "where-does-it-go.png"), full_page=True)

    page.goto(f"{live_server}/admin/organisations/demo-skyloom/edit", wait_until="networkidle")
    page.fill("#name", "")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    error = page.locator(".field.has-error .error").first
    assert error.inner_text() == "This field is required."
    assert store.get("organisation", "demo-skyloom").name != ""
    page.screenshot(path=str(ARTIFACTS / "form-error.png"))

    foreign = [url for url in requests if not url.startswith(("data:", "about:", "blob:"))
               and origin(url) != live_server]
    assert foreign == [], f"requests left the app's origin: {foreign}"
    assert any(url.endswith("/graph/assets/plotly.min.js") for url in requests)
    assert errors == []
    context.close()
