"""Flow propagation: the hop contexts a category of data reaches, computed to a fixed point.

A *state* is an organisation holding the data of one subject group in one role
(controller or processor); a *hop* is an engagement leaving a state, identified by
(engagement, subject group, exporter's role). What else reaches a state is propagated to
a fixed point, as sets that only grow:

- the regimes attached upstream, on any route into the state: the engagement leaving it
  carries the data of every route, so every law attached to any of it applies to the hop;
- the organisations holding the data as controller (the collector, or an importer acting
  as controller): a hop *returns the data to its controller* when its importer is among
  its exporter state's;
- the countries where the data was collected (the collecting organisations' seats): an
  EU processor returning data to its controller owes a TIA only if some of it was
  collected in the EU (``collected_in`` of the assessment).

Every subject group travels at once (``flows_bits``): a *node* is an organisation in a
role, and what reaches it is an integer with a bit per group, or a lane of such bits per
regime, controller or country. So the work follows the engagements, not engagements times
groups. First the nodes are found breadth first, level by level, which gives every state
its shortest distance; then the three sets are spread to their fixed point, so cycles,
however many, end by themselves. The groups leaving a node fall into classes that agree on
everything an assessment reads (their subjects, where the data was collected, the regimes
attached upstream); each engagement is assessed once per class, memoised, and the hop that
closes a cycle is assessed like any other. Hops are made as objects only when read: the
first page of an answer (``Flow.head``) or all of them (``Flow.hops``). No path is ever
enumerated; the number of shortest routes to each state (``Hop.paths``) is counted for all
groups at once, in lanes wide enough for the largest count, when first asked for.
"""

import gc
import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..domain.findings import STATUS_ORDER, STATUSES
from ..domain.model import Collection, Engagement, Organisation, SubjectGroup
from .flows_assess import UNRECORDED, Assessor, HopBase, importer_role
from .flows_bits import Lanes, bits_of, refine, spread

# A state: (organisation, subject group key, role).
State = tuple
ROLES = ("controller", "processor")  # in the order hops are listed


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

    def parts(self) -> list[tuple[dict, ...]]:
        """The assessment's findings, unsorted, in parts shared between hops (``Assessor.parts``)."""
        assert self.assessor is not None and self.base is not None, "assessed once the flow is computed"
        return self.assessor.parts(self.base, self.regimes)

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


@dataclass(eq=False, slots=True)
class _Leg:
    """An engagement leaving a node (organisation, role), with the groups crossing it (``mask``).

    ``classes`` split those groups by what their assessment reads: [groups, HopBase,
    regimes attached upstream, status] each.
    """

    source: int
    target: int
    engagement: Engagement
    exporter: Organisation | None
    importer: Organisation | None
    onward: str  # the importer's role
    order: int  # the engagement's place in key order
    mask: int
    classes: list = field(default_factory=list)


class Flow:
    """The fixed point: every state reached and every hop, kept as group masks per node and leg.

    ``starts`` maps each start state to its Start; ``cut`` names the engagements a depth
    bound kept from being followed; ``assessments`` counts the statuses taken (one per
    class of groups crossing an engagement, most from the memo).
    """

    def __init__(self, groups: dict | None = None, assessor: Assessor | None = None) -> None:
        self._registry_groups = groups or {}
        self.assessor = assessor
        self.groups: list[SubjectGroup] = []  # bit g stands for groups[g]
        self.subjects: list[tuple] = []  # per group: its subjects' facts (``Assessor.subject_facts``)
        self.alike: list[tuple[int, int]] = []  # (subjects' id, the groups with those subjects)
        self.keys: list[str] = []
        self._bit: dict[str, int] = {}
        self.nodes: list[tuple[str, str]] = []  # (organisation, role)
        self._node: dict[tuple[str, str], int] = {}
        self.reach: list[int] = []  # per node: the groups reaching it
        self.expanded: list[int] = []  # per node: those followed on (all but a depth bound's last)
        self.levels: list[dict[int, int]] = []  # per node: distance -> the groups first reaching it there
        self.frontiers: list[list[tuple[int, int]]] = []  # per distance: (node, groups first there)
        self.out: list[list[_Leg]] = []
        self.starts: dict = {}
        self.cut: set = set()
        self.assessments = 0
        self.total = 0  # hops: (engagement, group, exporter's role)
        self.holders = self.places = self.laws = self.signs = Lanes(1)
        self.reading: list[tuple[int, ...]] = []  # per country lane: the collection readers it is in
        self.controllers: list[int] = []  # per node, lanes per organisation holding the data as controller
        self.collected: list[int] = []  # per node, lanes per country the data was collected in
        self.regimes: list[int] = []  # per node, lanes per regime attached upstream
        self._worst = STATUS_ORDER["ok"]
        self.by_rank: list[list[_Leg]] = [[] for _ in STATUSES]  # per status: the legs with hops of it
        self._counts: tuple[int, list[int]] | None = None
        self._into: list[list[_Leg]] | None = None
        self._hops: dict | None = None

    @property
    def assessing(self) -> Assessor:
        assert self.assessor is not None, "a flow is computed with its assessor"
        return self.assessor

    # -- reading the answer ------------------------------------------------------------

    @property
    def states(self) -> int:
        return sum(r.bit_count() for r in self.reach)

    @property
    def status(self) -> str:
        """The worst status of any hop (``ok`` when there is none)."""
        return STATUSES[self._worst]

    @property
    def hops(self) -> dict:
        """Every hop, as {(engagement key, group key, exporter's role): Hop} (made when first asked)."""
        if self._hops is None:
            hops = {}
            for legs in self.out:
                for leg in legs:
                    role = self.nodes[leg.source][1]
                    for entry in leg.classes:
                        for g in bits_of(entry[0]):
                            hops[(leg.engagement.key, self.keys[g], role)] = self._hop(leg, entry, g)
            self._hops = hops
        return self._hops

    def head(self, count: int) -> list[Hop]:
        """The first ``count`` hops worst first, then by engagement, group and exporter's role."""
        out: list[Hop] = []
        for rank, legs in enumerate(self.by_rank):
            if len(out) >= count:
                break
            if not legs:
                continue
            status = STATUSES[rank]
            picked = heapq.nsmallest(count - len(out), legs, key=lambda leg: leg.order)
            last = picked[-1].order  # a leg per exporter's role: take each of the last engagement's
            alike: dict[int, list[_Leg]] = {}
            for leg in legs:
                if leg.order <= last:
                    alike.setdefault(leg.order, []).append(leg)
            for order in sorted(alike):
                members: list[tuple] = [(self.keys[g], self.nodes[leg.source][1], g, leg, entry) for leg in alike[order]
                           for entry in leg.classes if entry[3] == status for g in bits_of(entry[0])]
                members.sort(key=lambda m: m[:2])
                out.extend(self._hop(leg, entry, g) for _key, _role, g, leg, entry in members)
                if len(out) >= count:
                    break
        return out[:count]

    def crossings(self) -> Iterator[tuple]:
        """Every engagement crossed, per distance of its exporter from a start: (engagement, importer,
        distance, hops, shortest routes through them, their statuses); the hops aggregated."""
        for legs in self.out:
            for leg in legs:
                for level, groups in self.levels[leg.source].items():
                    crossing = groups & leg.mask
                    if crossing:
                        yield (leg.engagement, leg.importer, level, crossing.bit_count(),
                               sum(self.paths(leg.source, g) for g in bits_of(crossing)),
                               {entry[3] for entry in leg.classes if entry[0] & crossing})

    def classes(self) -> Iterator[tuple]:
        """Every hop, class by class, without making hop objects: (engagement, exporter's role,
        HopBase, regimes attached upstream, [(group key, returning, collected in, shortest routes)])."""
        where: dict[tuple[int, int], frozenset] = {}
        interned: dict[tuple, frozenset] = {}
        for legs in self.out:
            for leg in legs:
                n = leg.source
                slot = self.holders.number.get(leg.engagement.importer)
                returning = 0 if slot is None else self.holders.lane(self.controllers[n], slot)
                role = self.nodes[n][1]
                for mask, base, regimes, _status in leg.classes:
                    members = []
                    for g in bits_of(mask):
                        places = where.get((n, g))
                        if places is None:
                            marker = tuple(self.places.of(self.collected[n], g))
                            places = interned.get(marker)
                            if places is None:
                                places = interned[marker] = frozenset(marker)
                            where[(n, g)] = places
                        members.append((self.keys[g], bool(returning >> g & 1), places, self.paths(n, g)))
                    yield leg.engagement, role, base, regimes, members

    def contexts_at(self, organisation: str) -> list[State]:
        """Every state of ``organisation`` (each context the data reaches it in)."""
        found: list[State] = []
        for role in ROLES:
            n = self._node.get((organisation, role))
            if n is not None:
                found.extend((organisation, self.keys[g], role) for g in bits_of(self.reach[n]))
        return found

    def context(self, state: State) -> tuple[frozenset, frozenset, frozenset]:
        """(regimes attached upstream, controllers, countries collected in) of a state reached."""
        organisation, key, role = state
        n, g = self._node[(organisation, role)], self._bit[key]
        return (frozenset(self.laws.of(self.regimes[n], g)), frozenset(self.holders.of(self.controllers[n], g)),
                frozenset(self.places.of(self.collected[n], g)))

    def example_path(self, hop: Hop) -> tuple[Start | None, list[Hop]]:
        """(start, hops) of one shortest route from a start to ``hop`` (``hop`` last).

        Back from each state, the route takes the engagement first in key order among
        those reaching it from one step nearer a start.
        """
        chain = [hop]
        organisation, key, role = hop.via
        g, n = self._bit[key], self._node[(organisation, role)]
        into = self._legs_into()
        while (level := self._level(n, g)) > 0:
            leg = min((leg for leg in into[n] if leg.mask >> g & 1 and self._level(leg.source, g) == level - 1),
                      key=lambda leg: leg.order)
            entry = next(entry for entry in leg.classes if entry[0] >> g & 1)
            chain.append(self._hop(leg, entry, g))
            n = leg.source
        chain.reverse()
        return self.starts.get((self.nodes[n][0], key, self.nodes[n][1])), chain

    # -- making hops -------------------------------------------------------------------

    def _hop(self, leg: _Leg, entry: list, g: int) -> Hop:
        organisation, role = self.nodes[leg.source]
        key = self.keys[g]
        e = leg.engagement
        slot = self.holders.number.get(e.importer)
        returning = slot is not None and bool(self.holders.lane(self.controllers[leg.source], slot) >> g & 1)
        collected_in = frozenset(self.places.of(self.collected[leg.source], g))
        return Hop(e, leg.exporter, leg.importer, self.groups[g], role, self._level(leg.source, g) + 1,
                   (organisation, key, role), (e.importer, key, leg.onward), entry[2], self.paths(leg.source, g),
                   returning, collected_in, entry[3], entry[1], self.assessor)

    def _level(self, n: int, g: int) -> int:
        for level, groups in self.levels[n].items():
            if groups >> g & 1:
                return level
        raise KeyError((self.nodes[n], self.keys[g]))

    def _legs_into(self) -> list[list[_Leg]]:
        if self._into is None:
            into: list[list[_Leg]] = [[] for _ in self.nodes]
            for legs in self.out:
                for leg in legs:
                    into[leg.target].append(leg)
            self._into = into
        return self._into

    def paths(self, n: int, g: int) -> int:
        """The number of shortest routes from a start to the state (node ``n``, group ``g``)."""
        if self._counts is None:
            self._counts = self._count_routes()
        width, counts = self._counts
        return (counts[n] >> (g * width)) & ((1 << width) - 1)

    def _count_routes(self) -> tuple[int, list[int]]:
        """Shortest routes to every state, all groups at once: a lane of ``width`` bits per group.

        A state's count is the sum of its sources' one step nearer a start, so it is at
        most (the most legs into a node) to the power of its distance: the lanes are
        made that wide, and no sum carries into the next group's lane.
        """
        into = self._legs_into()
        fan_in = max((len(legs) for legs in into), default=1) or 1
        width = max(1, len(self.frontiers) * fan_in.bit_length()) + 1
        lane = (1 << width) - 1
        fills: dict[int, int] = {}

        def fill(mask: int) -> int:
            found = fills.get(mask)
            if found is None:
                found = fills[mask] = sum(lane << (g * width) for g in bits_of(mask))
            return found

        counts = [0] * len(self.nodes)
        for n, levels in enumerate(self.levels):
            if 0 in levels:
                counts[n] = sum(1 << (g * width) for g in bits_of(levels[0]))
        for level, frontier in enumerate(self.frontiers):
            for n, groups in frontier:
                carried = counts[n]
                for leg in self.out[n]:
                    arriving = groups & leg.mask & self.levels[leg.target].get(level + 1, 0)
                    if arriving:
                        counts[leg.target] += carried & fill(arriving)
        return width, counts


def propagate(engagements: list[Engagement], organisations: dict, groups: dict, starts: list[Start],
              assessor: Assessor, max_depth: int | None = None) -> Flow:
    """Propagate ``starts`` along ``engagements`` to a fixed point; see the module doc.

    ``engagements`` are those that may carry the flow (in force, carrying the category or
    recording none); an engagement naming subject groups is followed only in contexts of
    one of them (or of unrecorded subjects, which might be any). With ``max_depth``,
    states that far from a start are not expanded and ``Flow.cut`` names the engagements
    that would have been followed.
    """
    flow = Flow(groups, assessor)
    seeds = _seed(flow, starts, organisations, assessor.kb.ids)
    outgoing = _outgoing(flow, engagements, organisations)
    _search(flow, outgoing, max_depth)
    _lay_legs(flow, outgoing)
    _spread_holders(flow, *seeds[:2])
    _assess(flow, seeds[2])
    return flow


def _seed(flow: Flow, starts: list[Start], organisations: dict, laws: tuple) -> tuple[dict, dict, dict]:
    """Number the starts' groups and nodes, and ``laws`` (every regime) as lanes; the (controllers,
    collected, regimes) lanes the starts bring."""
    for start in starts:
        if start.group.key not in flow._bit:
            flow._bit[start.group.key] = len(flow.keys)
            flow.keys.append(start.group.key)
            flow.groups.append(flow._registry_groups.get(start.group.key, UNRECORDED))
    flow.subjects = [flow.assessing.subject_facts(group) for group in flow.groups]
    alike: dict[int, int] = {}
    for g, (number, _part) in enumerate(flow.subjects):
        alike[number] = alike.get(number, 0) | 1 << g
    flow.alike = list(alike.items())
    width = max(1, len(flow.keys))
    flow.holders, flow.places, flow.laws = Lanes(width), Lanes(width), Lanes(width)
    for law in laws:  # numbered before any lane set is repeated
        flow.laws.slot(law)
    held: dict[int, int] = {}
    where: dict[int, int] = {}
    attached: dict[int, int] = {}
    for start in starts:
        n = _node_of(flow, start.organisation, start.role)
        bit = 1 << flow._bit[start.group.key]
        for holder in start.controllers:
            held[n] = held.get(n, 0) | flow.holders.put(holder, bit)
        countries = set(start.collected_in)
        collector = organisations.get(start.organisation) if start.collection is not None else None
        if collector is not None and collector.country:
            countries.add(collector.country)
        for country in countries:
            where[n] = where.get(n, 0) | flow.places.put(country, bit)
        for law in start.regimes:
            attached[n] = attached.get(n, 0) | flow.laws.put(law, bit)
        if not flow.reach[n] & bit:
            flow.reach[n] |= bit
            flow.levels[n][0] = flow.levels[n].get(0, 0) | bit
            flow.starts[(start.organisation, start.group.key, start.role)] = start
    readers = flow.assessing.readers()  # what the rules read of where data was collected, per country
    flow.reading = [tuple(i for i, territory in enumerate(readers) if country in territory)
                    for country in flow.places.items]
    flow.signs = Lanes(width)  # lane 0: a country of collection recorded; lane 1 + i: one in reader i's
    for item in (-1, *range(len(readers))):
        flow.signs.slot(item)
    return held, where, attached


def _node_of(flow: Flow, organisation: str, role: str) -> int:
    n = flow._node.get((organisation, role))
    if n is None:
        n = flow._node[(organisation, role)] = len(flow.nodes)
        flow.nodes.append((organisation, role))
        flow.reach.append(0)
        flow.levels.append({})
    return n


def _outgoing(flow: Flow, engagements, organisations) -> dict[str, list[tuple]]:
    """Per exporter, in key order: (engagement, importer's role, groups it may carry, exporter, importer, order,
    the node it leads to)."""
    every = (1 << len(flow.keys)) - 1
    unrecorded = sum(1 << g for g, group in enumerate(flow.groups) if group is UNRECORDED)
    outgoing: dict[str, list[tuple]] = {}
    for order, e in enumerate(sorted(engagements, key=lambda x: x.key)):
        carries = every
        if e.subject_groups:
            carries = unrecorded | sum(1 << flow._bit[k] for k in set(e.subject_groups) if k in flow._bit)
        onward = importer_role(e)
        outgoing.setdefault(e.exporter, []).append(
            (e, onward, carries, organisations.get(e.exporter), organisations.get(e.importer), order,
             (e.importer, onward)))
    return outgoing


def _search(flow: Flow, outgoing: dict, max_depth: int | None) -> None:
    """Breadth first, all groups at once: each state's distance; what a depth bound cuts."""
    frontier = {n: levels[0] for n, levels in enumerate(flow.levels) if levels.get(0)}
    reach, nodes, number, depth = flow.reach, flow.nodes, flow._node, 0
    cut: dict[int, int] = {}
    while frontier:
        if max_depth is not None and depth >= max_depth:
            flow.cut = {out[0].key for n in frontier for out in outgoing.get(nodes[n][0], ())}
            cut = frontier
            break
        flow.frontiers.append(list(frontier.items()))
        following: dict[int, int] = {}
        for n, groups in frontier.items():
            for _e, _onward, carries, _exporter, _importer, _order, towards in outgoing.get(nodes[n][0], ()):
                passing = groups & carries
                if passing:
                    t = number.get(towards)
                    if t is None:
                        t = _node_of(flow, *towards)
                    new = passing & ~reach[t]
                    if new:
                        reach[t] |= new
                        following[t] = following.get(t, 0) | new
        depth += 1
        for t, groups in following.items():
            flow.levels[t][depth] = groups
        frontier = following
    flow.expanded = [groups & ~cut.get(n, 0) for n, groups in enumerate(reach)]


def _lay_legs(flow: Flow, outgoing: dict) -> None:
    """The legs: each engagement leaving a node, with the groups that cross it."""
    flow.out = [[] for _ in flow.nodes]
    for n, (organisation, _role) in enumerate(flow.nodes):
        followed = flow.expanded[n]
        if followed:
            for e, onward, carries, exporter, importer, order, _towards in outgoing.get(organisation, ()):
                crossing = followed & carries
                if crossing:
                    flow.out[n].append(_Leg(n, flow._node[(e.importer, onward)], e, exporter, importer, onward,
                                            order, crossing))


def _spread_holders(flow: Flow, held: dict, where: dict) -> None:
    """Who holds the data as controller, and where it was collected, per state, to a fixed point.

    A leg into a controller node brings its importer as the controller of what crosses
    it; any other passes its source's controllers on. The countries of collection travel
    on unchanged.
    """
    holders, places = flow.holders, flow.places
    controllers = [held.get(n, 0) for n in range(len(flow.nodes))]
    for legs in flow.out:
        for leg in legs:
            if leg.onward == "controller":
                controllers[leg.target] |= holders.put(leg.engagement.importer, leg.mask)
    spread(controllers, [[(leg.target, holders.repeat(leg.mask)) for leg in legs if leg.onward != "controller"]
                         for legs in flow.out])
    collected = [where.get(n, 0) for n in range(len(flow.nodes))]
    spread(collected, [[(leg.target, places.repeat(leg.mask)) for leg in legs] for legs in flow.out])
    flow.controllers, flow.collected = controllers, collected


def _assess(flow: Flow, attached: dict) -> None:
    """The regimes attached upstream to a fixed point, then every leg's classes with their status.

    A leg passes on what its source inherits and the regimes its own facts attach
    (``HopBase.own``, which depends on the subjects and on what the rules read of where the
    data was collected, so it is taken per class of those); the status is taken once per
    class, with the final regimes.
    """
    assessor, laws = flow.assessing, flow.laws
    regimes = [attached.get(n, 0) for n in range(len(flow.nodes))]
    width = laws.width
    based: list[list] = [[] for _ in flow.nodes]  # per node, per leg: [(class number, groups, base)]
    classes_at: list[list] = [[] for _ in flow.nodes]  # per node: [groups, items, subjects, signature]
    for n, legs in enumerate(flow.out):
        if not legs:
            continue
        classes = classes_at[n] = _classes(flow, n)
        role = flow.nodes[n][1]
        for leg in legs:
            facts = assessor.facts(leg.engagement, leg.exporter, leg.importer)
            found: list[tuple] = []
            for i, (groups, _items, subjects, collected, group) in enumerate(classes):
                crossing = groups & leg.mask
                if crossing:
                    base = assessor.base_of(facts, role, group, subjects, collected)
                    own = base.lanes.get(width)
                    if own is None:  # lanes are numbered alike in every flow: kept on the (memoised) base
                        own = base.lanes[width] = sum(laws.put(law, 1) for law in base.own)
                    if own:
                        regimes[leg.target] |= crossing * own
                    found.append((i, crossing, base))
            based[n].append(found)
    spread(regimes, [[(leg.target, laws.repeat(leg.mask)) for leg in legs] for legs in flow.out])
    flow.regimes = regimes
    _statuses(flow, classes_at, based)


def _classes(flow: Flow, n: int) -> list[list]:
    """The groups followed from node ``n`` in classes alike for the rules: [groups, items, subject
    facts, collected (``Assessor.collected``), a group of them]."""
    assessor, places = flow.assessing, flow.places
    readers = assessor.readers()
    followed, width = flow.expanded[n], places.width
    recorded, inside = 0, [0] * len(readers)  # groups with a country of collection; with one in reader i's
    for slot, mask in places.lanes(flow.collected[n]):
        recorded |= mask
        for i in flow.reading[slot]:
            inside[i] |= mask
    sign = recorded | sum(mask << ((i + 1) * width) for i, mask in enumerate(inside))
    out = []
    for entry in refine([[followed & m, [], number] for number, m in flow.alike if followed & m], flow.signs, sign):
        groups, items = entry[0], entry[1]
        g = (groups & -groups).bit_length() - 1
        signature = tuple(i in items for i in range(len(readers))) if -1 in items else ()
        collected = assessor.stand_in(signature, lambda: flow.places.of(flow.collected[n], g))
        out.append([groups, items, flow.subjects[g], collected, flow.groups[g]])
    return out


def _statuses(flow: Flow, classes_at: list, based: list) -> None:
    """Each leg's classes: its groups split by the regimes they inherit, with their status."""
    laws, status, rank = flow.laws, flow.assessing.status, STATUS_ORDER
    interned: dict[tuple, frozenset] = {}
    total, taken = 0, 0
    by_rank: list[list[_Leg]] = [[] for _ in STATUSES]
    for n, legs in enumerate(flow.out):
        if not legs:
            continue
        split: dict[int, list] = {}
        for groups, inherited, i in refine([[c[0], [], i] for i, c in enumerate(classes_at[n])], laws,
                                           flow.regimes[n]):
            marker = tuple(sorted(inherited))
            kept = interned.get(marker)
            if kept is None:
                kept = interned[marker] = frozenset(marker)
            split.setdefault(i, []).append((groups, kept))
        for leg, found in zip(legs, based[n]):
            ranks = 0
            for i, crossing, base in found:
                for groups, inherited in split[i]:
                    mask = groups & crossing
                    if mask:
                        found_status = base.by_regimes.get(inherited) or status(base, inherited)
                        leg.classes.append([mask, base, inherited, found_status])
                        total += mask.bit_count()
                        taken += 1
                        ranks |= 1 << rank[found_status]
            for r in bits_of(ranks):
                by_rank[r].append(leg)
    flow.total, flow.assessments, flow.by_rank = total, taken, by_rank
    flow._worst = next((r for r, legs in enumerate(by_rank) if legs), rank["ok"])


@contextmanager
def without_collector_pauses() -> Iterator[None]:
    """Hold Python's cycle collector off while flows are built and read (``where_does_it_go``, the survey).

    A flow makes hundreds of thousands of objects, none of them garbage, while the
    process keeps millions of memoised ones: the full collections that many allocations
    trigger walk all of them again and again (measured: 55 ms answers taking 60-220 ms at
    2,000 / 10,000). Reference counting still frees what is dropped; the collector runs
    again as soon as the outermost such block ends, and is left alone where it was off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
