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
  its exporter state's;
- the countries where the data was collected (the collecting organisations' seats): an
  EU processor returning data to its controller owes a TIA only if some of it was
  collected in the EU (``collected_in`` of the assessment).

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
from .flows_assess import UNRECORDED, Assessor, HopBase, importer_role

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
    collected_in: frozenset = frozenset()  # countries it was collected in, besides the collection's own

    @property
    def state(self) -> State:
        return (self.organisation, self.group.key, self.role)


@dataclass(eq=False, slots=True)
class Hop:
    """One engagement crossed in one context, with its status and, on demand, its assessment.

    ``regimes`` are those attached upstream on any route into it; ``paths`` counts the
    shortest routes from a start to it; ``depth`` is its shortest distance in hops;
    ``via`` is the state it leaves and ``target`` the state it leads to. ``status`` is
    set for every hop when the flow is computed; the full ``assessment`` is built (once
    per distinct context, memoised) when something reads it.
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
    paths: int = 0
    returning: bool = False
    collected_in: frozenset = frozenset()
    status: str = "unknown"
    base: HopBase | None = None
    assessor: Assessor | None = None

    @property
    def assessment(self) -> dict:
        """The hop context's assessment (a dict as ``HopAssessment.to_dict()``)."""
        assert self.assessor is not None and self.base is not None, "assessed once the flow is computed"
        return self.assessor.assessment(self.base, self.regimes)

    @property
    def key(self) -> str:
        """A stable identifier of the hop within its answer."""
        return f"{self.engagement.key}/{self.group.key}/{self.exporter_role}"

    def context(self) -> dict:
        return {"subject_group": self.group.key, "exporter_role": self.exporter_role,
                "regimes": sorted(self.regimes), "returning": self.returning,
                "collected_in": sorted(self.collected_in)}

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
    """Propagate ``starts`` along ``engagements`` to a fixed point; see the module doc.

    ``engagements`` are those that may carry the flow (in force, carrying the category or
    recording none); an engagement naming subject groups is followed only in contexts of
    one of them (or of unrecorded subjects, which might be any). With ``max_depth``,
    states that far from a start are not expanded and ``Flow.cut`` names the engagements
    that would have been followed.
    """
    flow = Flow()
    leaving, order = _states(flow, engagements, organisations, groups, starts, max_depth)
    _spread_holders(flow, leaving)
    for hop in flow.hops.values():
        hop.returning = hop.engagement.importer in flow.controllers.get(hop.via, ())
        hop.collected_in = flow.collected_in[hop.via]
    _spread_regimes(flow, leaving, order, assessor)
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
    """Spread the regimes attached upstream to a fixed point, then give every hop its status.

    A hop passes on what it inherits and the regimes its own facts attach
    (``HopBase.own``), which is what its assessment says travels on; so the fixed point
    needs no assessment, and each hop's status is taken once, with its final regimes.
    """
    regimes = flow.regimes
    for hops in leaving.values():
        for hop in hops:
            hop.base = assessor.base(hop.engagement, hop.exporter, hop.importer, hop.exporter_role, hop.group,
                                     hop.collected_in)
            hop.assessor = assessor
    queued = set(order)
    work = deque(order)  # breadth-first order first: most states are final on their first visit
    while work:
        state = work.popleft()
        queued.discard(state)
        attached = regimes.setdefault(state, frozenset())
        for hop in leaving.get(state, ()):
            onward = attached | hop.base.own
            known = regimes.get(hop.target, frozenset())
            if not onward <= known:
                regimes[hop.target] = known | onward
                if hop.target not in queued:
                    queued.add(hop.target)
                    work.append(hop.target)
    status = assessor.status
    for state in order:
        attached = regimes[state]
        for hop in leaving.get(state, ()):
            hop.regimes = attached
            hop.status = status(hop.base, attached)
            flow.assessments += 1


def _spread_holders(flow: Flow, leaving: dict) -> None:
    """Spread who holds the data as controller and where it was collected, to a fixed point.

    Both are sets that only grow. A hop into a controller state brings its importer as
    the controller; otherwise the exporter state's controllers travel on. The countries
    of collection travel on unchanged. Each state's countries end as a frozenset.
    """
    controllers, collected = flow.controllers, flow.collected_in
    work = [state for state in flow.parents if controllers.get(state) or collected.get(state)]
    queued = set(work)
    while work:
        state = work.pop()
        queued.discard(state)
        found, where = controllers.get(state, set()), collected.get(state, set())
        for hop in leaving.get(state, ()):
            brought = {hop.engagement.importer} if hop.target[2] == "controller" else found
            have = controllers.setdefault(hop.target, set())
            there = collected.setdefault(hop.target, set())
            if not (brought <= have and where <= there):
                have |= brought
                there |= where
                if hop.target not in queued:
                    queued.add(hop.target)
                    work.append(hop.target)
    shared: dict[frozenset, frozenset] = {}  # one frozenset per distinct set, so assessors key on few
    for state in flow.parents:
        countries = frozenset(collected.get(state, ()))
        collected[state] = shared.setdefault(countries, countries)
