"""Where does this data go: every hop context a category reaches, assessed, with paths as a view.

The store finds the engagements that can carry the flow (``Store.reach``); ``flows``
propagates contexts along them to a fixed point and assesses each distinct hop context
once. The answer lists hops (engagement x context) worst first, with a count of the
shortest routes through each, one example path per hop on request, and the flows between
organisations for the chart. It is complete whatever page of it is shown; a depth bound
is applied only when the caller sets one, and the answer then names what it cut.
"""

from dataclasses import dataclass, field
from datetime import date

from .. import clock
from ..domain.errors import ValidationError
from ..domain.findings import DEFAULT_MAX_DEPTH, worst
from .flows import Flow, Hop, Start, hop_order, without_collector_pauses
from .flows_assess import UNRECORDED, Assessor
from .flows_propagate import propagate

MAX_LIMIT = 1000  # hops per page
MAX_DEPTH_BOUND = 1000  # a bound beyond any real chain; a larger one is surely a typo


def check_page(limit, offset) -> tuple[int | None, int]:
    """(limit, offset) as numbers; ValidationError naming ``limit`` or ``offset`` when out of range.

    ``limit`` None means every hop; otherwise 1 to MAX_LIMIT. ``offset`` is 0 or more.
    """
    def number(value, name):
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{name} must be a whole number", field=name) from None

    limit, offset = number(limit, "limit"), number(offset, "offset") or 0
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be 1 to {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise ValidationError("offset must be 0 or more", field="offset")
    return limit, offset


def check_depth(value) -> int | None:
    """A depth bound as a number (None: no bound); ValidationError naming ``depth`` when out of range."""
    if value is None or value == "":
        return None
    try:
        depth = int(value)
    except (TypeError, ValueError):
        raise ValidationError("depth must be a whole number of hops", field="depth") from None
    if not 1 <= depth <= MAX_DEPTH_BOUND:
        raise ValidationError(f"depth must be 1 to {MAX_DEPTH_BOUND} hops, or none for no bound", field="depth")
    return depth


def check_date(value, name="on") -> str:
    """``value`` as an ISO date (today when empty); ValidationError naming ``name`` otherwise."""
    if value in (None, ""):
        return clock.today_iso()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ValidationError(f"{name} must be a date as YYYY-MM-DD", field=name) from None


HEAD = 2000  # pages ending within this many hops come from the head of the order, picked once


@dataclass
class FlowAnswer:
    """The answer to one question: every hop context, worst first (``hops``).

    ``starts`` are where the flow begins (collections, the contexts recorded reaching a
    mid-chain organisation, or unrecorded subjects); ``cut`` names the engagements a
    caller's depth bound kept from being followed (empty: the answer is complete).
    """

    category: str
    on: str
    include_planned: bool
    start: str | None = None
    max_depth: int | None = None
    starts: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)
    subject_groups: dict = field(default_factory=dict)
    cut: list = field(default_factory=list)
    flow: Flow = field(default_factory=Flow, repr=False)
    _sorted: list | None = field(default=None, repr=False)
    _head: tuple | None = field(default=None, repr=False)  # (hops asked for, the first of them)
    _edge_flows: list | None = field(default=None, repr=False)

    @property
    def hops(self) -> list[Hop]:
        """Every hop context, worst first (sorted when first asked for)."""
        if self._sorted is None:
            self._sorted = sorted(self.flow.hops.values(), key=hop_order)
        return self._sorted

    @property
    def status(self) -> str:
        """The worst status of any hop."""
        return self.flow.status

    @property
    def total(self) -> int:
        return self.flow.total

    @property
    def complete(self) -> bool:
        return not self.cut

    def page(self, limit=None, offset=0) -> list[Hop]:
        """Hops ``offset`` to ``offset + limit`` (all from ``offset`` when ``limit`` is None)."""
        if limit is None:
            return self.hops[offset:]
        wanted = offset + limit
        if self._sorted is None and wanted <= HEAD:  # near pages need only the head of the order
            asked, head = self._head or (0, [])
            if asked < wanted:  # two threads may both pick it: the same hops
                asked = min(HEAD, max(wanted, 2 * asked))
                head = self.flow.head(asked)
                self._head = (asked, head)
            return head[offset:wanted]
        return self.hops[offset:offset + limit]

    def example_path(self, hop: Hop) -> dict:
        """One shortest path from a start to ``hop``: subjects, organisations, engagements."""
        start, chain = self.flow.example_path(hop)
        first = chain[0].engagement.exporter
        return {"subject_group": hop.group.key,
                "collection": start.collection.key if start and start.collection else None,
                "organisations": [first] + [h.engagement.importer for h in chain],
                "engagements": [h.engagement.key for h in chain]}

    def edge_flows(self) -> list[dict]:
        """The hops aggregated per (exporter, importer, tier, planned): what the chart draws.

        ``tier`` is the shortest distance of the exporter from a start, so a loop is drawn
        forward and the chart stays acyclic; ``contexts`` counts hop contexts, ``paths``
        the shortest routes, ``status`` is the worst finding among them. Made when first
        asked for (0.9 s at 5,000 / 50,000) and kept with the answer: read it, never change it.
        """
        if self._edge_flows is None:
            self._edge_flows = self._aggregate_edges()
        return self._edge_flows

    def _aggregate_edges(self) -> list[dict]:
        flows: dict[tuple, dict] = {}
        for e, importer, tier, contexts, routes, statuses in self.flow.crossings():
            marker = (e.exporter, e.importer, tier, e.status == "planned")
            entry = flows.setdefault(marker, {"exporter": e.exporter, "importer": e.importer,
                                              "tier": tier, "planned": e.status == "planned",
                                              "contexts": 0, "paths": 0, "statuses": set(), "places": set()})
            entry["contexts"] += contexts
            entry["paths"] += routes
            entry["statuses"].update(statuses)
            entry["places"].update(e.store_countries or ([importer.country] if importer and
                                                         importer.country else [None]))
        out = []
        for entry in flows.values():
            statuses = entry.pop("statuses")
            entry["status"] = worst(statuses)
            entry["places"] = sorted(entry["places"], key=lambda p: (p is None, p or ""))
            out.append(entry)
        return sorted(out, key=lambda f: (f["tier"], f["exporter"], f["importer"], f["planned"]))

    def start_flows(self) -> list[dict]:
        """(subject group, organisation) of every start: where the chart's flows begin."""
        seen: dict[tuple, Start] = {}
        for start in self.starts:
            seen.setdefault((start.group.key, start.organisation), start)
        return [{"subject_group": g, "organisation": o, "group_name": s.group.name,
                 "recorded": s.collection is not None} for (g, o), s in sorted(seen.items())]

    def to_dict(self, limit=None, offset=0, examples=False) -> dict:
        """The JSON answer: the page of hops asked for, with the total and what was cut."""
        page = self.page(limit, offset)
        body = {"category": self.category, "on": self.on, "include_planned": self.include_planned,
                "start": self.start, "max_depth": self.max_depth, "status": self.status,
                "total": self.total, "limit": limit, "offset": offset, "complete": self.complete,
                "cut": {"engagements": self.cut, "count": len(self.cut)},
                "starts": [{"organisation": s.organisation, "subject_group": s.group.key, "role": s.role,
                            "regimes": sorted(s.regimes),
                            "collection": s.collection.key if s.collection else None} for s in self.starts],
                "hops": [h.to_dict() for h in page]}
        if examples:
            body["examples"] = {h.key: self.example_path(h) for h in page}
        return body


class _Question:
    """What one question reads once: categories, subject groups, the assessor."""

    def __init__(self, store, category, on, subject_groups, include_planned):
        self.store, self.category, self.on = store, category, on
        self.subject_groups, self.include_planned = subject_groups, include_planned
        self.groups = {g.key: g for g in store.list("subject_group")}
        self.assessor = Assessor(store.list("category"), category, on)

    def reach(self, start=None, max_depth=None):
        return self.store.reach(self.category, self.on, start=start, subject_groups=self.subject_groups,
                                include_planned=self.include_planned, max_depth=max_depth)

    def collection_starts(self, collections) -> list[Start]:
        starts = []
        for c in collections:
            role = getattr(c, "role", "controller") or "controller"
            starts.append(Start(c.organisation, self.groups.get(c.subject_group, UNRECORDED), role,
                                controllers=frozenset({c.organisation} if role == "controller" else ()),
                                collection=c))
        return starts

    def unrecorded_starts(self, organisation) -> list[Start]:
        """Starts for an organisation nothing recorded reaches: the asked groups, or unknown subjects."""
        groups = [self.groups[g] for g in self.subject_groups or ()] or [UNRECORDED]
        return [Start(organisation, g, "controller", controllers=frozenset({organisation})) for g in groups]

    def inbound_start(self, flow: Flow, state) -> Start:
        """A start at a mid-chain organisation from a state the recorded flow reaches it in."""
        org, group_key, role = state
        origin = flow.starts.get(state)
        regimes, controllers, collected_in = flow.context(state)
        return Start(org, self.groups.get(group_key, UNRECORDED), role, regimes, controllers,
                     origin.collection if origin else None, collected_in)

    def propagate(self, reach, starts, max_depth=None) -> Flow:
        return propagate(reach.engagements, reach.organisations, self.groups, starts, self.assessor, max_depth)


def _check_question(store, category, start, subject_groups):
    if not category or store.find("category", category) is None:
        raise ValidationError(f"no data category with key {category!r}", field="category")
    if start and store.find("organisation", start) is None:
        raise ValidationError(f"no organisation with key {start!r}", field="organisation")
    for key in subject_groups or ():
        if store.find("subject_group", key) is None:
            raise ValidationError(f"no data subject group with key {key!r}", field="subject_group")


def where_does_it_go(store, category, on=None, subject_groups=None, start=None, include_planned=False,
                     max_depth=DEFAULT_MAX_DEPTH) -> FlowAnswer:
    """Every hop context ``category`` reaches, each assessed as of ``on`` (today when None).

    ``subject_groups`` narrows to those groups. ``start`` asks from one organisation: the
    flow starts from the contexts the registry records reaching it (its own collections
    and its inbound flows, with the law attached upstream); when nothing is recorded,
    from the asked groups, or else from unrecorded subjects, whose hops say ``unknown``.
    ``max_depth`` (None: no bound) bounds the hops from a start; the answer names what it
    cut. Raises ValidationError naming the field for an unknown category, organisation or
    group, a bad date or a bad bound.
    """
    on = check_date(on)
    max_depth = check_depth(max_depth)
    subject_groups = sorted(set(subject_groups)) if subject_groups else None
    _check_question(store, category, start, subject_groups)
    with without_collector_pauses():
        return _answer(_Question(store, category, on, subject_groups, include_planned), start, max_depth)


def _answer(question: "_Question", start: str | None, max_depth: int | None) -> FlowAnswer:
    """The question's answer, from its collections or from ``start`` (see ``where_does_it_go``)."""
    if start is None:
        reach = question.reach(max_depth=max_depth)
        starts = question.collection_starts(reach.collections)
        flow = question.propagate(reach, starts, max_depth)
    else:
        upstream = question.reach()
        towards = _towards(upstream.engagements, start)  # only routes into start matter upstream
        feeding = {start} | {e.exporter for e in towards}
        recorded = propagate(towards, upstream.organisations, question.groups,
                             question.collection_starts([c for c in upstream.collections
                                                         if c.organisation in feeding]),
                             question.assessor)
        starts = [question.inbound_start(recorded, state) for state in recorded.contexts_at(start)]
        if start in upstream.organisations and starts:
            reach = upstream  # everything downstream of start is in the upstream reach already
        else:
            reach = question.reach(start=start)
            starts = starts or question.unrecorded_starts(start)
        flow = question.propagate(reach, starts, max_depth)
    answer = FlowAnswer(category=question.category, on=question.on, include_planned=question.include_planned,
                        start=start, max_depth=max_depth, starts=starts, organisations=dict(reach.organisations),
                        subject_groups=question.groups, flow=flow)
    answer.cut = sorted(flow.cut | set(reach.cut))  # the store's bound, or the flow's on a deeper context
    return answer


def _towards(engagements, target):
    """The engagements on some route into ``target``: both ends among the organisations that reach it."""
    into = {}
    for e in engagements:
        into.setdefault(e.importer, []).append(e)
    reaching, todo = {target}, [target]
    while todo:
        for e in into.get(todo.pop(), ()):
            if e.exporter not in reaching:
                reaching.add(e.exporter)
                todo.append(e.exporter)
    return [e for e in engagements if e.exporter in reaching and e.importer in reaching]


def what_if(store, category, on=None, subject_groups=None, start=None, max_depth=DEFAULT_MAX_DEPTH):
    """What planned engagements would change for ``category``.

    Returns (answer with planned engagements included, new findings, publishers). New
    findings are (hop, finding) of findings absent without planned engagements, one per
    (engagement, regime, rule, status). Publishers maps each organisation that publishes a
    sub-processor page and lies upstream of a planned hop (its exporter included) to the
    planned engagements it must still announce: one announced on or before ``on`` is
    inside its notice period already and is not named again.
    """
    baseline = where_does_it_go(store, category, on, subject_groups, start, False, max_depth)
    planned = where_does_it_go(store, category, on, subject_groups, start, True, max_depth)
    known = {(h.engagement.key, f["regime"], f.get("rule"), f["status"]) for h in baseline.hops
             for f in h.assessment["findings"]}
    new, seen = [], set()
    for hop in planned.hops:
        for finding in hop.assessment["findings"]:
            marker = (hop.engagement.key, finding["regime"], finding.get("rule"), finding["status"])
            if marker not in known and marker not in seen:
                seen.add(marker)
                new.append((hop, finding))
    upstream_of = _upstream(planned.hops)
    publishers = {}
    for hop in planned.hops:
        e = hop.engagement
        if e.status != "planned" or (e.announced_date and e.announced_date <= planned.on):
            continue
        for key in upstream_of(e.exporter):
            org = planned.organisations.get(key)
            if org is not None and org.publisher:
                publishers.setdefault(key, set()).add(e.key)
    return planned, new, {k: sorted(v) for k, v in sorted(publishers.items())}


def _upstream(hops):
    """A function: organisation -> itself and every organisation whose data the hops bring to it."""
    into = {}
    for hop in hops:
        into.setdefault(hop.engagement.importer, set()).add(hop.engagement.exporter)
    memo = {}

    def upstream(org):
        if org not in memo:
            seen, todo = {org}, [org]
            while todo:
                for previous in into.get(todo.pop(), ()):
                    if previous not in seen:
                        seen.add(previous)
                        todo.append(previous)
            memo[org] = seen
        return memo[org]

    return upstream
