"""Flow propagation on both stores: cycles, returns to a controller, mid-chain questions,
long chains, unknown subjects, engagements without categories, the processor's stance."""

import pytest

from registry.domain.errors import ValidationError
from registry.services.gaps import findings_by_engagement, survey
from registry.services.paths import where_does_it_go

from .builders import category, collection, create, engagement, group, org

ON = "2026-11-22"


def _eng(key, exporter, importer, categories=("account",), **kw):
    kw.setdefault("effective_date", "2024-01-01")
    return engagement(key, exporter, importer, list(categories), **kw)


def _hops(answer, key):
    return [h for h in answer.hops if h.engagement.key == key]


def _finding(hop, regime, rule="transfer"):
    found = [f for f in hop.assessment["findings"] if f["regime"] == regime and f["rule"] == rule]
    assert len(found) == 1, hop.assessment["findings"]
    return found[0]


def test_a_hop_closing_a_cycle_is_assessed(store):
    # a -> b -> c -> b: c sends the data back to b, in India
    create(store, category("account"), group("eu", residence=["DE"]),
           org("a", country="DE"), org("b", country="IN"), org("c", country="DE"),
           collection("signup", "a", "eu", ["account"]),
           _eng("a-b", "a", "b"), _eng("b-c", "b", "c"), _eng("c-b", "c", "b"))
    answer = where_does_it_go(store, "account", on=ON)
    assert answer.complete
    [closing] = _hops(answer, "c-b")
    assert _finding(closing, "eu-gdpr")["status"] == "action"  # DE -> IN needs SCCs and a TIA
    assert closing.depth == 3 and closing.paths == 1
    assert answer.example_path(closing)["organisations"] == ["a", "b", "c", "b"]
    assert answer.status == "action"


def test_data_returned_to_its_controller_is_a_module_4_transfer(store):
    # EDPB Guidelines 05/2021, Example 3: a US controller, an EU processor, the data back to the US
    create(store, category("account"), group("us-customers", residence=["US"]),
           org("us-co", country="US"), org("de-proc", country="DE"),
           collection("crm", "us-co", "us-customers", ["account"]),
           _eng("us-de", "us-co", "de-proc", importer_role="processor"),
           _eng("de-us", "de-proc", "us-co", importer_role="controller"))
    answer = where_does_it_go(store, "account", on=ON)
    assert answer.complete  # the loop ends once a round brings nothing new
    [back] = _hops(answer, "de-us")
    assert back.depth == 2 and back.returning and back.exporter_role == "processor"
    finding = _finding(back, "eu-gdpr")
    assert finding["status"] == "action" and ["scc:4"] in finding["options"]
    [first] = _hops(answer, "us-de")
    assert first.depth == 1 and not first.returning
    # the loop brings GDPR-attached data (attached in Germany) back over us-de, into Germany: no transfer
    assert _finding(first, "eu-gdpr")["basis"] == "no-transfer"


def test_returned_data_needs_a_tia_once_data_collected_in_the_eu_goes_with_it(store):
    # SCC Clause 14, footnote: Module 4 needs no TIA for data that only returns to the non-EU
    # controller, but one when the EU processor adds data collected in the EU
    create(store, category("account"), group("us-customers", residence=["US"]),
           org("us-co", country="US"), org("de-proc", country="DE"),
           collection("crm", "us-co", "us-customers", ["account"]),
           _eng("us-de", "us-co", "de-proc", importer_role="processor"),
           _eng("de-us", "de-proc", "us-co", importer_role="controller", safeguards=[{"code": "scc:4"}]))
    [back] = _hops(where_does_it_go(store, "account", on=ON), "de-us")
    assert back.returning and back.context()["collected_in"] == ["US"]
    assert _finding(back, "eu-gdpr")["status"] == "ok"  # Module 4 alone covers data collected in the US
    # the processor also collects for its controller in Germany: that data goes back too
    create(store, collection("de-signup", "de-proc", "us-customers", ["account"], role="processor"))
    [back] = _hops(where_does_it_go(store, "account", on=ON), "de-us")
    assert back.returning and back.context()["collected_in"] == ["DE", "US"]
    finding = _finding(back, "eu-gdpr")
    assert finding["status"] == "action" and finding["missing"] == ["tia"]
    assert ["scc:4", "tia"] in finding["options"]


def test_a_mid_chain_question_keeps_the_law_attached_upstream(store):
    create(store, category("account"), group("eu", residence=["FR"]),
           org("shop", country="FR"), org("crm", country="US"), org("support", country="IN"),
           collection("orders", "shop", "eu", ["account"]),
           _eng("shop-crm", "shop", "crm"), _eng("crm-support", "crm", "support"))
    whole = where_does_it_go(store, "account", on=ON)
    middle = where_does_it_go(store, "account", on=ON, start="crm")
    assert [h.engagement.key for h in middle.hops] == ["crm-support"]
    [hop] = middle.hops
    assert "eu-gdpr" in hop.regimes and hop.group.key == "eu"
    assert _finding(hop, "eu-gdpr")["status"] == "action"
    assert hop.assessment == _hops(whole, "crm-support")[0].assessment
    assert [(s.organisation, s.group.key, sorted(s.regimes)) for s in middle.starts] == [("crm", "eu", ["eu-gdpr"])]


def test_a_long_chain_is_followed_to_its_end(store):
    countries = ["DE", "US", "IN", "BR", "JP", "RU", "CN", "SG", "AU"]
    orgs = [org(f"o{i}", country=c) for i, c in enumerate(countries)]
    chain = [_eng(f"e{i}", f"o{i}", f"o{i + 1}") for i in range(len(countries) - 1)]
    create(store, category("account"), group("eu", residence=["DE"]), *orgs,
           collection("start", "o0", "eu", ["account"]), *chain)
    answer = where_does_it_go(store, "account", on=ON)
    assert sorted(h.engagement.key for h in answer.hops) == [f"e{i}" for i in range(8)]
    assert max(h.depth for h in answer.hops) == 8 and answer.complete
    assert all("eu-gdpr" in h.assessment["regimes"] for h in answer.hops)
    bounded = where_does_it_go(store, "account", on=ON, max_depth=7)
    assert sorted(h.engagement.key for h in bounded.hops) == [f"e{i}" for i in range(7)]
    assert bounded.cut == ["e7"] and not bounded.complete


def test_unknown_subjects_are_unknown_never_ok(store):
    create(store, category("account"), org("us-co", country="US"), org("in-co", country="IN"),
           _eng("us-in", "us-co", "in-co"))
    answer = where_does_it_go(store, "account", on=ON, start="us-co")
    [hop] = answer.hops
    assert hop.group.key == "unrecorded" and hop.status == "unknown"
    assert _finding(hop, "unknown", "subjects")["status"] == "unknown"
    # no collection anywhere: the gaps survey assesses it from its exporter, just as unknown
    assert [f["status"] for f in findings_by_engagement(store, on=ON)["us-in"]][:1] == ["unknown"]


def test_an_engagement_without_categories_is_part_of_every_answer(store):
    create(store, category("account"), category("health", flags=["special"]), group("eu", residence=["DE"]),
           org("a", country="DE"), org("x", country="DE"), org("y", country="DE"),
           collection("c", "a", "eu", ["account", "health"]),
           _eng("a-x", "a", "x", categories=()), _eng("x-y", "x", "y", categories=("health",)))
    for asked in ("account", "health"):
        answer = where_does_it_go(store, asked, on=ON)
        [hop] = _hops(answer, "a-x")
        assert _finding(hop, "unknown", "categories")["status"] == "unknown"
    assert _hops(where_does_it_go(store, "health", on=ON), "x-y")  # followed on past it
    assert "a-x" in {e.key for e in store.reach("account", ON).engagements}
    found = survey(store, on=ON)
    assert any(g.finding["rule"] == "categories" for g in found.by_engagement["a-x"].values())


def test_a_processor_collection_makes_its_vendors_sub_processors(store):
    create(store, category("account"), group("eu", residence=["DE"]),
           org("saas", country="DE"), org("vendor", country="US"),
           collection("tenant-data", "saas", "eu", ["account"], role="processor"),
           _eng("saas-vendor", "saas", "vendor", importer_role="sub-processor"))
    [hop] = where_does_it_go(store, "account", on=ON).hops
    assert hop.exporter_role == "processor"
    assert ["scc:3", "tia"] in _finding(hop, "eu-gdpr")["options"]
    assert _finding(hop, "eu-gdpr", "art28-subprocessor")["missing"] == ["art28-authorisation"]


def test_subject_groups_steer_the_flow(store):
    create(store, category("account"), group("customers", residence=["DE"]), group("staff", residence=["DE"]),
           org("a", country="DE"), org("payroll", country="US"), org("mailer", country="US"),
           collection("shop", "a", "customers", ["account"]), collection("hr", "a", "staff", ["account"]),
           _eng("a-payroll", "a", "payroll", subject_groups=["staff"]),
           _eng("a-mailer", "a", "mailer", subject_groups=["customers", "staff"]))
    answer = where_does_it_go(store, "account", on=ON)
    assert sorted((h.engagement.key, h.group.key) for h in answer.hops) == [
        ("a-mailer", "customers"), ("a-mailer", "staff"), ("a-payroll", "staff")]
    narrowed = where_does_it_go(store, "account", on=ON, subject_groups=["customers"])
    assert [(h.engagement.key, h.group.key) for h in narrowed.hops] == [("a-mailer", "customers")]


def test_bad_questions_name_the_field(store):
    create(store, category("account"), org("a"), group("eu"))
    for kwargs, field in [({"category": "nothing"}, "category"), ({"start": "nobody"}, "organisation"),
                          ({"subject_groups": ["nobody"]}, "subject_group"), ({"on": "2026-02-30"}, "on"),
                          ({"max_depth": 0}, "depth"), ({"max_depth": -2}, "depth")]:
        with pytest.raises(ValidationError) as caught:
            where_does_it_go(store, **dict({"category": "account", "on": ON}, **kwargs))
        assert caught.value.field == field


def test_the_survey_groups_every_context_under_its_worst_findings_once(store):
    # two groups (EU and US residents), two categories, a cycle: each engagement is reached
    # in several contexts whose findings differ
    create(store, category("account"), category("health", flags=["special"]),
           group("eu", residence=["DE"]), group("us", residence=["US"]),
           org("a", country="DE"), org("b", country="IN"), org("c", country="US"), org("d", country="DE"),
           collection("signup", "a", "eu", ["account", "health"]), collection("app", "a", "us", ["account"]),
           _eng("a-b", "a", "b", categories=("account", "health")), _eng("b-c", "b", "c"),
           _eng("c-b", "c", "b"), _eng("c-d", "c", "d", safeguards=[{"code": "scc:2"}]),
           _eng("a-d", "a", "d", categories=("health",)))
    expected: dict = {}  # (engagement, regime, rule, basis) -> (worst rank, {context})
    order = {"violation": 0, "action": 1, "unknown": 2, "ok": 3}
    for asked in ("account", "health"):
        for hop in where_does_it_go(store, asked, on=ON).hops:
            context = (asked, hop.group.key, hop.exporter_role, frozenset(hop.regimes))
            for f in hop.assessment["findings"]:
                marker = (hop.engagement.key, f["regime"], f.get("rule"), f.get("basis"))
                rank, contexts = expected.get(marker, (9, set()))
                if order[f["status"]] < rank:
                    expected[marker] = (order[f["status"]], {context})
                elif order[f["status"]] == rank:
                    contexts.add(context)
    found = survey(store, on=ON)
    got = {}
    for key, groups in found.by_engagement.items():
        for (regime, rule, basis), g in groups.items():
            contexts = [(c["category"], c["subject_group"], c["exporter_role"], frozenset(c["regimes"]))
                        for c in g.contexts]
            assert len(contexts) == len(set(contexts)) == g.count  # each context once
            got[(key, regime, rule, basis)] = (order[g.status], set(contexts))
    assert got == expected
    assert len({c[1] for _r, cs in expected.values() for c in cs}) == 2  # both groups seen
