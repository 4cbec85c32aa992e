"""Flow propagation: the hop contexts a category of data reaches, computed to a fixed point.

A *state* is an organisation holding the data of one subject group in one role
(controller or processor); a *hop* is an engagement leaving a state, identified by
(engagement, subject group, exporter's role). What else reaches a state is propagated
over the state graph to a fixed point, as sets that only grow:

- the regimes attached upstream, on any route into the state: the engagement leaving it
  carries the data of every route, so every law attached to any of it applies to the hop
  (per regime, being inherited only ever adds findings, so the union is what the hop
  needs; keeping each distinct set apart instead multiplies states by the subsets of the
  regimes: measured, it exhausted 14 GB at 5,000 / 50,000);
- the organisations holding the data as controller (the collector, or an importer acting
  as controller): a hop *returns the data to its controller* when its importer is among
  its exporter state's.

First the states are found breadth first, each once, which gives every hop its shortest
distance, the number of shortest routes to it (``Hop.paths``) and a parent per state from
which one shortest example path is read back. Then the regimes are spread with a
worklist: a hop passes on what it inherits and what its own facts attach, a state whose set
grows is visited again, and since sets only grow and are finite, this ends, whatever cycles
the graph holds. Only then is each hop assessed, once, with its final regimes (memoised);
the hop that closes a cycle is assessed like any other. No path is ever enumerated.
"""

from collections import deque
from dataclasses import dataclass, field

from ..domain.model import Collection, Engagement, Organisation, SubjectGroup
from .flows_assess import UNRECORDED, Assessor, importer_role

# A state: (organisation, subject group key, role).
State = tuple


@dataclass(frozen=True)
class Start:
    """Where a flow begins: an organisation holding the data in a context.

    ``collection`` is the collection that records it, or None for a context the registry
    recorded reaching the organisation (a mid-chain question) or for unrecorded subjects.
    """

    organisation: str
    group: SubjectGroup
    role: str = "controller"
    regimes: frozenset = frozenset()
    controllers: frozenset = frozenset()  # who holds the data as controller (none known: empty)
    collection: Collection | None = None

    @property
    def state(self) -> State:
        return (self.organisation, self.group.key, self.role)


@dataclass(eq=False)
class Hop:
    """One engagement crossed in one context, with its assessment.

    ``regimes`` are those attached upstream on any route into it; ``paths`` counts the
    shortest routes from a start to it; ``depth`` is its shortest distance in hops;
    ``via`` is the state it leaves and ``target`` the state it leads to.
    """

    engagement: Engagement
    exporter: Organisation | None
    importer: Organisation | None
    group: SubjectGroup
    exporter_role: str
    depth: int
    via: State
    target: State
    regimes: frozenset = frozenset()
    assessment: dict = field(default_factory=dict)
    paths: int = 0
    returning: bool = False

    @property
    def status(self) -> str:
        return self.assessment["status"]

    @property
    def key(self) -> str:
        """A stable identifier of the hop within its answer."""
        return f"{self.engagement.key}/{self.group.key}/{self.exporter_role}"

    def context(self) -> dict:
        return {"subject_group": self.group.key, "exporter_role": self.exporter_role,
                "regimes": sorted(self.regimes), "returning": self.returning}

    def to_dict(self) -> dict:
        e = self.engagement
        return {"id": self.key, "engagement": e.key, "exporter": e.exporter, "importer": e.importer,
                "status": self.status, "engagement_status": e.status, "importer_role": e.importer_role,
                "importer_country": self.importer.country if self.importer else None,
                "store_countries": list(e.store_countries), "access_countries": list(e.access_countries),
                "safeguards": list(e.safeguard_codes), "context": self.context(), "depth": self.depth,
                "paths": self.paths, "assessment": self.assessment}


@dataclass
class Flow:
    """The fixed point: every hop reached, and what is needed to read example paths back."""

    hops: dict = field(default_factory=dict)  # (engagement key, group key, role) -> Hop
    parents: dict = field(default_factory=dict)  # state -> the hop identity that first reached it, or None
    starts: dict = field(default_factory=dict)  # start state -> Start
    regimes: dict = field(default_factory=dict)  # state -> regimes attached upstream
    controllers: dict = field(default_factory=dict)  # state -> organisations holding the data as controller
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
    """Propagate ``starts`` along ``engagements`` to a fixed point; see the module doc.

    ``engagements`` are those that may carry the flow (in force, carrying the category or
    recording none); an engagement naming subject groups is followed only in contexts of
    one of them (or of unrecorded subjects, which might be any). With ``max_depth``,
    states that far from a start are not expanded and ``Flow.cut`` names the engagements
    that would have been followed.
    """
    flow = Flow()
    leaving, order = _states(flow, engagements, organisations, groups, starts, max_depth)
    _spread_regimes(flow, leaving, order, assessor)
    _spread_controllers(flow.controllers, leaving)
    for hop in flow.hops.values():
        hop.returning = hop.engagement.importer in flow.controllers.get(hop.via, ())
    return flow


def _states(flow: Flow, engagements, organisations, groups, starts, max_depth):
    """Breadth first over states: hops, depths, shortest-route counts, parents, the cut."""
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
        if state not in counts:
            counts[state], level[state] = 1, 0
            flow.parents[state] = None
            flow.starts[state] = start
            frontier.append(state)
    hops, parents = flow.hops, flow.parents
    leaving: dict[State, list[Hop]] = {}
    order: list[State] = []
    depth = 0
    while frontier:
        if max_depth is not None and depth >= max_depth:
            flow.cut = {e.key for state in frontier for e, *_ in outgoing.get(state[0], ())}
            break
        following: list[State] = []
        for state in frontier:
            order.append(state)
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
    return leaving, order


def _spread_regimes(flow: Flow, leaving: dict, order: list, assessor: Assessor) -> None:
    """Spread the regimes attached upstream to a fixed point, then assess every hop once.

    A hop passes on what it inherits and the regimes its own facts attach
    (``Assessor.own_regimes``), which is what its assessment says travels on; so the
    fixed point needs no assessment, and each hop is assessed once, with its final regimes.
    """
    regimes = flow.regimes
    own: dict[int, frozenset] = {}  # id(hop) -> the regimes it attaches itself
    for hops in leaving.values():
        for hop in hops:
            own[id(hop)] = assessor.own_regimes(hop.engagement, hop.exporter, hop.importer, hop.exporter_role,
                                                hop.group)
    queued = set(order)
    work = deque(order)  # breadth-first order first: most states are final on their first visit
    while work:
        state = work.popleft()
        queued.discard(state)
        attached = regimes.setdefault(state, frozenset())
        for hop in leaving.get(state, ()):
            onward = attached | own[id(hop)]
            known = regimes.get(hop.target, frozenset())
            if not onward <= known:
                regimes[hop.target] = known | onward
                if hop.target not in queued:
                    queued.add(hop.target)
                    work.append(hop.target)
    for state in order:
        attached = regimes[state]
        for hop in leaving.get(state, ()):
            hop.regimes = attached
            hop.assessment = assessor.assess(hop.engagement, hop.exporter, hop.importer, hop.exporter_role,
                                             hop.group, attached)
            flow.assessments += 1


def _spread_controllers(controllers: dict, leaving: dict) -> None:
    """Spread the controller sets over the state graph to a fixed point (sets only grow)."""
    work = [state for state, found in controllers.items() if found]
    while work:
        state = work.pop()
        found = controllers[state]
        for hop in leaving.get(state, ()):
            brought = {hop.engagement.importer} if hop.target[2] == "controller" else found
            have = controllers.setdefault(hop.target, set())
            if not brought <= have:
                have |= brought
                work.append(hop.target)
