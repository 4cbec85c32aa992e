"""The notice promise: one rule for every way in, material changes with their own dates, and
dates that agree in every output (the objection deadline comes from one function)."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from base64 import b64encode

import pytest

from registry.domain.errors import Conflict, ValidationError
from registry.services import notice, objects, publication
from registry.services.notice import earliest_start, objection_deadline, window
from tests.conftest import PASSWORD

from .conftest import body


def _update(store, key, actor="dpo", **changes):
    eng = store.get("engagement", key)
    return objects.update(store, actor, "engagement", key, dict(eng.to_dict(), **changes), eng.version)


def _basic(user):
    return {"Authorization": "Basic " + b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def _changes(store, engagement=None):
    found = store.list("change", filters={"publisher": "acme"})
    return sorted((c for c in found if engagement is None or c.engagement == engagement), key=lambda c: c.key)


# -- the arithmetic, once -------------------------------------------------------------------

def test_deadline_arithmetic():
    assert objection_deadline("2030-03-01", 30) == "2030-03-31"
    assert earliest_start("2030-03-01", 30) == "2030-04-01"
    assert objection_deadline("2030-03-01", 0) == "2030-03-01"
    assert window("2030-03-01", None) == notice.NoticeWindow("2030-03-01", None, "2030-03-01")
    assert window("2030-02-14", 15).deadline == "2030-03-01"  # across the end of February
    assert notice.objections_open("2030-03-31", "2030-03-31") and not notice.objections_open("2030-03-31", "2030-04-01")
    assert not notice.objections_open(None, "2030-01-01")


def test_a_public_planned_engagement_is_announced_today(acme):
    eng = acme.get("engagement", "acme-newco")
    assert eng.announced_date == "2030-03-01"
    [entry] = [c for c in acme.list("change") if c.action == "announced"]
    assert (entry.date, entry.objection_deadline, entry.effective_date) == ("2030-03-01", "2030-03-31", "2030-04-15")


# -- one rule for every way in ----------------------------------------------------------------

ACTIVE_TODAY = {"key": "acme-rush", "exporter": "acme", "importer": "helpdesk", "service": "Chat",
                "status": "active", "public": True, "effective_date": "2030-03-01"}


def test_service_refuses_a_public_vendor_that_starts_without_notice(acme):
    with pytest.raises(ValidationError) as err:
        objects.create(acme, "dpo", "engagement", ACTIVE_TODAY)
    assert err.value.field == "status" and "2030-04-01 or later (30 days' notice)" in err.value.message
    assert acme.find("engagement", "acme-rush") is None and len(_changes(acme)) == 2


def test_api_refuses_an_active_public_vendor_starting_today(client, acme):
    response = client.post("/api/v1/engagements", json=ACTIVE_TODAY, headers=_basic("editor"))
    assert response.status_code == 400 and response.json["field"] == "status"
    assert "planned" in response.json["error"]
    planned = dict(ACTIVE_TODAY, status="planned", effective_date="2030-03-03")
    response = client.post("/api/v1/engagements", json=planned, headers=_basic("editor"))
    assert response.status_code == 400 and response.json["field"] == "effective_date"
    assert "customers may object until 2030-03-31" in response.json["error"]
    assert "2030-04-01 at the earliest" in response.json["error"]
    assert acme.find("engagement", "acme-rush") is None


def test_api_refuses_an_early_start_reason_from_an_editor(client, acme):
    data = dict(ACTIVE_TODAY, early_start_reason="the old provider shut down")
    assert client.post("/api/v1/engagements", json=data, headers=_basic("editor")).status_code == 403
    assert acme.find("engagement", "acme-rush") is None


def test_api_lets_an_admin_start_early_with_a_reason(client, acme):
    data = dict(ACTIVE_TODAY, early_start_reason="the old provider shut down")
    response = client.post("/api/v1/engagements", json=data, headers=_basic("admin"))
    assert response.status_code == 201
    [entry] = _changes(acme, "acme-rush")
    assert (entry.action, entry.date, entry.effective_date, entry.objection_deadline) == \
        ("added", "2030-03-01", "2030-03-01", None)
    assert "shut down" not in client.get("/p/acme/subprocessors.json").text


@pytest.mark.parametrize("changes", [{"public": True}, {"status": "active", "end_date": None}])
def test_making_an_existing_engagement_public_or_active_again_needs_notice(acme, changes):
    # acme-shadow is active but not public; acme-gone is public but ended
    key = "acme-shadow" if "public" in changes else "acme-gone"
    with pytest.raises(ValidationError) as err:
        _update(acme, key, **changes)
    assert err.value.field == "status"
    assert _update(acme, key, status="planned", effective_date="2030-04-01", end_date=None,
                   **({"public": True} if "public" in changes else {})).status == "planned"


def test_replacing_the_vendor_of_a_listed_engagement_is_a_new_sub_processor(acme):
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-helpdesk", importer="newco")
    assert err.value.field == "status"
    _update(acme, "acme-helpdesk", importer="cloudco", status="planned", effective_date="2030-04-10")
    entries = [(c.action, c.vendor, c.effective_date) for c in _changes(acme, "acme-helpdesk")]
    assert ("removed", "HelpDesk", "2030-03-01") in entries
    assert ("announced", "CloudCo", "2030-04-10") in entries


def test_admin_form_shows_the_refusal_next_to_the_status_field(client, auth, acme):
    auth.login("editor")
    response = _post_activation(client, acme, "acme-newco")
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">\s*<label for="status">.*?</div>', response.text, re.S)
    assert field and "customers may object until 2030-03-31" in field.group(0)
    assert "can become active on 2030-04-01 at the earliest" in field.group(0)
    assert acme.get("engagement", "acme-newco").status == "planned"


def test_initial_list_is_the_one_exception_and_only_once(acme):
    objects.create(acme, "dpo", "organisation", {"key": "beta", "name": "Beta", "publisher": True, "notice_days": 14})
    [eng] = publication.record_initial_list(acme, "dpo", "beta", "2030-02-01", [
        {"key": "beta-cloudco", "exporter": "beta", "importer": "cloudco", "status": "active", "public": True,
         "effective_date": "2029-05-01"}])
    [entry] = acme.list("change", filters={"publisher": "beta"})
    assert (entry.action, entry.date, entry.effective_date, entry.objection_deadline) == \
        ("initial-list", "2030-02-01", "2030-02-01", None)
    assert "as of 2030-02-01" in entry.summary and eng.status == "active"
    with pytest.raises(Conflict, match="already has a public list"):
        publication.record_initial_list(acme, "dpo", "beta", "2030-02-01", [])
    with pytest.raises(ValidationError, match="in the future"):
        publication.record_initial_list(acme, "dpo", "private-co", "2030-03-02", [])


# -- bad dates: say which date is wrong and why; nothing published -------------------------------

def test_planned_effective_date_must_respect_the_notice(acme):
    base = {"key": "acme-early", "exporter": "acme", "importer": "helpdesk", "status": "planned", "public": True}
    with pytest.raises(ValidationError) as err:
        objects.create(acme, "dpo", "engagement", dict(base, effective_date="2030-03-20"))
    assert err.value.field == "effective_date"
    assert "customers may object until 2030-03-31: the engagement can take effect on 2030-04-01" in err.value.message
    with pytest.raises(ValidationError, match="needs the date it takes effect"):
        objects.create(acme, "dpo", "engagement", base)
    with pytest.raises(ValidationError) as err:
        objects.create(acme, "dpo", "engagement", dict(base, effective_date="2030-02-27"))
    assert err.value.field == "effective_date" and "2030-02-27 is before the announcement on 2030-03-01" in \
        err.value.message
    assert len(_changes(acme)) == 2  # nothing published


def test_a_planned_date_that_has_passed_is_refused(acme, clock):
    _update(acme, "acme-newco", effective_date="2030-05-01")
    clock.set("2030-05-03")
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-newco", service="Analytics and reports")
    assert err.value.field == "effective_date" and "2030-05-01 is in the past" in err.value.message


def test_activation_before_the_notice_ends_is_refused_then_allowed_after(acme, clock):
    clock.set("2030-03-31")  # the last day to object
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-newco", status="active")
    assert err.value.field == "status" and "can become active on 2030-04-01" in err.value.message
    assert acme.get("engagement", "acme-newco").status == "planned"
    clock.set("2030-04-01")
    assert _update(acme, "acme-newco", status="active").status == "active"
    added = _changes(acme, "acme-newco")[-1]
    assert (added.action, added.date, added.effective_date) == ("added", "2030-04-01", "2030-04-01")


def test_announcement_cannot_be_backdated_cleared_or_moved_earlier(acme, clock):
    eng = objects.create(acme, "dpo", "engagement", {
        "key": "acme-late", "exporter": "acme", "importer": "helpdesk", "status": "planned", "public": True,
        "effective_date": "2030-06-01", "announced_date": "2029-01-01"})
    assert eng.announced_date == "2030-03-01"  # it was not public before today
    clock.set("2030-03-10")
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-late", announced_date="2030-02-01")
    assert err.value.field == "announced_date"
    assert _update(acme, "acme-late", announced_date=None).announced_date == "2030-03-01"
    clock.set("2030-03-20")
    with pytest.raises(ValidationError, match="can become active on 2030-04-01"):
        _update(acme, "acme-late", status="active", announced_date=None)


def test_non_publishers_have_no_notice_rules(acme):
    eng = objects.create(acme, "dpo", "engagement", {"key": "private-newco", "exporter": "private-co",
                                                     "importer": "newco", "status": "planned", "public": True})
    assert eng.announced_date is None
    assert _update(acme, "private-newco", status="active").status == "active"


def test_a_publisher_without_a_notice_period_promises_none(client, acme):
    objects.create(acme, "dpo", "organisation", {"key": "quiet", "name": "Quiet", "publisher": True})
    objects.create(acme, "dpo", "engagement", {"key": "quiet-cloudco", "exporter": "quiet", "importer": "cloudco",
                                               "status": "planned", "public": True, "effective_date": "2030-03-01"})
    [entry] = acme.list("change", filters={"publisher": "quiet"})
    assert entry.objection_deadline is None
    for url in ("/p/quiet/subprocessors", "/p/quiet/policy.md", "/p/quiet/subprocessors.atom"):
        text = client.get(url).text
        assert "30 days" not in text and "days' notice" not in text and "may object" not in text, url
    assert "has not stated a notice period" in client.get("/p/quiet/subprocessors").text


# -- material changes and removals, each with its own dates --------------------------------------

@pytest.mark.parametrize("changes, action, words", [
    ({"categories": ["account", "support"]}, "new-categories", "CloudCo now receives Support tickets"),
    ({"store_countries": ["US", "JP"]}, "new-location", "CloudCo now stores data in Japan"),
    ({"access_countries": ["IN", "PH"]}, "new-location", "CloudCo now accesses data from Philippines"),
    ({"purposes": ["hosting", "support"]}, "new-purposes", "CloudCo now processes data for Helping customers"),
    ({"importer_role": "processor"}, "new-role", "CloudCo now acts as a processor (was a sub-processor)"),
])
def test_a_material_change_is_announced_with_its_own_dates(acme, clock, changes, action, words):
    objects.create(acme, "dpo", "purpose", {"key": "support", "name": "Helping customers"})
    clock.set("2030-03-05")
    _update(acme, "acme-cloudco", **changes)
    entry = _changes(acme, "acme-cloudco")[-1]
    assert (entry.action, entry.summary) == (action, words)
    # announced today, effective the day after the notice ends, not the engagement's start (2029-01-01)
    assert (entry.date, entry.objection_deadline, entry.effective_date) == ("2030-03-05", "2030-04-04", "2030-04-05")


def test_a_change_that_is_not_material_publishes_nothing_new(acme, clock):
    clock.set("2030-03-05")
    _update(acme, "acme-cloudco", service="Cloud hosting (EU region)", store_countries=["US"], access_countries=[])
    assert [c.action for c in _changes(acme, "acme-cloudco")] == []


def test_removal_is_announced_with_its_end_date(acme, clock):
    clock.set("2030-03-05")
    _update(acme, "acme-helpdesk", status="ended", end_date="2030-03-20")
    [entry] = _changes(acme, "acme-helpdesk")
    assert (entry.action, entry.date, entry.effective_date) == ("removed", "2030-03-05", "2030-03-20")
    assert entry.summary == "HelpDesk is no longer a sub-processor from 2030-03-20"
    objects.delete(acme, "dpo", "engagement", "acme-cloudco")
    removed = _changes(acme, "acme-cloudco")[-1]
    assert (removed.action, removed.effective_date) == ("removed", "2030-03-05")


def test_editing_a_planned_change_moves_its_entry(client, acme, clock):
    clock.set("2030-03-10")
    _update(acme, "acme-newco", effective_date="2030-05-02")
    [entry] = _changes(acme, "acme-newco")
    assert (entry.action, entry.date, entry.effective_date, entry.objection_deadline) == \
        ("announced", "2030-03-01", "2030-05-02", "2030-03-31")
    html = client.get("/p/acme/subprocessors").text
    data = client.get("/p/acme/subprocessors.json").json
    assert "2030-04-15" not in html and "2030-04-15" not in str(data)
    [newco] = [e for e in data["subprocessors"] if e["vendor"] == "NewCo"]
    assert newco["effective_date"] == "2030-05-02"


def test_a_new_fact_on_a_planned_change_restarts_the_notice(acme, clock):
    clock.set("2030-03-20")
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-newco", store_countries=["FR", "US"])
    assert "customers may object until 2030-04-19" in err.value.message
    _update(acme, "acme-newco", store_countries=["FR", "US"], effective_date="2030-04-20")
    entry = _changes(acme, "acme-newco")[-1]
    assert (entry.action, entry.date, entry.objection_deadline, entry.effective_date) == \
        ("new-location", "2030-03-20", "2030-04-19", "2030-04-20")


def test_moving_an_engagement_to_another_publisher_records_both_sides(acme):
    objects.create(acme, "dpo", "organisation", {"key": "beta", "name": "Beta", "publisher": True, "notice_days": 10})
    _update(acme, "acme-helpdesk", exporter="beta", status="planned", effective_date="2030-03-20")
    entries = {(c.publisher, c.action, c.vendor) for c in acme.list("change")}
    assert {("acme", "removed", "HelpDesk"), ("beta", "announced", "HelpDesk")} <= entries


# -- one deadline everywhere, and its boundaries ----------------------------------------------

def test_every_output_shows_the_same_deadline(client, acme, smtp, clock):
    from .test_subscriptions import _confirmed
    _confirmed(client, smtp, "reader@example.com")
    smtp.clear()
    clock.set("2030-03-07")
    _update(acme, "acme-helpdesk", categories=["support", "account"])
    deadline = "2030-04-06"
    html = client.get("/p/acme/subprocessors").text
    assert f"last day to object <time datetime=\"{deadline}\">{deadline}</time>" in html
    data = client.get("/p/acme/subprocessors.json").json
    [helpdesk] = [e for e in data["subprocessors"] if e["vendor"] == "HelpDesk"]
    assert helpdesk["objection_deadline"] == deadline
    assert data["changes"][0]["objection_deadline"] == deadline
    rows = list(csv.DictReader(io.StringIO(client.get("/p/acme/subprocessors.csv").text)))
    assert next(r for r in rows if r["vendor"] == "HelpDesk")["objection_deadline"] == deadline
    feed = ET.fromstring(client.get("/p/acme/subprocessors.atom").data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert f"Objections may be made until {deadline}." in feed.find(f"{atom}entry").find(f"{atom}content").text
    assert f"objections until {deadline}" in client.get("/p/acme/policy.md").text
    assert f"objections until {deadline}" in body(smtp.wait_for(1)[0][1])
    with pytest.raises(ValidationError, match=f"customers may object until {deadline}"):
        objects.create(acme, "dpo", "engagement", dict(ACTIVE_TODAY, status="planned", effective_date="2030-04-01"))


@pytest.mark.parametrize("moment, accepted", [
    ("2030-03-01T00:00:00+00:00", True),  # announced today
    ("2030-03-31T23:59:59+00:00", True),  # the last day to object, its last second (UTC)
    ("2030-04-01T00:00:00+00:00", False),
])
def test_objection_deadline_boundaries(acme, clock, moment, accepted):
    from registry.services import objections
    from registry.services.publication import public_ref
    clock.set(moment)
    data = {"name": "Dana", "contact": "dana@example.com", "reason": "no"}
    if accepted:
        assert objections.submit(acme, "acme", public_ref("acme", "acme-newco"), data).status == "unconfirmed"
    else:
        with pytest.raises(Conflict, match="ended on 2030-03-31"):
            objections.submit(acme, "acme", public_ref("acme", "acme-newco"), data)


# -- what-if names only what still needs announcing ------------------------------------------

def test_needs_announcing(acme):
    acme_org = acme.get("organisation", "acme")
    assert not notice.needs_announcing(acme_org, acme.get("engagement", "acme-newco"))  # announced on 2030-03-01
    assert not notice.needs_announcing(acme_org, acme.get("engagement", "acme-cloudco"))  # not planned
    hidden = objects.create(acme, "dpo", "engagement", {"key": "acme-hidden", "exporter": "acme",
                                                        "importer": "newco", "status": "planned"})
    assert notice.needs_announcing(acme_org, hidden)  # not on the list yet


# -- the admin form -----------------------------------------------------------------------------

def _edit_form(client, key):
    page = client.get(f"/admin/engagements/{key}/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return token, version


def _post_activation(client, store, key, reason=""):
    eng = store.get("engagement", key)
    token, version = _edit_form(client, key)
    data = {"csrf_token": token, "version": version, "key": key, "exporter": eng.exporter, "importer": eng.importer,
            "service": eng.service, "importer_role": eng.importer_role, "categories": eng.categories,
            "store_countries": ", ".join(eng.store_countries), "status": "active",
            "effective_date": "2030-03-01", "announced_date": eng.announced_date or "",
            "public": "y", "early_start_reason": reason}
    return client.post(f"/admin/engagements/{key}/edit", data=data)


def test_editor_cannot_record_an_early_start_reason(client, auth, acme):
    auth.login("editor")
    response = _post_activation(client, acme, "acme-newco", reason="the old vendor shut down")
    assert response.status_code == 400
    assert "Only an admin can record an early-start reason." in response.text
    assert acme.get("engagement", "acme-newco").status == "planned"


def test_admin_may_start_early_with_a_reason(client, auth, acme):
    auth.login("admin")
    response = _post_activation(client, acme, "acme-newco", reason="the old vendor shut down")
    assert response.status_code == 302
    eng = acme.get("engagement", "acme-newco")
    assert eng.status == "active" and eng.early_start_reason == "the old vendor shut down"
    announced, added = _changes(acme, "acme-newco")
    assert (added.action, added.vendor, added.effective_date) == ("added", "NewCo", "2030-03-01")
    assert announced.effective_date == "2030-03-01"  # the announcement moved to the day it really started
    assert "shut down" not in client.get("/p/acme/subprocessors").text
    assert any(r.after and r.after.get("early_start_reason") for r in acme.audit_log(kind="engagement",
                                                                                       key="acme-newco"))


def test_without_a_notice_period_a_vendor_may_be_listed_as_active_the_same_day(acme):
    objects.create(acme, "dpo", "organisation", {"key": "quiet", "name": "Quiet", "publisher": True})
    objects.create(acme, "dpo", "engagement", {"key": "quiet-cloudco", "exporter": "quiet", "importer": "cloudco",
                                               "status": "active", "public": True})
    [entry] = acme.list("change", filters={"publisher": "quiet"})
    assert (entry.action, entry.date, entry.effective_date, entry.objection_deadline) == \
        ("added", "2030-03-01", "2030-03-01", None)
    objects.update(acme, "dpo", "organisation", "quiet", dict(acme.get("organisation", "quiet").to_dict(),
                                                              notice_days=0), 1)
    with pytest.raises(ValidationError, match="2030-03-02 or later"):
        objects.create(acme, "dpo", "engagement", {"key": "quiet-newco", "exporter": "quiet", "importer": "newco",
                                                   "status": "active", "public": True})
