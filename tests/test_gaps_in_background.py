"""The gaps dashboard and ``/api/v1/gaps`` never wait for a whole-registry survey.

At 50,000 engagements a survey takes about a minute, longer than a server lets a request
run. The dashboard shows the newest survey of its question (the date, planned or not),
says when it is not current, and says when there is none yet; the API answers 503 with
Retry-After then, and ``current``/``as_of`` otherwise. Here the surveys are held back
until the test lets them run, as a large registry's would be.
"""

import threading
import time

import pytest

from registry.admin import survey_cache
from registry.db import get_store
from registry.services import objects
from registry.services.exchange import seed
from registry.services.users import create_token

ON = "2026-11-22"


@pytest.fixture
def gate(app, monkeypatch):
    """Surveys start only once the gate is open (``gate.set()``)."""
    opened = threading.Event()
    real = survey_cache.survey

    def held_back(store, **kwargs):
        assert opened.wait(30), "the test never let the survey run"
        return real(store, **kwargs)

    monkeypatch.setattr(survey_cache, "survey", held_back)
    app.config["ADMIN_SURVEY_WAIT"] = 0
    with app.app_context():
        seed(get_store())
    return opened


def _let_run(gate):
    """Open the gate and wait until no survey is running; close it again."""
    gate.set()
    deadline = time.monotonic() + 60
    while survey_cache._running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not survey_cache._running
    gate.clear()


def _edit(app):
    with app.app_context():
        objects.create(get_store(), "dpo", "organisation", {"key": "late-vendor", "name": "Late Vendor"})


def test_the_dashboard_shows_the_newest_survey_and_says_how_old_it_is(app, client, auth, gate):
    auth.login("viewer")
    first = client.get(f"/graph/gaps?on={ON}")
    assert first.status_code == 200
    assert "being computed" in first.text and "<table" not in first.text  # no empty table posing as "nothing missing"
    _let_run(gate)
    current = client.get(f"/graph/gaps?on={ON}")
    assert "being computed" not in current.text and "brought up to date" not in current.text
    rows = current.text.count('<td><span class="status')
    assert rows > 0
    _edit(app)
    stale = client.get(f"/graph/gaps?on={ON}")
    assert stale.status_code == 200 and "brought up to date" in stale.text and "Findings as of" in stale.text
    assert stale.text.count('<td><span class="status') == rows  # the previous survey, while the next one runs
    _let_run(gate)
    again = client.get(f"/graph/gaps?on={ON}")
    assert "brought up to date" not in again.text and again.text.count('<td><span class="status') == rows
    planned = client.get(f"/graph/gaps?on={ON}&planned=y")  # another question: its own survey
    assert "being computed" in planned.text
    _let_run(gate)


def test_the_api_answers_503_until_the_first_survey_then_says_whether_it_is_current(app, client, gate):
    with app.app_context():
        _record, secret = create_token(get_store(), "viewer", "script", "admin")
    bearer = {"Authorization": f"Bearer {secret}"}
    waiting = client.get(f"/api/v1/gaps?on={ON}", headers=bearer)
    assert waiting.status_code == 503 and waiting.headers["Retry-After"].isdigit()
    assert "being computed" in waiting.json["error"] and waiting.json["status"] == 503
    _let_run(gate)
    current = client.get(f"/api/v1/gaps?on={ON}", headers=bearer)
    assert current.status_code == 200 and current.json["current"] is True and current.json["total"] > 0
    _edit(app)
    stale = client.get(f"/api/v1/gaps?on={ON}", headers=bearer)
    assert stale.status_code == 200 and stale.json["current"] is False
    assert stale.json["as_of"] == current.json["as_of"] and stale.json["items"] == current.json["items"]
    csv = client.get(f"/api/v1/gaps?on={ON}&format=csv", headers=bearer)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    _let_run(gate)
    assert client.get(f"/api/v1/gaps?on={ON}", headers=bearer).json["current"] is True


def test_without_the_background_survey_the_dashboard_computes_in_the_request(app, client, auth, gate):
    app.config["ADMIN_SURVEY"] = False
    gate.set()
    auth.login("viewer")
    page = client.get(f"/graph/gaps?on={ON}")
    assert page.status_code == 200 and "being computed" not in page.text
    assert page.text.count('<td><span class="status') > 0


def test_surveys_of_other_dates_are_bounded_so_that_todays_waits_behind_few(app, client, auth, gate):
    auth.login("viewer")
    dates = ["2026-01-01", "2026-02-01", "2026-03-01"]
    pages = [client.get(f"/graph/gaps?on={on}") for on in dates]
    assert ["being computed" in p.text for p in pages] == [True, True, False]
    assert "computing those of other dates first" in pages[2].text
    assert len(survey_cache._running) == survey_cache.OTHER_SURVEYS
    today = client.get("/graph/gaps")  # today's question is always started
    assert "being computed" in today.text and len(survey_cache._running) == survey_cache.OTHER_SURVEYS + 1
    _let_run(gate)
    assert "computing those of other dates first" not in client.get(f"/graph/gaps?on={dates[2]}").text
    _let_run(gate)
