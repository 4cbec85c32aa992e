"""Every group at once (``registry.services.flows``) gives what one state at a time gives.

The reference (``tests/flow_reference.py``) is the per-state propagation of earlier
versions: a hop object per (engagement, group, role), sets spread per state. On random
registries, with cycles, returns to a controller, group filters, controller importers,
starts carrying law and a depth bound, both must find the same hops with the same
context, status, distance and number of shortest routes, the same states and the same cut.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.model import Category, Collection, Engagement, Organisation, SubjectGroup
from registry.services.flows import Start, hop_order
from registry.services.flows_propagate import propagate
from registry.services.flows_assess import UNRECORDED, Assessor
from tests import flow_reference

COUNTRIES = ["DE", "FR", "GB", "US", "IN", "CH", "BR", None]
ON = "2026-11-22"
CATEGORIES = [Category(key="c", name="C"), Category(key="c.s", name="C S", flags=["special"])]


@st.composite
def registries(draw):
    orgs = {f"o{i}": Organisation(key=f"o{i}", name=f"O{i}", country=draw(st.sampled_from(COUNTRIES)),
                                  certifications=draw(st.sampled_from([[], ["dpf-eu"]])))
            for i in range(draw(st.integers(2, 7)))}
    keys = sorted(orgs)
    groups = {f"g{i}": SubjectGroup(key=f"g{i}", name=f"G{i}",
                                    residence=draw(st.sampled_from([["DE"], ["US"], ["IN"], ["GB", "FR"], []])))
              for i in range(draw(st.integers(1, 4)))}
    engagements = []
    for i in range(draw(st.integers(0, 16))):
        exporter, importer = draw(st.sampled_from(keys)), draw(st.sampled_from(keys))
        if exporter == importer:
            continue
        engagements.append(Engagement(
            key=f"e{i:02d}", exporter=exporter, importer=importer,
            importer_role=draw(st.sampled_from(["processor", "processor", "controller", "joint-controller"])),
            categories=draw(st.sampled_from([["c"], ["c.s"], []])),
            subject_groups=draw(st.lists(st.sampled_from(sorted(groups)), max_size=2, unique=True)),
            store_countries=draw(st.lists(st.sampled_from(COUNTRIES[:-1]), max_size=2, unique=True)),
            safeguards=[{"code": c} for c in draw(st.sampled_from([[], ["scc:2"], ["scc:1", "tia"]]))]))
    group_keys = sorted(groups) + ["unrecorded"]
    starts = []
    for i in range(draw(st.integers(1, 4))):
        org = draw(st.sampled_from(keys))
        key = draw(st.sampled_from(group_keys))
        role = draw(st.sampled_from(["controller", "processor"]))
        recorded = draw(st.booleans())
        starts.append(Start(
            org, groups.get(key, UNRECORDED), role,
            regimes=frozenset(draw(st.lists(st.sampled_from(["eu-gdpr", "in-dpdp", "uk-gdpr"]), max_size=2))),
            controllers=frozenset({org} if role == "controller" else draw(st.sets(st.sampled_from(keys), max_size=2))),
            collection=Collection(key=f"col{i}", organisation=org, subject_group=key, categories=["c"], role=role)
            if recorded else None,
            collected_in=frozenset(draw(st.sets(st.sampled_from(COUNTRIES[:-1]), max_size=2)))))
    depth = draw(st.sampled_from([None, None, 1, 2, 3]))
    return orgs, groups, engagements, starts, depth


def _hop(hop):
    return (hop.exporter_role, hop.depth, hop.via, hop.target, hop.regimes, hop.paths, hop.returning,
            hop.collected_in, hop.status, hop.base.marker, hop.group.key)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_every_group_at_once_equals_one_state_at_a_time(registry):
    orgs, groups, engagements, starts, depth = registry
    assessor = Assessor(CATEGORIES, "c", ON)
    flow = propagate(engagements, orgs, groups, starts, assessor, depth)
    reference = flow_reference.propagate(engagements, orgs, groups, starts, assessor, depth)
    assert {k: _hop(h) for k, h in flow.hops.items()} == {k: _hop(h) for k, h in reference.hops.items()}
    assert flow.total == len(reference.hops)
    assert flow.cut == reference.cut
    assert flow.states == reference.states
    for state in reference.parents:
        assert flow.context(state) == (reference.regimes[state], reference.controllers[state],
                                       reference.collected_in[state])
        assert sorted(flow.contexts_at(state[0])) == sorted(reference.contexts_at(state[0]))
    assert flow.starts == reference.starts
    ordered = sorted(reference.hops.values(), key=hop_order)
    for count in (1, 3, len(ordered)):
        assert [(h.key, h.status) for h in flow.head(count)] == [(h.key, h.status) for h in ordered[:count]]
    for hop in flow.hops.values():
        start, chain = flow.example_path(hop)
        assert chain[-1] is hop or chain[-1].key == hop.key
        assert len(chain) == hop.depth and start is not None and chain[0].via == start.state
        assert all(a.target == b.via for a, b in zip(chain, chain[1:]))
    crossed: dict = {}
    for hop in reference.hops.values():
        entry = crossed.setdefault((hop.engagement.key, hop.depth - 1), [0, 0, set()])
        entry[0] += 1
        entry[1] += hop.paths
        entry[2].add(hop.status)
    got: dict = {}
    for e, _importer, tier, contexts, routes, statuses in flow.crossings():
        entry = got.setdefault((e.key, tier), [0, 0, set()])
        entry[0] += contexts
        entry[1] += routes
        entry[2] |= statuses
    assert got == crossed
    by_class = {(e.key, key, role): (regimes, returning, where, paths, base.marker)
                for e, role, base, regimes, members in flow.classes()
                for key, returning, where, paths in members}
    assert by_class == {k: (h.regimes, h.returning, h.collected_in, h.paths, h.base.marker)
                        for k, h in reference.hops.items()}
