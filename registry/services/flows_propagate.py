"""Propagating a flow: every subject group at once, to a fixed point (``propagate``).

The steps, each over the engagements that may carry the flow: number the starts' groups
and what they bring (``_seed``); find the nodes breadth first, level by level, which gives
every state its distance and a depth bound its cut (``_search``); lay the legs (``_lay_legs``);
spread who holds the data as controller and where it was collected (``_spread_holders``);
then the regimes attached upstream, which need each leg's own assessment per class of
groups, and last each class's status (``_assess``). ``flows`` describes the model.
"""

from ..domain.findings import STATUS_ORDER, STATUSES
from ..domain.model import Engagement
from .flows import Flow, Leg, Start
from .flows_assess import UNRECORDED, Assessor, importer_role
from .flows_bits import Lanes, bits_of, refine, spread


def propagate(engagements: list[Engagement], organisations: dict, groups: dict, starts: list[Start],
              assessor: Assessor, max_depth: int | None = None) -> Flow:
    """Propagate ``starts`` along ``engagements`` to a fixed point; see the module doc.

    ``engagements`` are those that may carry the flow (in force, carrying the category or
    recording none); an engagement naming subject groups is followed only in contexts of
    one of them (or of unrecorded subjects, which might be any). With ``max_depth``,
    states that far from a start are not expanded and ``Flow.cut`` names the engagements
    that would have been followed.
    """
    flow = Flow(assessor)
    held, where, attached = _seed(flow, starts, organisations, groups, assessor.kb.ids)
    outgoing = _outgoing(flow, engagements, organisations)
    _search(flow, outgoing, max_depth)
    _lay_legs(flow, outgoing)
    _spread_holders(flow, held, where)
    _assess(flow, attached)
    return flow


def _seed(flow: Flow, starts: list[Start], organisations: dict, groups: dict,
          laws: tuple) -> tuple[dict, dict, dict]:
    """Number the starts' groups (as ``groups`` has them) and nodes, and ``laws`` (every regime) as
    lanes; the (controllers, collected, regimes) lanes the starts bring."""
    for start in starts:
        if start.group.key not in flow.bit:
            flow.bit[start.group.key] = len(flow.keys)
            flow.keys.append(start.group.key)
            flow.groups.append(groups.get(start.group.key, UNRECORDED))
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
        bit = 1 << flow.bit[start.group.key]
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
    n = flow.node.get((organisation, role))
    if n is None:
        n = flow.node[(organisation, role)] = len(flow.nodes)
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
            carries = unrecorded | sum(1 << flow.bit[k] for k in set(e.subject_groups) if k in flow.bit)
        onward = importer_role(e)
        outgoing.setdefault(e.exporter, []).append(
            (e, onward, carries, organisations.get(e.exporter), organisations.get(e.importer), order,
             (e.importer, onward)))
    return outgoing


def _search(flow: Flow, outgoing: dict, max_depth: int | None) -> None:
    """Breadth first, all groups at once: each state's distance; what a depth bound cuts."""
    frontier = {n: levels[0] for n, levels in enumerate(flow.levels) if levels.get(0)}
    reach, nodes, number, depth = flow.reach, flow.nodes, flow.node, 0
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
            for e, onward, carries, exporter, importer, order, towards in outgoing.get(organisation, ()):
                crossing = followed & carries
                if crossing:
                    flow.out[n].append(Leg(n, flow.node[towards], e, exporter, importer, onward, order, crossing))


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
    (``HopBase.own``): those depend on the exporter's seat and the subjects only (and so
    are the same for every leg leaving a node), per class of groups (``_own_lanes``); the
    status is taken once per class, with the final regimes.
    """
    laws = flow.laws
    regimes = [attached.get(n, 0) for n in range(len(flow.nodes))]
    classes_at: list[list] = [[] for _ in flow.nodes]  # per node: ``_classes``
    for n, legs in enumerate(flow.out):
        if not legs:
            continue
        classes = classes_at[n] = _classes(flow, n)
        own = _own_lanes(flow, n, legs[0], classes)
        if own:
            for leg in legs:
                regimes[leg.target] |= own & laws.repeat(leg.mask)
    spread(regimes, [[(leg.target, laws.repeat(leg.mask)) for leg in legs] for legs in flow.out])
    flow.regimes = regimes
    _statuses(flow, classes_at)


def _own_lanes(flow: Flow, n: int, leg: Leg, classes: list) -> int:
    """The regimes that the legs leaving node ``n`` attach by their own facts, as lanes of the
    groups of ``classes`` (``HopBase.own`` reads only the exporter's seat and the subjects:
    ``leg``, any leg leaving the node, stands for them all)."""
    assessor, laws, width = flow.assessing, flow.laws, flow.laws.width
    facts, role = assessor.facts(leg.engagement, leg.exporter, leg.importer), flow.nodes[n][1]
    lanes = 0
    for groups, _items, subjects, collected, group in classes:
        base = assessor.base_of(facts, role, group, subjects, collected)
        own = base.lanes.get(width)
        if own is None:  # lanes are numbered alike in every flow: kept on the (memoised) base
            own = base.lanes[width] = sum(laws.put(law, 1) for law in base.own)
        lanes |= groups * own
    return lanes


def _classes(flow: Flow, n: int) -> list[list]:
    """The groups followed from node ``n`` in classes alike for the rules: [groups, items, subject
    facts, collected (``Assessor.collected``), a group of them]."""
    assessor, places = flow.assessing, flow.places
    readers = assessor.readers()
    followed = flow.expanded[n]
    signs, sign = flow.signs, 0  # what collected_in_signature reads, as lanes (the equivalence test checks it)
    for slot, mask in places.lanes(flow.collected[n]):
        sign |= signs.put(-1, mask)
        for i in flow.reading[slot]:
            sign |= signs.put(i, mask)
    out = []
    for entry in refine([[followed & m, [], number] for number, m in flow.alike if followed & m], signs, sign):
        groups, items = entry[0], entry[1]
        g = (groups & -groups).bit_length() - 1
        signature = tuple(i in items for i in range(len(readers))) if -1 in items else ()
        collected = assessor.stand_in(signature, lambda: flow.places.of(flow.collected[n], g))
        out.append([groups, items, flow.subjects[g], collected, flow.groups[g]])
    return out


def _statuses(flow: Flow, classes_at: list) -> None:
    """Each leg's classes: its groups split by the regimes they inherit, with their status."""
    assessor, laws, rank = flow.assessing, flow.laws, STATUS_ORDER
    status, base_of = assessor.status, assessor.base_of
    interned: dict[tuple, frozenset] = {}
    total, taken = 0, 0
    by_rank: list[list[Leg]] = [[] for _ in STATUSES]
    for n, legs in enumerate(flow.out):
        if not legs:
            continue
        classes, role = classes_at[n], flow.nodes[n][1]
        split: dict[int, list] = {}
        for groups, inherited, i in refine([[c[0], [], i] for i, c in enumerate(classes)], laws, flow.regimes[n]):
            marker = tuple(sorted(inherited))
            kept = interned.get(marker)
            if kept is None:
                kept = interned[marker] = frozenset(marker)
            split.setdefault(i, []).append((groups, kept))
        for leg in legs:
            facts = assessor.facts(leg.engagement, leg.exporter, leg.importer)
            ranks = 0
            for i, (groups_of_class, _items, subjects, collected, group) in enumerate(classes):
                crossing = groups_of_class & leg.mask
                if not crossing:
                    continue
                base = base_of(facts, role, group, subjects, collected)
                for groups, inherited in split[i]:
                    mask = groups & crossing
                    if mask:
                        found_status = status(base, inherited)
                        leg.classes.append([mask, base, inherited, found_status])
                        total += mask.bit_count()
                        taken += 1
                        ranks |= 1 << rank[found_status]
            for r in bits_of(ranks):
                by_rank[r].append(leg)
    flow.total, flow.assessments, flow.by_rank = total, taken, by_rank
    flow.worst_rank = next((r for r, legs in enumerate(by_rank) if legs), rank["ok"])
