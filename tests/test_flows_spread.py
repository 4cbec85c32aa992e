"""The one-pass spreading over strongly connected components equals the plain fixed point."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.flow_reference import _Graph, _tarjan


class _Hop:
    def __init__(self, target, follow):
        self.target, self.follow = target, follow


def _naive(count, edges, initial, added, follows):
    """Iterate every hop until nothing changes: the definition of the fixed point."""
    value = list(initial)
    changed = True
    while changed:
        changed = False
        for (source, target, add, follow) in edges:
            new = value[target] | add | (value[source] if follow or not follows else 0)
            if new != value[target]:
                value[target], changed = new, True
    return value


graphs = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 15), st.booleans()),
             max_size=40),
    st.lists(st.integers(0, 15), min_size=n, max_size=n),
    st.booleans(), st.booleans()))


@settings(max_examples=400, deadline=None)
@given(graphs)
def test_spread_equals_the_fixed_point(case):
    count, edges, initial, with_added, with_follows = case
    if not with_added:
        edges = [(s, t, 0, f) for s, t, _, f in edges]
    states = [f"s{i}" for i in range(count)]
    leaving = {}
    for source, target, add, follow in edges:
        leaving.setdefault(states[source], []).append(_Hop(states[target], follow))
    graph = _Graph(states, leaving)
    added = [[add for s, t, add, f in edges if s == i] for i in range(count)] if with_added else None
    got = graph.spread(initial, added, (lambda hop: hop.follow) if with_follows else None)
    assert got == _naive(count, edges, initial, [], with_follows)


def test_components_come_sinks_first():
    # 0 -> 1 <-> 2 -> 3, and 4 alone
    comp, members = _tarjan([[1], [2], [1, 3], [], []])
    assert comp[1] == comp[2] and len({comp[0], comp[1], comp[3], comp[4]}) == 4
    assert comp[0] > comp[1] > comp[3]
    assert sorted(sorted(m) for m in members) == [[0], [1, 2], [3], [4]]
