"""Flows: the hop contexts a category of data reaches, as a fixed point (``flows_propagate`` computes it).

A *state* is an organisation holding the data of one subject group in one role
(controller or processor); a *hop* is an engagement leaving a state, identified by
(engagement, subject group, exporter's role). What else reaches a state is a set that
only grows along the hops:

- the regimes attached upstream, on any route into the state: the engagement leaving it
  carries the data of every route, so every law attached to any of it applies to the hop;
- the organisations holding the data as controller (the collector, or an importer acting
  as controller): a hop *returns the data to its controller* when its importer is among
  its exporter state's;
- the countries where the data was collected (the collecting organisations' seats): an
  EU processor returning data to its controller owes a TIA only if some of it was
  collected in the EU (``collected_in`` of the assessment).

Every subject group is kept at once (``flows_bits``): a *node* is an organisation in a
role, and what reaches it is an integer with a bit per group, or a lane of such bits per
regime, controller or country; a *leg* is an engagement leaving a node, with the groups
crossing it in classes that agree on everything their assessment reads, each with its
status. ``Flow`` reads that back: hop objects are made only when asked for (the first
page, ``Flow.head``, or all of them, ``Flow.hops``), and the number of shortest routes to
each state (``Hop.paths``) is counted for all groups at once, in lanes wide enough for
the largest count, when first needed. No path is ever enumerated.
"""

import gc
import heapq
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..domain.findings import STATUS_ORDER, STATUSES
from ..domain.model import Collection, Engagement, Organisation, SubjectGroup
from .flows_assess import Assessor, HopBase
from .flows_bits import Lanes, bits_of

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


def hop_order(hop: Hop) -> tuple:
    """Worst first, then by engagement, group and exporter's role (``Flow.head`` lists hops so).

    That is a total order: a flow has one hop per (engagement, group, exporter's role).
    """
    return STATUS_ORDER[hop.status], hop.engagement.key, hop.group.key, hop.exporter_role


@dataclass(eq=False, slots=True)
class Leg:
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

    def __init__(self, assessor: Assessor | None = None) -> None:
        self.assessor = assessor
        self.groups: list[SubjectGroup] = []  # bit g stands for groups[g]
        self.subjects: list[tuple] = []  # per group: its subjects' facts (``Assessor.subject_facts``)
        self.alike: list[tuple[int, int]] = []  # (subjects' id, groups the rules read alike)
        self.keys: list[str] = []
        self.bit: dict[str, int] = {}  # group key -> its bit
        self.nodes: list[tuple[str, str]] = []  # (organisation, role)
        self.node: dict[tuple[str, str], int] = {}  # (organisation, role) -> its number
        self.reach: list[int] = []  # per node: the groups reaching it
        self.expanded: list[int] = []  # per node: those followed on (all but a depth bound's last)
        self.levels: list[dict[int, int]] = []  # per node: distance -> the groups first reaching it there
        self.frontiers: list[list[tuple[int, int]]] = []  # per distance: (node, groups first there)
        self.out: list[list[Leg]] = []
        self.starts: dict = {}
        self.cut: set = set()
        self.assessments = 0
        self.total = 0  # hops: (engagement, group, exporter's role)
        self.holders = self.places = self.laws = self.signs = Lanes(1)
        self.reading: list[tuple[int, ...]] = []  # per country lane: the collection readers it is in
        self.controllers: list[int] = []  # per node, lanes per organisation holding the data as controller
        self.collected: list[int] = []  # per node, lanes per country the data was collected in
        self.regimes: list[int] = []  # per node, lanes per regime attached upstream
        self.worst_rank = STATUS_ORDER["ok"]
        self.by_rank: list[list[Leg]] = [[] for _ in STATUSES]  # per status: the legs with hops of it
        self._counts: tuple[int, list[int]] | None = None
        self._into: list[list[Leg]] | None = None
        self._hops: dict | None = None
        self._where: dict[tuple[int, int], frozenset] = {}  # state -> countries collected in (``_collected_in``)
        self._places_sets: dict[tuple, frozenset] = {}

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
        return STATUSES[self.worst_rank]

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
        """The first ``count`` hops in ``hop_order``, made without making the others."""
        out: list[Hop] = []
        for rank, legs in enumerate(self.by_rank):
            if len(out) >= count:
                break
            if not legs:
                continue
            status = STATUSES[rank]
            picked = heapq.nsmallest(count - len(out), legs, key=lambda leg: leg.order)
            last = picked[-1].order  # a leg per exporter's role: take each of the last engagement's
            alike: dict[int, list[Leg]] = {}
            for leg in legs:
                if leg.order <= last:
                    alike.setdefault(leg.order, []).append(leg)
            for order in sorted(alike):
                members: list[tuple] = [(self.keys[g], self.nodes[leg.source][1], g, leg, entry)
                                        for leg in alike[order] for entry in leg.classes if entry[3] == status
                                        for g in bits_of(entry[0])]
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
        for legs in self.out:
            for leg in legs:
                n, returning = leg.source, self._returning(leg)
                role = self.nodes[n][1]
                for mask, base, regimes, _status in leg.classes:
                    yield leg.engagement, role, base, regimes, [
                        (self.keys[g], bool(returning >> g & 1), self._collected_in(n, g), self.paths(n, g))
                        for g in bits_of(mask)]

    def contexts_at(self, organisation: str) -> list[State]:
        """Every state of ``organisation`` (each context the data reaches it in)."""
        found: list[State] = []
        for role in ROLES:
            n = self.node.get((organisation, role))
            if n is not None:
                found.extend((organisation, self.keys[g], role) for g in bits_of(self.reach[n]))
        return found

    def context(self, state: State) -> tuple[frozenset, frozenset, frozenset]:
        """(regimes attached upstream, controllers, countries collected in) of a state reached."""
        organisation, key, role = state
        n, g = self.node[(organisation, role)], self.bit[key]
        return (frozenset(self.laws.of(self.regimes[n], g)), frozenset(self.holders.of(self.controllers[n], g)),
                self._collected_in(n, g))

    def example_path(self, hop: Hop) -> tuple[Start | None, list[Hop]]:
        """(start, hops) of one shortest route from a start to ``hop`` (``hop`` last).

        Back from each state, the route takes the engagement first in key order among
        those reaching it from one step nearer a start.
        """
        chain = [hop]
        organisation, key, role = hop.via
        g, n = self.bit[key], self.node[(organisation, role)]
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

    def _hop(self, leg: Leg, entry: list, g: int) -> Hop:
        organisation, role = self.nodes[leg.source]
        key = self.keys[g]
        e = leg.engagement
        return Hop(e, leg.exporter, leg.importer, self.groups[g], role, self._level(leg.source, g) + 1,
                   (organisation, key, role), (e.importer, key, leg.onward), entry[2], self.paths(leg.source, g),
                   bool(self._returning(leg) >> g & 1), self._collected_in(leg.source, g), entry[3], entry[1],
                   self.assessor)

    def _returning(self, leg: Leg) -> int:
        """The groups whose data ``leg`` returns to a controller of it (its importer holds it as one)."""
        slot = self.holders.number.get(leg.engagement.importer)
        return 0 if slot is None else self.holders.lane(self.controllers[leg.source], slot)

    def _collected_in(self, n: int, g: int) -> frozenset:
        """The countries where the data of state (node ``n``, group ``g``) was collected, one object per set."""
        found = self._where.get((n, g))
        if found is None:
            marker = tuple(self.places.of(self.collected[n], g))
            found = self._where[(n, g)] = self._places_sets.setdefault(marker, frozenset(marker))
        return found

    def _level(self, n: int, g: int) -> int:
        for level, groups in self.levels[n].items():
            if groups >> g & 1:
                return level
        raise KeyError((self.nodes[n], self.keys[g]))

    def _legs_into(self) -> list[list[Leg]]:
        if self._into is None:
            into: list[list[Leg]] = [[] for _ in self.nodes]
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


@contextmanager
def without_collector_pauses() -> Iterator[None]:
    """Hold Python's cycle collector off while flows are built and read (``where_does_it_go``, the survey).

    A flow makes hundreds of thousands of objects, none of them garbage, while the
    process keeps millions of memoised ones: the collections that many allocations
    trigger walk them again and again (measured: 55 ms answers taking 60-220 ms at
    2,000 / 10,000). When the outermost such block ends, what it made goes straight to
    the oldest generation, unscanned (``_promote``): the young collection that would
    otherwise follow walked every one of them once more (110-160 ms after each answer
    at 5,000 / 50,000). Reference counting still frees what is dropped; a cycle among
    them waits for the next full collection, which the interpreter runs on its own
    schedule. Where the collector was off, it is left alone.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _promote()
        gc.enable()


def _promote() -> None:
    """Move every object the collector tracks to its oldest generation without scanning any.

    ``gc.freeze`` moves them all to the permanent generation and ``gc.unfreeze`` moves that
    to the oldest one, both in constant time. Skipped where something else froze objects
    (a pre-forking server does, to share memory with its workers): unfreezing would undo it.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
