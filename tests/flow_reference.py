"""The flow propagation of earlier versions, one state (organisation, group, role) at a time.

Kept as the reference that ``registry.services.flows`` (every group at once) is checked
against on random registries (``test_flows_equivalence.py``): it has the definitions in
their plainest form, a hop object per context and sets spread per state.
"""

from dataclasses import dataclass, field

from registry.domain.model import Engagement
from registry.services.flows import Hop, Start
from registry.services.flows_assess import UNRECORDED, Assessor, importer_role

# A state: (organisation, subject group key, role).
State = tuple


@dataclass
class Flow:
    """The fixed point: every hop reached, and what is needed to read example paths back."""

    hops: dict = field(default_factory=dict)  # (engagement key, group key, role) -> Hop
    parents: dict = field(default_factory=dict)  # state -> the hop identity that first reached it, or None
    starts: dict = field(default_factory=dict)  # start state -> Start
    regimes: dict = field(default_factory=dict)  # state -> regimes attached upstream
    controllers: dict = field(default_factory=dict)  # state -> organisations holding the data as controller
    collected_in: dict = field(default_factory=dict)  # state -> countries where the data was collected
    cut: set = field(default_factory=set)  # engagement keys a depth bound kept from being followed
    assessments: int = 0  # assessments asked for, one per hop (most from the memo)

    @property
    def states(self) -> int:
        return len(self.parents)

    def contexts_at(self, organisation: str) -> list[State]:
        """Every state of ``organisation`` (each context the data reaches it in)."""
        return [s for s in self.parents if s[0] == organisation]

    def example_path(self, hop: Hop) -> tuple[Start | None, list[Hop]]:
        """(start, hops) of one shortest route from a start to ``hop`` (``hop`` last)."""
        chain = [hop]
        state = hop.via
        while self.parents.get(state) is not None:
            previous = self.hops[self.parents[state]]
            chain.append(previous)
            state = previous.via
        chain.reverse()
        return self.starts.get(state), chain


def propagate(engagements: list[Engagement], organisations: dict, groups: dict, starts: list[Start],
              assessor: Assessor, max_depth: int | None = None) -> Flow:
    """The reference fixed point of ``starts`` along ``engagements`` (as ``flows_propagate.propagate``)."""
    flow = Flow()
    leaving = _states(flow, engagements, organisations, groups, starts, max_depth)
    graph = _Graph(list(flow.parents), leaving)
    _spread_holders(flow, graph)
    _spread_regimes(flow, graph, assessor)
    return flow


def _states(flow: Flow, engagements, organisations, groups, starts, max_depth):
    """Breadth first over states: hops, depths, shortest-route counts, parents, the cut; the hops leaving
    each state expanded."""
    outgoing: dict[str, list] = {}
    for e in sorted(engagements, key=lambda x: x.key):
        outgoing.setdefault(e.exporter, []).append(
            (e, importer_role(e), frozenset(e.subject_groups) or None, organisations.get(e.exporter),
             organisations.get(e.importer)))
    counts: dict[State, int] = {}
    level: dict[State, int] = {}
    frontier: list[State] = []
    for start in starts:
        state = start.state
        flow.regimes[state] = flow.regimes.get(state, frozenset()) | start.regimes
        flow.controllers.setdefault(state, set()).update(start.controllers)
        where = flow.collected_in.setdefault(state, set())
        where.update(start.collected_in)
        collector = organisations.get(start.organisation) if start.collection is not None else None
        if collector is not None and collector.country:
            where.add(collector.country)
        if state not in counts:
            counts[state], level[state] = 1, 0
            flow.parents[state] = None
            flow.starts[state] = start
            frontier.append(state)
    hops, parents = flow.hops, flow.parents
    leaving: dict[State, list[Hop]] = {}
    depth = 0
    while frontier:
        if max_depth is not None and depth >= max_depth:
            flow.cut = {e.key for state in frontier for e, *_ in outgoing.get(state[0], ())}
            break
        following: list[State] = []
        for state in frontier:
            org, group_key, role = state
            count = counts[state]
            group = groups.get(group_key, UNRECORDED)
            out = leaving[state] = []
            for e, onward_role, concerns, exporter, importer in outgoing.get(org, ()):
                if concerns is not None and group_key not in concerns and group is not UNRECORDED:
                    continue
                target = (e.importer, group_key, onward_role)
                hop = Hop(e, exporter, importer, group, role, depth + 1, state, target, paths=count)
                hops[(e.key, group_key, role)] = hop
                out.append(hop)
                if target not in parents:
                    counts[target], level[target] = count, depth + 1
                    parents[target] = (e.key, group_key, role)
                    following.append(target)
                elif level[target] == depth + 1:  # another shortest route to it
                    counts[target] += count
        frontier = following
        depth += 1
    return leaving


class _Bits:
    """Small sets as integers (one bit per distinct item) and back, for fast unions."""

    def __init__(self) -> None:
        self._bit: dict = {}
        self._items: list = []
        self._sets: dict[int, frozenset] = {0: frozenset()}

    def of(self, items) -> int:
        mask = 0
        for item in items:
            bit = self._bit.get(item)
            if bit is None:
                bit = self._bit[item] = 1 << len(self._items)
                self._items.append(item)
            mask |= bit
        return mask

    def items(self, mask: int) -> frozenset:
        """The set ``mask`` stands for (one frozenset per distinct set)."""
        found = self._sets.get(mask)
        if found is None:
            members, rest = [], mask
            while rest:
                low = rest & -rest
                members.append(self._items[low.bit_length() - 1])
                rest ^= low
            found = self._sets[mask] = frozenset(members)
        return found


class _Graph:
    """The state graph with its states numbered, for spreading sets to a fixed point in one pass.

    A set that travels along hops (a hop's target gets its source's set, and what the hop
    adds) ends the same for every state of a strongly connected component; so the fixed
    point is one pass over the components in topological order, reading each hop twice.
    Cycles need no revisits, however many the graph holds.
    """

    def __init__(self, states: list[State], leaving: dict):
        self.states = states
        number = {state: i for i, state in enumerate(states)}
        self.hops = [leaving.get(state, ()) for state in states]
        self.targets = [[number[hop.target] for hop in hops] for hops in self.hops]
        self._components: tuple[list[int], list[list[int]]] | None = None

    def components(self) -> tuple[list[int], list[list[int]]]:
        """(component of each state, the states of each component), over every hop; a hop
        stays in its component or leads to one with a lower number (Tarjan's algorithm
        numbers them sinks first). Computed once: most sets spread over every hop."""
        if self._components is None:
            self._components = _tarjan(self.targets)
        return self._components

    def spread(self, initial: list[int], added: list[list[int]] | None = None, follows=None) -> list[int]:
        """The least fixed point of one set per state (as ``_Bits`` ints).

        Each state's set holds its ``initial`` set, what ``added[i][j]`` gives for the
        ``j``-th hop leaving state ``i`` into its target, and its sources' sets over the
        hops ``follows`` accepts (every hop when None).
        """
        targets = self.targets
        constant: list[tuple[int, int]] = []  # (target, set) a hop not followed adds
        if follows is None:
            comp, members = self.components()
        else:  # a hop not followed adds its own only: spread over the others, with their components
            kept_targets, kept_added = [], []
            for i, hops in enumerate(self.hops):
                keep = [follows(hop) for hop in hops]
                kept_targets.append([t for t, k in zip(targets[i], keep) if k])
                if added is not None:
                    kept_added.append([a for a, k in zip(added[i], keep) if k])
                    constant.extend((t, a) for a, t, k in zip(added[i], targets[i], keep) if not k)
            targets, added = kept_targets, kept_added if added is not None else None
            comp, members = _tarjan(targets)
        value = [0] * len(members)
        for i, mask in enumerate(initial):
            value[comp[i]] |= mask
        for t, mask in constant:
            value[comp[t]] |= mask
        for c in range(len(members) - 1, -1, -1):  # sources first: all that enters c is in value[c]
            group, mask = members[c], value[c]
            if added is not None:  # a hop within the component adds to all of it
                for i in group:
                    for a, t in zip(added[i], targets[i]):
                        if comp[t] == c:
                            mask |= a
            value[c] = mask
            for i in group:
                if added is None:
                    for t in targets[i]:
                        if comp[t] != c:
                            value[comp[t]] |= mask
                else:
                    for a, t in zip(added[i], targets[i]):
                        other = comp[t]
                        if other != c:
                            value[other] |= mask | a
        return [value[c] for c in comp]


def _tarjan(successors: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components of numbered nodes (Tarjan's algorithm, without recursion)."""
    count = len(successors)
    index, low, comp = [-1] * count, [0] * count, [-1] * count
    members: list[list[int]] = []
    stack: list[int] = []
    counter = 0
    for root in range(count):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        work = [(root, iter(successors[root]))]
        while work:
            node, onward = work[-1]
            for nxt in onward:
                if index[nxt] < 0:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    work.append((nxt, iter(successors[nxt])))
                    break
                if comp[nxt] < 0 and index[nxt] < low[node]:  # still on the stack: in the component built
                    low[node] = index[nxt]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    found = []
                    while True:
                        member = stack.pop()
                        comp[member] = len(members)
                        found.append(member)
                        if member == node:
                            break
                    members.append(found)
    return comp, members


def _spread_regimes(flow: Flow, graph: _Graph, assessor: Assessor) -> None:
    """Spread the regimes attached upstream to a fixed point, then give every hop its status.

    Each hop first takes what its exporter state holds (``_spread_holders``): whether it
    returns the data to a controller, where the data was collected, and so its ``HopBase``.

    A hop passes on what it inherits and the regimes its own facts attach
    (``HopBase.own``), which is what its assessment says travels on; so the fixed point
    needs no assessment, and each hop's status is taken once, with its final regimes.
    """
    bits = _Bits()
    own: dict[int, int] = {}  # id(base) -> the regimes its own facts attach, as bits (hops share bases)
    added = []
    for state, hops in zip(graph.states, graph.hops):
        adds = []
        if hops:  # the hops leaving a state share their context
            first = hops[0]
            controllers, collected_in = flow.controllers[state], flow.collected_in[state]
            for hop in hops:
                base = assessor.base(hop.engagement, hop.exporter, hop.importer, first.exporter_role, first.group,
                                     collected_in)
                hop.returning = hop.engagement.importer in controllers
                hop.collected_in = collected_in
                hop.base = base
                hop.assessor = assessor
                mask = own.get(id(base))
                if mask is None:
                    mask = own[id(base)] = bits.of(base.own)
                adds.append(mask)
        added.append(adds)
    reached = graph.spread([bits.of(flow.regimes.get(state, ())) for state in graph.states], added)
    status = assessor.status
    for state, hops, mask in zip(graph.states, graph.hops, reached):
        flow.regimes[state] = attached = bits.items(mask)
        for hop in hops:
            hop.regimes = attached
            hop.status = status(hop.base, attached)
            flow.assessments += 1


def _spread_holders(flow: Flow, graph: _Graph) -> None:
    """Spread who holds the data as controller and where it was collected, to a fixed point.

    A hop into a controller state brings its importer as the controller; any other hop
    passes its exporter state's controllers on. The countries of collection travel on
    unchanged. Both end as frozensets, one object per distinct set.
    """
    holders, places = _Bits(), _Bits()
    initial = [holders.of(flow.controllers.get(state, ())) for state in graph.states]
    if any(hop.target[2] == "controller" for hops in graph.hops for hop in hops):
        controllers = graph.spread(
            initial, [[holders.of((hop.engagement.importer,)) if hop.target[2] == "controller" else 0
                       for hop in hops] for hops in graph.hops],
            lambda hop: hop.target[2] != "controller")
    else:
        controllers = graph.spread(initial)
    collected = graph.spread([places.of(flow.collected_in.get(state, ())) for state in graph.states])
    for state, held, where in zip(graph.states, controllers, collected):
        flow.controllers[state] = holders.items(held)
        flow.collected_in[state] = places.items(where)
