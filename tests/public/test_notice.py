"""The notice period: announcement, objection deadline, and refusing early activation."""

import re

import pytest

from registry.domain.errors import ValidationError
from registry.services import objects
from registry.services.publication import earliest_start, objection_deadline


def _update(store, key, actor="dpo", **changes):
    eng = store.get("engagement", key)
    return objects.update(store, actor, "engagement", key, dict(eng.to_dict(), **changes), eng.version)


def test_deadline_arithmetic():
    assert objection_deadline("2030-03-01", 30) == "2030-03-31"
    assert earliest_start("2030-03-01", 30) == "2030-04-01"
    assert objection_deadline("2030-03-01", 0) == "2030-03-01"


def test_a_public_planned_engagement_is_announced_today(acme):
    eng = acme.get("engagement", "acme-newco")
    assert eng.announced_date == "2030-03-01"
    [entry] = [c for c in acme.list("change") if c.action == "announced"]
    assert (entry.date, entry.objection_deadline, entry.effective_date) == ("2030-03-01", "2030-03-31", "2030-04-15")


def test_planned_effective_date_must_respect_the_notice(acme):
    with pytest.raises(ValidationError) as err:
        objects.create(acme, "dpo", "engagement", {"key": "acme-early", "exporter": "acme", "importer": "helpdesk",
                                                   "status": "planned", "public": True,
                                                   "effective_date": "2030-03-20"})
    assert err.value.field == "effective_date" and "notice period ends 2030-04-01" in err.value.message
    with pytest.raises(ValidationError, match="needs the date it takes effect"):
        objects.create(acme, "dpo", "engagement", {"key": "acme-early", "exporter": "acme", "importer": "helpdesk",
                                                   "status": "planned", "public": True})


def test_activation_before_the_notice_ends_is_refused_then_allowed_after(acme, clock):
    clock.set("2030-03-31")  # the last day to object
    with pytest.raises(ValidationError) as err:
        _update(acme, "acme-newco", status="active")
    assert err.value.field == "status" and "runs until 2030-04-01" in err.value.message
    assert acme.get("engagement", "acme-newco").status == "planned"
    clock.set("2030-04-01")
    assert _update(acme, "acme-newco", status="active").status == "active"


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
    with pytest.raises(ValidationError, match="runs until 2030-04-01"):
        _update(acme, "acme-late", status="active", announced_date=None)


def test_non_publishers_have_no_notice_rules(acme):
    eng = objects.create(acme, "dpo", "engagement", {"key": "private-newco", "exporter": "private-co",
                                                     "importer": "newco", "status": "planned", "public": True})
    assert eng.announced_date is None
    assert _update(acme, "private-newco", status="active").status == "active"


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
            "effective_date": eng.effective_date or "", "announced_date": eng.announced_date or "",
            "public": "y", "early_start_reason": reason}
    return client.post(f"/admin/engagements/{key}/edit", data=data)


def test_admin_form_shows_the_refusal_next_to_the_status_field(client, auth, acme):
    auth.login("editor")
    response = _post_activation(client, acme, "acme-newco")
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">\s*<label for="status">.*?</div>', response.text, re.S)
    assert field and "the notice period runs until 2030-04-01" in field.group(0)
    assert acme.get("engagement", "acme-newco").status == "planned"


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
    latest = max(acme.list("change"), key=lambda c: c.key)
    assert (latest.action, latest.vendor) == ("added", "NewCo")
    assert "shut down" not in client.get("/p/acme/subprocessors").text


def test_moving_an_engagement_to_another_publisher_records_both_sides(acme):
    objects.create(acme, "dpo", "organisation", {"key": "beta", "name": "Beta", "publisher": True})
    _update(acme, "acme-helpdesk", exporter="beta")
    entries = {(c.publisher, c.action, c.vendor) for c in acme.list("change")}
    assert {("acme", "removed", "HelpDesk"), ("beta", "added", "HelpDesk")} <= entries
