"""Traversal: where a category of data goes, for any Store.

The graph (every engagement active since 2024-01-01 unless stated):

    acme --account--> cloudco --email--> mailer --contact--> analytics --account--> backup
                         ^                                       |
                         +-------------------account-------------+   (a cycle)
    acme --health--> hr-co                      cloudco --account, employees only--> staffing
    cloudco --account, planned--> newco         acme --account.billing--> biller
    acme --account, ended 2024-06-30--> oldco   acme --account, from 2026--> futureco
    acme --account, status ended, no end date--> limbo
    other --account--> cloudco                  (other collects too)
"""

import pytest

from .builders import category, collection, create, engagement, group, org

ON = "2025-01-01"
ACCOUNT = "account"
EMAIL = "account.contact.email"


def _eng(exporter, importer, categories, **kw):
    kw.setdefault("effective_date", "2024-01-01")
    return engagement(f"{exporter}-{importer}", exporter, importer, categories, **kw)


@pytest.fixture
def graph(store):
    objs = [
        category("account"), category("account.contact"), category(EMAIL), category("account.billing"),
        category("health", flags=["special"]),
        group("customers"), group("employees", kind="employees"),
        *[org(k) for k in ("acme", "cloudco", "mailer", "analytics", "backup", "hr-co", "staffing",
                           "newco", "biller", "oldco", "futureco", "limbo", "other", "loner")],
        collection("signup", "acme", "customers", [EMAIL]),
        collection("staff", "acme", "employees", ["health", "account.contact"]),
        collection("other-crm", "other", "customers", [ACCOUNT]),
        _eng("acme", "cloudco", [ACCOUNT], subject_groups=["customers"]),
        _eng("cloudco", "mailer", [EMAIL]),
        _eng("mailer", "analytics", ["account.contact"]),
        _eng("analytics", "cloudco", [ACCOUNT]),
        _eng("analytics", "backup", [ACCOUNT]),
        _eng("acme", "hr-co", ["health"]),
        _eng("cloudco", "staffing", [ACCOUNT], subject_groups=["employees"]),
        _eng("cloudco", "newco", [ACCOUNT], status="planned", effective_date=None),
        _eng("acme", "biller", ["account.billing"]),
        _eng("acme", "oldco", [ACCOUNT], status="ended", effective_date="2023-01-01", end_date="2024-06-30"),
        _eng("acme", "futureco", [ACCOUNT], effective_date="2026-01-01"),
        _eng("acme", "limbo", [ACCOUNT], status="ended"),
        _eng("other", "cloudco", [ACCOUNT]),
    ]
    create(store, *objs)
    return store


def hops(reach):
    return sorted((e.exporter, e.importer) for e in reach.engagements)


def test_chain_with_a_cycle(graph):
    reach = graph.reach(EMAIL, ON, start="acme")
    assert hops(reach) == [("acme", "cloudco"), ("analytics", "backup"), ("analytics", "cloudco"),
                           ("cloudco", "mailer"), ("cloudco", "staffing"), ("mailer", "analytics")]
    assert [e.key for e in reach.engagements] == sorted(e.key for e in reach.engagements)
    assert sorted(reach.organisations) == ["acme", "analytics", "backup", "cloudco", "mailer", "staffing"]
    assert all(o.key == k for k, o in reach.organisations.items())


def test_collections_are_where_paths_start(graph):
    reach = graph.reach(EMAIL, ON)
    assert [c.key for c in reach.collections] == ["other-crm", "signup", "staff"]  # ancestor categories match
    assert ("other", "cloudco") in hops(reach)
    assert {"acme", "other"} <= set(reach.organisations)


def test_start_limits_collections_and_paths(graph):
    reach = graph.reach(EMAIL, ON, start="other")
    assert [c.key for c in reach.collections] == ["other-crm"]
    assert ("other", "cloudco") in hops(reach)
    assert ("acme", "cloudco") not in hops(reach)

    reach = graph.reach(EMAIL, ON, start="cloudco")  # a start with no collection of its own
    assert reach.collections == []
    assert hops(reach)[0] == ("analytics", "backup")
    assert ("acme", "cloudco") not in hops(reach)


@pytest.mark.parametrize("depth, expected", [
    (0, []),
    (1, [("acme", "cloudco")]),
    (2, [("acme", "cloudco"), ("cloudco", "mailer"), ("cloudco", "staffing")]),
    (3, [("acme", "cloudco"), ("cloudco", "mailer"), ("cloudco", "staffing"), ("mailer", "analytics")]),
    (4, [("acme", "cloudco"), ("analytics", "backup"), ("analytics", "cloudco"), ("cloudco", "mailer"),
         ("cloudco", "staffing"), ("mailer", "analytics")]),
    (50, [("acme", "cloudco"), ("analytics", "backup"), ("analytics", "cloudco"), ("cloudco", "mailer"),
          ("cloudco", "staffing"), ("mailer", "analytics")]),
])
def test_depth_bound_counts_hops(graph, depth, expected):
    assert hops(graph.reach(EMAIL, ON, start="acme", max_depth=depth)) == expected


def test_depth_is_the_shortest_distance(store):
    # a -> b -> c -> d and a shortcut a -> c: d is two hops away
    create(store, category("x"), *[org(k) for k in "abcd"],
           *[_eng(s, t, ["x"]) for s, t in ("ab", "bc", "cd", "ac")])
    assert hops(store.reach("x", ON, start="a", max_depth=2)) == [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")]
    assert hops(store.reach("x", ON, start="a", max_depth=1)) == [("a", "b"), ("a", "c")]


def test_category_matching_ancestor_descendant_not_sibling(graph):
    # asked for the ancestor: flows carrying descendants match
    assert ("cloudco", "mailer") in hops(graph.reach(ACCOUNT, ON, start="acme"))
    assert ("acme", "biller") in hops(graph.reach(ACCOUNT, ON, start="acme"))
    # asked for a descendant: flows carrying its ancestors match, a sibling branch does not
    reach = graph.reach(EMAIL, ON, start="acme")
    assert ("acme", "cloudco") in hops(reach)
    assert ("acme", "biller") not in hops(reach)
    # another tree entirely
    assert hops(graph.reach("health", ON, start="acme")) == [("acme", "hr-co")]
    assert [c.key for c in graph.reach("health", ON).collections] == ["staff"]


def test_a_key_prefix_is_no_ancestor(store):
    create(store, category("account"), category("accounting"), org("a"), org("b"),
           _eng("a", "b", ["accounting"]))
    assert hops(store.reach("account", ON, start="a")) == []
    assert hops(store.reach("accounting", ON, start="a")) == [("a", "b")]


def test_subject_groups_narrow_collections_and_engagements(graph):
    reach = graph.reach(EMAIL, ON, subject_groups=["customers"])
    assert [c.key for c in reach.collections] == ["other-crm", "signup"]
    assert ("cloudco", "staffing") not in hops(reach)  # names only employees
    assert ("cloudco", "mailer") in hops(reach)  # names no group: concerns all
    assert ("acme", "cloudco") in hops(reach)

    reach = graph.reach(EMAIL, ON, subject_groups=["employees"])
    assert [c.key for c in reach.collections] == ["staff"]
    assert ("acme", "cloudco") not in hops(reach)  # customers only
    assert hops(reach) == []  # acme's only account flow concerns customers

    reach = graph.reach(EMAIL, ON, start="cloudco", subject_groups=["employees", "customers"])
    assert ("cloudco", "staffing") in hops(reach)


def test_in_force_dates(graph):
    def acme_targets(on, **kw):
        return {t for s, t in hops(graph.reach(ACCOUNT, on, start="acme", max_depth=1, **kw))}

    assert "oldco" not in acme_targets(ON)
    assert "oldco" in acme_targets("2024-03-01")  # ended, but not yet on that date
    assert "oldco" in acme_targets("2023-01-01")  # the effective date itself counts
    assert "oldco" not in acme_targets("2022-12-31")
    assert "oldco" not in acme_targets("2024-06-30")  # the end date is the first day without
    assert "futureco" not in acme_targets("2025-12-31")
    assert "futureco" in acme_targets("2026-01-01")
    assert "limbo" not in acme_targets(ON)  # ended without an end date: never in force
    assert "cloudco" not in acme_targets("2023-12-31")


def test_planned_only_when_asked(graph):
    assert ("cloudco", "newco") not in hops(graph.reach(ACCOUNT, ON, start="acme"))
    reach = graph.reach(ACCOUNT, ON, start="acme", include_planned=True)
    assert ("cloudco", "newco") in hops(reach)
    assert "newco" in reach.organisations
    assert ("acme", "limbo") not in hops(reach)


def test_the_in_force_rule_agrees_with_the_domain(graph):
    for on in ("2023-06-01", "2024-06-30", ON, "2026-01-01"):
        for planned in (False, True):
            reached = {e.key for e in graph.reach(ACCOUNT, on, start="acme", max_depth=1,
                                                  include_planned=planned).engagements}
            direct = {e.key for e in graph.list("engagement", filters={"exporter": "acme"})
                      if e.in_force(on, planned) and "health" not in e.categories}
            assert reached == direct


def test_nothing_reached(graph):
    reach = graph.reach(EMAIL, ON, start="loner")
    assert (reach.collections, reach.engagements, list(reach.organisations)) == ([], [], ["loner"])
    reach = graph.reach("unknown.category", ON)
    assert (reach.collections, reach.engagements, reach.organisations) == ([], [], {})


def test_reached_objects_are_complete(graph):
    reach = graph.reach(EMAIL, ON, start="acme", max_depth=1)
    [eng] = reach.engagements
    assert eng.to_dict() == graph.get("engagement", "acme-cloudco").to_dict()
    assert eng.version == 1
    assert reach.organisations["cloudco"].to_dict() == graph.get("organisation", "cloudco").to_dict()


def test_no_bound_by_default_and_the_bound_names_what_it_cut(store):
    keys = [f"n{i}" for i in range(10)]
    create(store, category("x"), *[org(k) for k in keys],
           *[_eng(a, b, ["x"]) for a, b in zip(keys, keys[1:])])
    reach = store.reach("x", ON, start="n0")
    assert len(reach.engagements) == 9 and reach.cut == []
    bounded = store.reach("x", ON, start="n0", max_depth=4)
    assert hops(bounded)[-1] == ("n3", "n4") and bounded.cut == ["n4-n5"]


def test_engagements_recording_no_category_are_reached_for_any_category(graph):
    create(graph, _eng("backup", "limbo", []), _eng("mailer", "limbo", []))
    assert ("mailer", "limbo") in hops(graph.reach(EMAIL, ON, start="acme"))
    assert ("mailer", "limbo") in hops(graph.reach("health", ON, start="mailer"))
    assert ("backup", "limbo") in hops(graph.reach(EMAIL, ON, start="acme"))
    assert ("backup", "limbo") not in hops(graph.reach("health", ON, start="acme"))  # backup is not reached


CATEGORY_TREE = ["a", "a.b", "a.b.c", "a.b.d", "a.bc", "ab", "e", "e.f"]


def test_the_category_rule_agrees_with_the_domain(store):
    """The store's copy of category_matches (SQL or Cypher) against the Python one, on the same cases."""
    from registry.domain.model import category_matches

    create(store, *[category(k) for k in CATEGORY_TREE], org("src"),
           *[org(f"to-{k.replace('.', '-')}") for k in CATEGORY_TREE],
           *[_eng("src", f"to-{k.replace('.', '-')}", [k]) for k in CATEGORY_TREE])
    for asked in CATEGORY_TREE:
        reached = {e.categories[0] for e in store.reach(asked, ON, start="src").engagements}
        assert reached == {k for k in CATEGORY_TREE if category_matches(k, asked)}, asked
