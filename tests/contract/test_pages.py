"""The paged reads behind the admin lists (``page``, ``find_many``, ``audit_page``), on both stores."""

import pytest

from registry.domain.errors import ValidationError

from .builders import base_graph, category, create, engagement, org, update


def _keys(result):
    items, total = result
    return [o.key for o in items], total


@pytest.fixture
def orgs(store):
    create(store, *base_graph(),
           org("zeta", name="Alpha Zeta", country="US"), org("beta", name="Beta Works", country="FR"),
           org("gamma", name="gamma labs"), org("delta", name="Delta", country="US", publisher=True))
    return store


def test_a_window_and_the_total(orgs):
    assert _keys(orgs.page("organisation", limit=2)) == (["acme", "beta"], 6)
    assert _keys(orgs.page("organisation", limit=2, offset=2)) == (["cloudco", "delta"], 6)
    assert _keys(orgs.page("organisation", limit=2, offset=6)) == ([], 6)


def test_sort_by_name_either_way_and_by_a_field(orgs):
    by_name = _keys(orgs.page("organisation", sort="name"))[0]
    assert by_name == ["acme", "zeta", "beta", "cloudco", "delta", "gamma"]  # case-insensitive
    assert _keys(orgs.page("organisation", sort="name", descending=True))[0] == list(reversed(by_name))
    # missing values sort as '', then by key
    assert _keys(orgs.page("organisation", sort="country"))[0] == ["gamma", "acme", "beta", "cloudco", "delta",
                                                                   "zeta"]


def test_search_by_text_and_by_what_the_text_names(orgs):
    assert _keys(orgs.page("organisation", query="ZETA")) == (["zeta"], 1)
    assert _keys(orgs.page("organisation", query="labs")) == (["gamma"], 1)
    # "United States" resolved by the caller to US: the text or the country matches
    assert _keys(orgs.page("organisation", query="united states", any_of={"country": ["US"]})) == \
        (["cloudco", "delta", "zeta"], 3)
    assert _keys(orgs.page("organisation", any_of={"country": ["FR"]}, filters={"publisher": False})) == \
        (["beta"], 1)
    assert _keys(orgs.page("organisation", query="EL", filters={"publisher": True})) == (["delta"], 1)


def test_search_engagements_through_references(store):
    create(store, *base_graph(), org("other", country="IN"), category("hr"),
           engagement("e1", "acme", "cloudco", ["account.contact.email"], service="Support desk",
                      store_countries=["US"]),
           engagement("e2", "cloudco", "other", ["hr"], purposes=["billing"], status="planned",
                      store_countries=["IN", "US"], effective_date="2030-01-01"),
           engagement("e3", "acme", "other", ["hr"], service="Payroll", status="ended", end_date="2024-01-01"))
    assert _keys(store.page("engagement", query="support")) == (["e1"], 1)
    # a vendor found by name, a category found by part of the hierarchy, a purpose, a country
    assert _keys(store.page("engagement", any_of={"importer": ["other"]})) == (["e2", "e3"], 2)
    assert _keys(store.page("engagement", any_of={"exporter": ["acme"]}, filters={"status": "active"})) == \
        (["e1"], 1)
    assert _keys(store.page("engagement", any_of={"categories": ["account", "account.contact.email"]})) == \
        (["e1"], 1)
    assert _keys(store.page("engagement", any_of={"purposes": ["billing"]})) == (["e2"], 1)
    assert _keys(store.page("engagement", any_of={"store_countries": ["IN"], "service": ["Payroll"]})) == \
        (["e2", "e3"], 2)
    assert _keys(store.page("engagement", sort="effective_date", descending=True, limit=1)) == (["e2"], 3)


def test_bad_sort_is_a_validation_error_naming_the_field(orgs):
    with pytest.raises(ValidationError) as caught:
        orgs.page("organisation", sort="parent")
    assert caught.value.field == "sort"


def test_find_many_is_one_batch(orgs):
    assert [o.key for o in orgs.find_many("organisation", ["zeta", "acme", "missing", "acme"])] == ["acme", "zeta"]
    assert orgs.find_many("organisation", []) == []


def test_audit_page_searches_values_and_counts(orgs):
    beta = orgs.get("organisation", "beta")
    beta.name = "Beta Renamed"
    update(orgs, beta, beta.version, actor="someone")
    records, total = orgs.audit_page(query="renamed")
    assert [(r.key, r.action, r.actor) for r in records] == [("beta", "update", "someone")] and total == 1
    records, total = orgs.audit_page(kind="organisation", limit=2)
    assert total == 7 and [r.key for r in records] == ["beta", "delta"]
    records, total = orgs.audit_page(kind="organisation", key="beta", offset=1)
    assert total == 2 and [r.action for r in records] == ["create"]


def test_a_triage_record_round_trips_and_outlives_its_engagement(store):
    from registry.domain.model import Triage

    create(store, *base_graph(), engagement("e1", "acme", "cloudco", ["account"]))
    triage = Triage(key="e1", owner="Dana", due_date="2026-12-31", state="accepted-risk",
                    reason="exit planned").validate()
    create(store, triage)
    stored = store.get("triage", "e1")
    assert (stored.engagement, stored.owner, stored.due_date, stored.reason) == ("e1", "Dana", "2026-12-31",
                                                                                  "exit planned")
    stored.state, stored.reason = "resolved", ""
    update(store, stored, 1)
    assert _keys(store.page("triage", filters={"state": "resolved"})) == (["e1"], 1)
    with store.unit_of_work("x") as uow:
        uow.delete("engagement", "e1")
        uow.commit()
    assert store.get("triage", "e1").state == "resolved"
    assert [r.action for r in store.audit_log(kind="triage", key="e1")] == ["update", "create"]
