"""Every finding that needs attention, across the whole registry, in one pass.

``survey`` reads the registry once (engagements, organisations, collections, groups,
categories), asks one flow question per root category (propagated in memory, no store
query per question) and groups what it finds by engagement: each engagement's worst
finding per regime and rule, with the hop contexts that cause it. Engagements no
recorded flow reaches are assessed from their exporter with the subjects unrecorded, up to
where they join the recorded flows; engagements that record no category are assessed
too, and say ``unknown``.
"""

import csv
import io
import itertools
from dataclasses import dataclass, field

from ..domain.errors import ValidationError
from ..domain.findings import STATUS_ORDER, worst
from ..domain.model import Engagement, category_matches
from ..transfers.knowledge import load_knowledge_base
from .flows import Flow, Start, without_collector_pauses
from .flows_assess import UNRECORDED, Assessor
from .flows_propagate import propagate
from .flows_cache import cached
from .paths import check_date


@dataclass(slots=True)  # a survey holds hundreds of thousands: no dict per group
class FindingGroup:
    """One finding of one engagement (worst per regime and rule), and the contexts that cause it.

    The contexts are kept compactly: ``sources`` are non-empty lists of ``_Context`` tuples
    (each with its shortest routes last) in first-seen order, each list shared by every finding of the contexts
    in it (a survey holds millions of contexts and each has several findings, so they are
    never copied per finding). The contexts of one source come from one question, so they
    share their category. No context is in two sources: within one engagement a flow has one
    hop per group and role, and questions differ in category. ``contexts`` gives them as dicts.
    """

    finding: dict
    sources: list = field(default_factory=list)  # [[_Context]], shared, never changed
    rank: int = field(init=False)  # of its status in STATUS_ORDER

    def __post_init__(self) -> None:
        self.rank = STATUS_ORDER[self.finding["status"]]

    @property
    def status(self) -> str:
        return self.finding["status"]

    @property
    def count(self) -> int:
        return sum(len(source) for source in self.sources)

    def every(self):
        """Every ``_Context``, in first-seen order."""
        return itertools.chain.from_iterable(self.sources)

    def categories(self) -> list:
        """The category of each source (None: an engagement recording none), in source order."""
        return [source[0][0] for source in self.sources]  # a source's contexts share their category

    @property
    def contexts(self) -> list[dict]:
        """Each context as a dict: category, subject_group, exporter_role, regimes, returning, collected_in, paths."""
        return self.sample(None)

    def routes(self) -> int:
        """The shortest routes through all its contexts."""
        return sum(c[6] or 0 for source in self.sources for c in source)

    def subject_groups(self) -> set[str]:
        return {c[1] for source in self.sources for c in source}

    def sample(self, most: int | None) -> list[dict]:
        """The first ``most`` contexts (all when None), as ``contexts`` gives them."""
        return [{"category": c[0], "subject_group": c[1], "exporter_role": c[2], "regimes": sorted(c[3]),
                 "returning": c[4], "collected_in": sorted(c[5]), "paths": c[6]}
                for c in itertools.islice(self.every(), most)]


# (category, subject group key, exporter's role, regimes, returning, collected_in, shortest routes):
# one hop context, as flat as can be (a survey at 50,000 engagements holds 1.9 million of them)
_Context = tuple


@dataclass
class EngagementGaps:
    """An engagement's findings that need attention, worst first, and its worst status."""

    engagement: Engagement
    findings: list = field(default_factory=list)
    status: str = field(init=False)  # taken once: pages count a survey's 50,000 rows by status

    def __post_init__(self) -> None:
        self.status = worst(g.status for g in self.findings)

    @property
    def key(self) -> str:
        return self.engagement.key

    def regimes(self) -> set:
        return {g.finding["regime"] for g in self.findings}

    def categories(self) -> set:
        return {c["category"] for g in self.findings for c in g.contexts}


@dataclass(frozen=True)
class Gap:
    """One non-ok finding on one engagement (the worst over the contexts reaching it)."""

    engagement: str
    exporter: str
    importer: str
    finding: dict


def _roots(keys):
    """Drop keys whose ancestor is also present: a question about the ancestor covers them."""
    keys = sorted(set(keys))
    return [k for k in keys if not any(k.startswith(other + ".") for other in keys)]


@dataclass
class Survey:
    """The registry's findings by engagement (``by_engagement``), and what was read to get them."""

    on: str
    include_planned: bool
    by_engagement: dict = field(default_factory=dict)  # engagement key -> {(regime, rule): FindingGroup}
    engagements: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    downstream: dict = field(default_factory=dict)  # organisation -> organisations its data reaches

    def absorb(self, hops, category, prepared: dict | None = None):
        """Fold ``hops`` (of the question about ``category``) into the findings by engagement.

        ``prepared``: a dict the caller keeps for several calls of one survey, so that each
        list of findings parts is prepared once (it holds them, keyed by identity).

        Hops of one engagement that share their findings' parts (``Hop.parts``) are folded
        together: their contexts gathered in one list, which each of those findings' groups
        then refers to (``FindingGroup.sources``).
        """
        self._gather(((hop.engagement, hop.parts(), [(category, hop.group.key, hop.exporter_role, hop.regimes,
                                                      hop.returning, hop.collected_in, hop.paths)])
                      for hop in hops), {} if prepared is None else prepared)

    def absorb_flow(self, flow: Flow, category, prepared: dict) -> set[str]:
        """``absorb`` every hop of ``flow``, read class by class (``Flow.classes``) without making the
        hops; the keys of the engagements it crosses."""
        parts_of = flow.assessing.parts
        return self._gather(((e, parts_of(base, regimes), [(category, key, role, regimes, returning, where, paths)
                                                           for key, returning, where, paths in members])
                             for e, role, base, regimes, members in flow.classes()), prepared)

    def _gather(self, pieces, prepared: dict) -> set[str]:
        """Fold (engagement, findings parts, [_Context]) pieces in (see ``absorb``); the engagement keys."""
        alike: dict[tuple, tuple] = {}  # (engagement key, id(parts)) -> (engagement, parts, [_Context])
        for e, parts, contexts in pieces:  # parts are the memo's lists, one per distinct context: shared
            entry = alike.get((e.key, id(parts)))
            if entry is None:
                entry = alike[(e.key, id(parts))] = (e, parts, [])
            entry[2].extend(contexts)
        by_engagement, downstream = self.by_engagement, self.downstream
        for e, parts, contexts in alike.values():
            targets = downstream.get(e.exporter)
            if targets is None:
                targets = downstream[e.exporter] = set()
            targets.add(e.importer)
            per = by_engagement.get(e.key)
            if per is None:
                per = by_engagement[e.key] = {}
            found = prepared.get(id(parts))
            if found is None:  # the parts are kept alongside so that their id is not reused
                found = prepared[id(parts)] = (parts, [
                    ((f["regime"], f.get("rule"), f.get("basis")), f, STATUS_ORDER[f["status"]])
                    for part in parts for f in part])
            for marker, finding, rank in found[1]:
                group = per.get(marker)
                if group is None or rank < group.rank:
                    per[marker] = group = FindingGroup(finding)
                elif rank != group.rank or group.sources[-1] is contexts:  # two findings alike in one context
                    continue
                group.sources.append(contexts)
        return {e.key for e, _parts, _contexts in alike.values()}

    def findings(self, key) -> list[dict]:
        """The engagement's worst finding per regime, rule and basis, worst first."""
        groups = self.by_engagement.get(key, {}).values()
        return [g.finding for g in sorted(groups, key=lambda g: STATUS_ORDER[g.status])]

    def rows(self, status=None, regime=None, organisation=None, publisher=None, category=None) -> list:
        """EngagementGaps of every engagement with a non-ok finding, filtered, worst first.

        ``status`` and ``regime`` keep findings of that status or regime; ``organisation``
        keeps engagements it is the exporter or importer of; ``publisher`` engagements
        behind that publisher's list (its own and its vendors' vendors'); ``category``
        findings caused by a context of a matching category.
        """
        with without_collector_pauses():  # a survey holds millions of objects: see the context manager
            return self._rows(status, regime, organisation, publisher, category)

    def _rows(self, status, regime, organisation, publisher, category) -> list:
        behind = self._behind(publisher) if publisher else None
        matched: dict = {}

        def matches(key: str) -> bool:
            found = matched.get(key)
            if found is None:
                found = matched[key] = category_matches(key, category)
            return found

        out = []
        for key, groups in self.by_engagement.items():
            e = self.engagements.get(key)
            if e is None or (organisation and organisation not in (e.exporter, e.importer)):
                continue
            if behind is not None and e.exporter not in behind:
                continue
            kept = []
            for group in groups.values():
                f = group.finding
                if f["status"] == "ok" or (status and f["status"] != status) or (regime and f["regime"] != regime):
                    continue
                if category:
                    causes = [source for source, cat in zip(group.sources, group.categories())
                              if cat is None or matches(cat)]
                    if not causes:
                        continue
                    group = FindingGroup(f, causes)
                kept.append(group)
            if kept:
                kept.sort(key=lambda g: (STATUS_ORDER[g.status], g.finding["regime"], g.finding.get("rule") or ""))
                out.append(EngagementGaps(e, kept))
        return sorted(out, key=lambda r: (STATUS_ORDER[r.status], r.key))

    def _behind(self, publisher):
        seen, todo = {publisher}, [publisher]
        while todo:
            for nxt in self.downstream.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def survey(store, on=None, include_planned=False) -> Survey:
    """Every engagement's findings, in one pass over the registry; see the module doc."""
    on = check_date(on)
    with without_collector_pauses():
        return _survey(store, on, include_planned)


def _survey(store, on: str, include_planned: bool) -> Survey:
    result = Survey(on=on, include_planned=include_planned)
    engagements = [e for e in store.list("engagement") if e.in_force(on, include_planned)]
    result.engagements = {e.key: e for e in engagements}
    result.organisations = organisations = {o.key: o for o in store.list("organisation")}
    groups = {g.key: g for g in store.list("subject_group")}
    categories = store.list("category")
    collections = store.list("collection")
    questions = _roots([c for col in collections for c in col.categories]
                       + [c for e in engagements for c in e.categories])
    matching = {}

    def questions_of(keys):
        found = set()
        for key in keys:
            if key not in matching:
                matching[key] = {q for q in questions if category_matches(key, q)}
            found |= matching[key]
        return found

    by_question: dict[str, list] = {q: [] for q in questions}
    uncategorised = []
    for e in engagements:
        if not e.categories:
            uncategorised.append(e)
        for q in questions_of(e.categories):
            by_question[q].append(e)
    reached = set()
    prepared: dict = {}  # id(parts) -> (parts, [(marker, finding, rank)]), shared by the questions
    for question in questions:
        edges = by_question[question] + uncategorised
        assessor = Assessor(categories, question, on)
        starts = [Start(c.organisation, groups.get(c.subject_group, UNRECORDED), c.role,
                        controllers=frozenset({c.organisation} if c.role == "controller" else ()), collection=c)
                  for c in collections if questions_of(c.categories) & {question}]
        flow = propagate(edges, organisations, groups, starts, assessor)
        hit = result.absorb_flow(flow, question, prepared)
        reached |= hit
        # What no recorded flow reaches is assessed from its exporter, subjects unrecorded, up
        # to where it joins the recorded flows (whose hops are assessed in their own contexts).
        unreached = [e for e in edges if e.key not in hit]
        left = sorted({e.exporter for e in unreached if e.categories})
        if left:
            unrecorded = propagate(unreached, organisations, groups,
                                   [Start(o, UNRECORDED, controllers=frozenset({o})) for o in left], assessor)
            reached |= result.absorb_flow(unrecorded, question, prepared)
    left = [e for e in uncategorised if e.key not in reached]
    if left:
        flow = propagate(left, organisations, groups,
                         [Start(o, UNRECORDED, controllers=frozenset({o})) for o in sorted({e.exporter for e in left})],
                         Assessor(categories, None, on))
        result.absorb_flow(flow, None, prepared)
    return result


def findings_by_engagement(store, on=None, include_planned=False, engagements=None) -> dict:
    """{engagement key: [finding dicts]}, worst per regime, rule and basis, over every context.

    Without ``engagements``, every engagement with findings; given ``engagements``
    (objects), those of them. Either way the registry is surveyed in one pass (``survey``),
    kept per registry version, so that the pages showing a few engagements' findings do
    not ask one question per category each time.
    """
    on = check_date(on)
    found = cached(store, ("gaps", on, bool(include_planned)), lambda: survey(store, on, include_planned))
    keys = sorted(found.by_engagement) if engagements is None else sorted({e.key for e in engagements})
    return {key: found.findings(key) for key in keys if key in found.by_engagement}


def registry_gaps(store, on=None, include_planned=False) -> list[Gap]:
    """Every violation, action and unknown, worst first, as Gap rows (one per engagement and finding)."""
    rows = []
    for row in survey(store, on, include_planned).rows():
        for group in row.findings:
            rows.append(Gap(row.key, row.engagement.exporter, row.engagement.importer, group.finding))
    return sorted(rows, key=lambda g: (STATUS_ORDER[g.finding["status"]], g.engagement, g.finding["regime"]))


GAP_STATUSES = ("violation", "action", "unknown")
FILTERS = ("status", "regime", "organisation", "publisher", "category")


def check_filters(store, args) -> dict:
    """The filters of ``Survey.rows`` from a mapping of strings; ValidationError naming a bad one."""
    status = args.get("status") or None
    if status and status not in GAP_STATUSES:
        raise ValidationError(f"status must be one of {', '.join(GAP_STATUSES)}", field="status")
    regime = args.get("regime") or None
    if regime and regime not in set(load_knowledge_base().ids) | {"unknown"}:
        raise ValidationError(f"no regime with id {regime!r}", field="regime")
    out = {"status": status, "regime": regime}
    for name, kind in (("organisation", "organisation"), ("publisher", "organisation"), ("category", "category")):
        value = args.get(name) or None
        if value and store.find(kind, value) is None:
            raise ValidationError(f"no {kind} with key {value!r}", field=name)
        out[name] = value
    return out


CSV_COLUMNS = ("status", "engagement", "exporter", "importer", "regime", "rule", "basis", "missing",
               "contexts", "categories", "subject_groups", "explanation", "citation")


def to_csv(rows) -> str:
    """EngagementGaps rows as CSV: one line per engagement and finding, with its contexts summarised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        for group in row.findings:
            f = group.finding
            writer.writerow([_cell(v) for v in (
                f["status"], row.key, row.engagement.exporter, row.engagement.importer, f["regime"],
                f.get("rule", ""), f.get("basis", ""), " ".join(f.get("missing") or []), group.count,
                " ".join(sorted({cat or "" for cat in group.categories()})),
                " ".join(sorted(group.subject_groups())), f.get("explanation", ""),
                f.get("citation", ""))])
    return out.getvalue()


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
