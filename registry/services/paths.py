"""Where does this data go: paths from collection to every recipient, assessed hop by hop.

The store finds the reachable subgraph (``Store.reach``); this module enumerates the
simple paths through it with networkx and assesses each hop with the shared transfer
rules, passing on the regimes that attached upstream, since they travel with the data.
"""

from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from ..domain.errors import ValidationError
from ..domain.model import Collection, SubjectGroup, category_matches
from ..transfers.assess import assess_hop
from ..transfers.knowledge import load_knowledge_base
from ..transfers.request import parse_hop_request

STATUS_ORDER = {"violation": 0, "action": 1, "unknown": 2, "ok": 3}
CONTROLLER_ROLES = ("controller", "joint-controller")


def worst(statuses):
    """The worst of ``statuses`` (violation > action > unknown > ok); ok when empty."""
    return min(statuses, key=STATUS_ORDER.__getitem__, default="ok")


@dataclass
class HopResult:
    """One engagement on a path, with the assessment of the data crossing it."""

    engagement: object
    exporter: object
    importer: object
    assessment: dict

    @property
    def status(self):
        return self.assessment["status"]

    def to_dict(self):
        e = self.engagement
        return {"engagement": e.key, "exporter": e.exporter, "importer": e.importer, "status": e.status,
                "importer_role": e.importer_role, "importer_country": self.importer.country if self.importer else None,
                "store_countries": e.store_countries, "access_countries": e.access_countries,
                "safeguards": e.safeguard_codes, "assessment": self.assessment}


@dataclass
class DataPath:
    """Subjects of one group → the collecting organisation → each hop in turn."""

    collection: object
    subject_group: object
    hops: list

    @property
    def status(self):
        return worst(h.status for h in self.hops)

    def to_dict(self):
        return {"collection": self.collection.key, "subject_group": self.subject_group.key,
                "organisations": [self.collection.organisation] + [h.engagement.importer for h in self.hops],
                "status": self.status, "hops": [h.to_dict() for h in self.hops]}


@dataclass
class PathAnswer:
    """The answer to one question; ``truncated`` says the path limit was reached."""

    category: str
    on: str
    include_planned: bool
    paths: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)
    subject_groups: dict = field(default_factory=dict)
    truncated: bool = False
    cycles: list = field(default_factory=list)

    def hops(self):
        """Each distinct (engagement, assessment) once, worst first."""
        seen, out = set(), []
        for path in self.paths:
            for hop in path.hops:
                marker = (hop.engagement.key, repr(hop.assessment))
                if marker not in seen:
                    seen.add(marker)
                    out.append(hop)
        return sorted(out, key=lambda h: (STATUS_ORDER[h.status], h.engagement.key))

    def to_dict(self):
        return {"category": self.category, "on": self.on, "include_planned": self.include_planned,
                "status": worst(p.status for p in self.paths), "truncated": self.truncated,
                "cycles": self.cycles, "paths": [p.to_dict() for p in self.paths]}


def _importer_role(engagement):
    return "controller" if engagement.importer_role in CONTROLLER_ROLES else "processor"


class _Assessor:
    """Assesses hops, memoising on everything the assessment depends on."""

    def __init__(self, store, category, on):
        self.on = on
        self.category = category
        self.categories = {c.key: c for c in store.list("category")}
        self.kb = load_knowledge_base()
        self.cache = {}

    def flags(self, carried):
        """(flags, keys) of what a hop carries of the asked category.

        A flow carrying an ancestor of the asked category carries the asked one; a flow
        carrying a descendant carries just that. Flags come from those keys, their
        descendants (carried along) and their ancestors (a part of special data is special).
        """
        keys = sorted({self.category if self.category == c or self.category.startswith(c + ".") else c
                       for c in carried if category_matches(c, self.category)})
        flags = set()
        for key, category in self.categories.items():
            if any(key == k or key.startswith(k + ".") or k.startswith(key + ".") for k in keys):
                flags.update(category.flags)
        return sorted(flags), keys

    def assess(self, engagement, exporter, importer, exporter_role, group, inherited):
        marker = (engagement.key, exporter_role, group.key, inherited)
        if marker not in self.cache:
            flags, keys = self.flags(engagement.categories)
            request = {
                "on": self.on,
                "exporter": {"country": exporter.country if exporter else None, "role": exporter_role,
                             "certifications": exporter.certifications if exporter else []},
                "importer": {"country": importer.country if importer else None,
                             "role": _importer_role(engagement),
                             "certifications": importer.certifications if importer else [],
                             "stores_in": engagement.store_countries or ([importer.country]
                                                                         if importer and importer.country else []),
                             "accesses_from": engagement.access_countries},
                "subjects": {"residence": group.residence, "citizenship": group.citizenship},
                "categories": keys, "flags": flags,
                "safeguards": engagement.safeguard_codes,
                "regimes": sorted(inherited),
            }
            if group.individuals is not None:
                request["individuals_per_year"] = group.individuals
            self.cache[marker] = assess_hop(parse_hop_request(request, date.fromisoformat(self.on)), self.kb).to_dict()
        return self.cache[marker]


def where_does_it_go(store, category, on=None, subject_groups=None, start=None, include_planned=False,
                     max_depth=6, max_paths=2000):
    """Every path along which ``category`` travels, each hop assessed as of ``on``.

    ``subject_groups`` narrows to those groups, ``start`` to paths from one organisation
    (which then needs no collection of its own: its subjects are unknown to the registry
    and assessed as such). Raises ValidationError for an unknown category or organisation.
    """
    on = on or date.today().isoformat()
    if store.find("category", category) is None:
        raise ValidationError(f"no data category with key {category!r}", field="category")
    if start and store.find("organisation", start) is None:
        raise ValidationError(f"no organisation with key {start!r}", field="organisation")
    reach = store.reach(category, on, start=start, subject_groups=subject_groups or None,
                        include_planned=include_planned, max_depth=max_depth)
    answer = PathAnswer(category=category, on=on, include_planned=include_planned,
                        organisations=dict(reach.organisations))
    graph = nx.MultiDiGraph()
    for e in reach.engagements:
        graph.add_edge(e.exporter, e.importer, key=e.key, engagement=e)
    answer.cycles = [c for c in nx.simple_cycles(graph)][:20] if graph.number_of_edges() else []
    groups = {g.key: g for g in store.list("subject_group")}
    answer.subject_groups = groups
    assessor = _Assessor(store, category, on)
    starts = reach.collections or ([_unrecorded_collection(start, category)] if start else [])
    for collection in starts:
        group = groups.get(collection.subject_group) or UNRECORDED_SUBJECTS
        if not _walk(answer, graph, assessor, collection, group, max_depth, max_paths):
            answer.truncated = True
            break
    answer.paths.sort(key=lambda p: (STATUS_ORDER[p.status], p.collection.key,
                                     [h.engagement.key for h in p.hops]))
    return answer


UNRECORDED_SUBJECTS = SubjectGroup(key="unrecorded", name="Subjects not recorded in the registry", kind="other")


def _unrecorded_collection(organisation, category):
    """A stand-in start for an organisation that collects nothing recorded itself."""
    return Collection(key=f"{organisation}-unrecorded", organisation=organisation,
                      subject_group=UNRECORDED_SUBJECTS.key, categories=[category],
                      description="paths from this organisation; its data subjects are not recorded")


def _walk(answer, graph, assessor, collection, group, max_depth, max_paths):
    """Depth-first over simple paths from the collection; False once max_paths is hit."""
    orgs = answer.organisations

    def step(org, role, inherited, hops, visited):
        nexts = [] if len(hops) >= max_depth or org not in graph else [
            data["engagement"] for _, target, data in graph.out_edges(org, data=True)
            if target not in visited and (not data["engagement"].subject_groups
                                          or group.key in data["engagement"].subject_groups)]
        if not nexts:
            if hops:
                if len(answer.paths) >= max_paths:
                    return False
                answer.paths.append(DataPath(collection, group, list(hops)))
            return True
        for e in sorted(nexts, key=lambda x: x.key):
            assessment = assessor.assess(e, orgs.get(e.exporter), orgs.get(e.importer), role, group, inherited)
            hop = HopResult(e, orgs.get(e.exporter), orgs.get(e.importer), assessment)
            onward = inherited | frozenset(assessment.get("regimes", []))
            if not step(e.importer, _importer_role(e), onward, hops + [hop], visited | {e.importer}):
                return False
        return True

    return step(collection.organisation, "controller", frozenset(), [], {collection.organisation})


def what_if(store, category, on=None, subject_groups=None, start=None, max_depth=6):
    """What planned engagements would change for ``category``.

    Returns (answer with planned engagements included, new findings, publishers): new
    findings are those of hops absent from the answer without planned engagements;
    publishers are the organisations upstream of a planned hop (its exporter included)
    that publish a sub-processor page and so must announce it.
    """
    baseline = where_does_it_go(store, category, on, subject_groups, start, False, max_depth)
    planned = where_does_it_go(store, category, on, subject_groups, start, True, max_depth)
    known = {(h.engagement.key, f["regime"], f["status"]) for h in baseline.hops()
             for f in h.assessment["findings"]}
    new = [(h, f) for h in planned.hops() for f in h.assessment["findings"]
           if (h.engagement.key, f["regime"], f["status"]) not in known]
    publishers = {}
    for path in planned.paths:
        for index, hop in enumerate(path.hops):
            if hop.engagement.status != "planned":
                continue
            upstream = [path.collection.organisation] + [h.engagement.importer for h in path.hops[:index]]
            for key in upstream:
                org = planned.organisations.get(key)
                if org is not None and org.publisher:
                    publishers.setdefault(key, set()).add(hop.engagement.key)
    return planned, new, {k: sorted(v) for k, v in sorted(publishers.items())}
