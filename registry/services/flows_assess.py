"""Assessing hop contexts for a flow question: each distinct one once.

One ``Assessor`` serves one question (a category, a date): it loads the knowledge base
once, works out once per engagement what that engagement carries of the asked category
(keys and flags), and memoises every assessment on everything the assessment reads, so
that two hop contexts that differ only in what the rules ignore cost one assessment.

What the registry does not know is said, never assumed away: subjects nobody recorded,
an engagement that records no category or no subject group each add an ``unknown``
finding to the hop.
"""

import itertools
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date
from threading import Lock

from ..domain.codes import meaning
from ..domain.findings import STATUS_ORDER, worst
from ..domain.model import Category, Engagement, Organisation, SubjectGroup, category_matches
from ..transfers.assess import (HopAssessment, HopStatus, assess_hop, attached_fully, collected_in_readers,
                                collected_in_signature, subjects_signature)
from ..transfers.knowledge import load_knowledge_base
from ..transfers.request import HopRequest, parse_hop_request

CONTROLLER_ROLES = ("controller", "joint-controller")

UNRECORDED = SubjectGroup(key="unrecorded", name="Subjects not recorded in the registry", kind="other")


def importer_role(engagement: Engagement) -> str:
    """The importer's role for the data in the terms of the rules: controller or processor."""
    return "controller" if engagement.importer_role in CONTROLLER_ROLES else "processor"


def _unknown(rule: str, citation: str, explanation: str) -> dict:
    return {"regime": "unknown", "rule": rule, "status": "unknown", "basis": "missing-fact", "options": [[]],
            "in_place": [], "missing": [], "citation": citation, "explanation": explanation}


UNKNOWN_SUBJECTS = _unknown(
    "subjects", "GDPR Art. 3(2) and its equivalents",
    "No collection recorded upstream says whose data this is, so the laws that follow the data subjects "
    "(where they live, their citizenship) cannot be determined; record the collection that feeds this "
    "organisation.")
UNKNOWN_CATEGORIES = _unknown(
    "categories", "GDPR Art. 30(1)(c) and its equivalents",
    "The registry does not know what this vendor receives: the engagement records no data category, so "
    "it may carry this data; record its categories.")
UNKNOWN_GROUPS = _unknown(
    "subject-groups", "GDPR Art. 30(1)(c) and its equivalents",
    "The engagement records no data subject group, so the registry assumes it receives every group's "
    "data; record whose data it receives.")


class CategoryFlags:
    """What a flow carries of the asked category, with the flags the rules read.

    Built once per question from every category. A flow carrying an ancestor of the asked
    category carries the asked one; a flow carrying a descendant carries just that. Flags
    come from those keys, their descendants (carried along) and their ancestors (a part
    of special data is special).
    """

    def __init__(self, categories: list[Category], asked: str | None):
        self.asked = asked
        self._flags = {c.key: frozenset(c.flags) for c in categories}
        self._closure: dict[str, frozenset] = {}
        self._carried: dict[tuple, tuple] = {}

    def _closure_of(self, key: str) -> frozenset:
        if key not in self._closure:
            flags: set[str] = set()
            for other, own in self._flags.items():
                if other == key or other.startswith(key + ".") or key.startswith(other + "."):
                    flags |= own
            self._closure[key] = frozenset(flags)
        return self._closure[key]

    def carried(self, categories) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(keys, flags) of the asked category carried by a flow of ``categories``."""
        marker = tuple(categories)
        if marker not in self._carried:
            asked = self.asked
            if asked is None:
                keys = sorted(set(marker))
            else:
                keys = sorted({asked if asked == c or asked.startswith(c + ".") else c
                               for c in marker if category_matches(c, asked)})
            flags: set[str] = set()
            for key in keys:
                flags |= self._closure_of(key)
            self._carried[marker] = (tuple(keys), tuple(sorted(flags)))
        return self._carried[marker]


@dataclass(frozen=True, eq=False)
class HopBase:
    """What a hop context's assessment reads, inherited regimes aside (one per distinct context).

    ``marker`` identifies it: (the hop's facts, the exporter's role, the subjects' facts),
    interned; ``own`` are the regimes its own facts attach fully; ``unknowns`` the findings
    added for what the registry does not record.
    """

    marker: tuple
    request: HopRequest
    own: frozenset
    unknowns: tuple
    statuses: list = field(default_factory=list)  # its HopStatus, made on first use (one item)
    by_regimes: dict = field(default_factory=dict)  # inherited regimes -> status: the memo's, found fast
    lanes: dict = field(default_factory=dict)  # a flow's lane width -> ``own`` as a lane set (flows.py)


class _Memo:
    """What every assessment for one date shares: interned facts, parsed requests, statuses, assessments.

    Everything in it is keyed by facts, never by an object's key, so it stays valid as the
    registry changes and is shared by every question (and database) the process serves.
    """

    def __init__(self) -> None:
        self.interned: dict[tuple, int] = {}
        self.numbers = itertools.count()  # next() is atomic: two threads never get one number
        self.subjects: dict[tuple, tuple[int, dict]] = {}
        self.engagements: dict[tuple, tuple[dict, tuple, str]] = {}  # facts not depending on the question
        self.parsed_hops: dict[int, HopRequest] = {}
        self.parsed_subjects: dict[int, HopRequest] = {}
        self.bases: dict[tuple, HopBase] = {}
        self.origins: dict[tuple, tuple[str, ...]] = {}  # signature -> the countries that stand for it
        self.statuses: dict[tuple, str] = {}
        self.assessments: dict[tuple, dict] = {}
        self.regime_findings: dict = {}  # assess_hop's memo: findings per regime and facts it reads
        self.finding_dicts: dict[int, tuple] = {}  # id(Finding) -> (Finding, its dict): serialised once
        self.part_dicts: dict[int, tuple] = {}  # id(findings tuple) -> (the tuple, its dicts)
        self.parts: dict[tuple, list] = {}  # (HopBase.marker, inherited regimes) -> Assessor.parts

    @property
    def size(self) -> int:
        return (len(self.bases) + len(self.statuses) + len(self.assessments) + len(self.parts)
                + len(self.regime_findings))


MEMO_DATES = 4  # dates whose memos are kept (today's, and a few asked about)
MEMO_ENTRIES = 2_000_000  # a memo this large is started afresh (a bound on memory, some hundreds of MB)
_memos: OrderedDict = OrderedDict()
_memos_lock = Lock()


def _memo_for(kb, on: str) -> _Memo:
    """The process's memo for assessments on ``on`` with the knowledge base ``kb``."""
    key = (id(kb), on)
    with _memos_lock:
        memo = _memos.get(key)
        if memo is None or memo.size > MEMO_ENTRIES:
            memo = _memos[key] = _Memo()
        _memos.move_to_end(key)
        while len(_memos) > MEMO_DATES:
            _memos.popitem(last=False)
    return memo


def forget_assessments() -> None:
    """Drop every memoised assessment (after the knowledge base is reloaded; tests)."""
    with _memos_lock:
        _memos.clear()


class Assessor:
    """Assesses hop contexts as of ``on`` for the category ``asked``, memoised.

    A hop context is a ``HopBase`` (``base``) and the regimes it inherits. Its status
    (``status``) is cheap and asked of every hop; its full assessment (``assessment``) is
    built only for the hops an answer shows. Both are memoised on (``HopBase.marker``, the
    inherited regimes its own facts do not attach): the hop's facts are the exporter's and
    importer's country and certifications, the importer's role and places, the safeguards
    and the flags of what is carried, interned to a number once per engagement, so that
    engagements with identical facts share assessments. Below that, ``assess_hop``'s own
    memo (``_Memo.regime_findings``) shares each regime's findings among hops that differ
    in nothing the regime reads.
    """

    def __init__(self, categories: list[Category], asked: str | None, on: str):
        """An assessor for one question; it joins the process's memo for ``on`` (``_memo_for``)."""
        self.on = on
        self.day = date.fromisoformat(on)
        self.kb = load_knowledge_base()
        self.flags = CategoryFlags(categories, asked)
        self._hop_facts: dict[str, tuple[int, dict, tuple]] = {}  # per question: what is carried differs
        self._groups: dict[str, tuple[int, dict]] = {}  # per question: a key's group is one object
        self._origins: dict[frozenset, tuple] = {}
        self._readers: tuple[frozenset, ...] | None = None
        self._memo = _memo_for(self.kb, on)
        self.assessed = 0  # how many assessments actually ran (the rest came from the memo)

    def _intern(self, facts: tuple) -> int:
        memo = self._memo
        found = memo.interned.get(facts)
        return found if found is not None else memo.interned.setdefault(facts, next(memo.numbers))

    def facts(self, engagement: Engagement, exporter: Organisation | None, importer: Organisation | None):
        """(interned id, facts, unknown findings) of what ``engagement`` carries of the asked category."""
        cached = self._hop_facts.get(engagement.key)
        if cached is None:
            part, extra, read = self._engagement_facts(engagement, exporter, importer)
            keys, flags = self.flags.carried(engagement.categories)
            part = dict(part, categories=list(keys), flags=list(flags))
            # The memo key: what the assessment reads (not the category keys, not the
            # exporter's certifications: they are passed on for completeness only).
            marker = (read, flags, tuple(f["rule"] for f in extra))
            cached = (self._intern(marker), part, extra)
            self._hop_facts[engagement.key] = cached
        return cached

    def _engagement_facts(self, engagement: Engagement, exporter: Organisation | None,
                          importer: Organisation | None) -> tuple[dict, tuple, str]:
        """(facts, unknown findings, memo key part) of an engagement whatever category is asked."""
        marker = (engagement.importer_role, tuple(engagement.store_countries), tuple(engagement.access_countries),
                  tuple(engagement.safeguard_codes), not engagement.categories, not engagement.subject_groups,
                  (exporter.country, tuple(exporter.certifications)) if exporter else None,
                  (importer.country, tuple(importer.certifications)) if importer else None)
        cached = self._memo.engagements.get(marker)
        if cached is None:
            importer_country = importer.country if importer else None
            stores = engagement.store_countries or ([importer_country] if importer_country else [])
            part: dict = {
                "exporter": {"country": exporter.country if exporter else None,
                             "certifications": list(exporter.certifications) if exporter else []},
                "importer": {"country": importer_country, "role": importer_role(engagement),
                             "certifications": list(importer.certifications) if importer else [],
                             "stores_in": list(stores), "accesses_from": list(engagement.access_countries)},
                # A code stored before codes were checked, and not in the vocabulary, is not in place.
                "safeguards": [c for c in engagement.safeguard_codes if meaning(c)],
            }
            extra = (UNKNOWN_CATEGORIES,) * (not engagement.categories) + (UNKNOWN_GROUPS,) * (
                not engagement.subject_groups)
            read = repr(dict(part, exporter=dict(part["exporter"], certifications=None)))
            cached = self._memo.engagements[marker] = (part, extra, read)
        return cached

    def subject_facts(self, group: SubjectGroup):
        """(interned id, facts) of ``group``'s subjects, as the rules read them.

        Groups whose subjects the rules read alike (``subjects_signature``, the number of
        individuals, whether they are unrecorded) share the id, and the first such group's
        parsed subjects stand for all of them: their hops are assessed as one class.
        """
        cached = self._groups.get(group.key)
        if cached is None:
            cached = self._groups[group.key] = self._new_subject_facts(group)
        return cached

    def _new_subject_facts(self, group: SubjectGroup):
        marker = (tuple(group.residence), tuple(group.citizenship), group.individuals, group is UNRECORDED)
        cached = self._memo.subjects.get(marker)
        if cached is None:
            part: dict = {"subjects": {"residence": list(group.residence), "citizenship": list(group.citizenship)}}
            if group.individuals is not None:
                part["individuals_per_year"] = group.individuals
            who = parse_hop_request(dict(part, exporter={"role": "controller"}, importer={"role": "processor"},
                                         on=self.on), self.day, self.kb)
            signature = subjects_signature(self.kb, who.subjects.residence, who.subjects.citizenship)
            number = self._intern(("subjects", signature, who.individuals_per_year, group is UNRECORDED))
            self._memo.parsed_subjects.setdefault(number, who)
            cached = self._memo.subjects[marker] = (number, part)
        return cached

    def base(self, engagement: Engagement, exporter: Organisation | None, importer: Organisation | None,
             exporter_role: str, group: SubjectGroup, collected_in: frozenset = frozenset()) -> HopBase:
        """The ``HopBase`` of the engagement crossed by ``group``'s data held in ``exporter_role``.

        ``collected_in``: the countries the data was collected in (empty: not recorded).
        """
        return self.base_of(self.facts(engagement, exporter, importer), exporter_role, group,
                          self.subject_facts(group), self.collected(collected_in))

    def base_of(self, facts, exporter_role: str, group: SubjectGroup, subjects, collected) -> HopBase:
        """``base`` from its parts as ``facts``, ``subject_facts`` and ``collected`` give them (worked out
        once for many hops); ``group`` only says whether the subjects are unrecorded."""
        hop_id, hop, extra = facts
        subjects_id, _part = subjects
        signature, countries = collected
        memo = self._memo
        marker = (hop_id, exporter_role, subjects_id, signature)
        found = memo.bases.get(marker)
        if found is None:  # parsed once per hop and once per subjects; only the inherited regimes vary
            parsed = memo.parsed_hops.get(hop_id)
            if parsed is None:
                parsed = memo.parsed_hops[hop_id] = parse_hop_request(
                    dict(hop, exporter=dict(hop["exporter"], role="controller"), on=self.on), self.day, self.kb)
            who = memo.parsed_subjects[subjects_id]  # made with the id (``subject_facts``)
            request = replace(parsed, exporter=replace(parsed.exporter, role=exporter_role), subjects=who.subjects,
                              individuals_per_year=who.individuals_per_year, collected_in=countries)
            unknowns = tuple(extra) + ((UNKNOWN_SUBJECTS,) if group is UNRECORDED else ())
            found = memo.bases[marker] = HopBase(marker, request,
                                                 attached_fully(request, self.kb, memo.regime_findings), unknowns)
        return found

    def collected(self, countries: frozenset) -> tuple[tuple, tuple[str, ...]]:
        """(signature, countries standing for every set with that signature): see ``collected_in_signature``."""
        found = self._origins.get(countries)
        if found is None:
            found = self._origins[countries] = self.stand_in(
                collected_in_signature(self.kb, tuple(sorted(countries))), lambda: countries)
        return found

    def readers(self) -> tuple[frozenset, ...]:
        """The territories a collection signature asks about (``collected_in_readers``)."""
        if self._readers is None:
            self._readers = collected_in_readers(self.kb)
        return self._readers

    def stand_in(self, signature: tuple, countries) -> tuple[tuple, tuple[str, ...]]:
        """``collected`` for a signature worked out elsewhere (from ``readers``); ``countries()`` gives a
        set with that signature, asked only when none stands for it yet."""
        found = self._memo.origins.get(signature)
        if found is None:
            found = self._memo.origins.setdefault(signature, tuple(sorted(countries())))
        return signature, found

    def _request(self, base: HopBase, regimes: frozenset) -> tuple[tuple, HopRequest]:
        # A regime that attaches by the hop's own facts changes nothing by being inherited
        # too: leaving it out lets contexts that differ only in such regimes share the result.
        regimes = regimes - base.own if regimes else regimes
        request = replace(base.request, regimes=tuple(sorted(regimes))) if regimes else base.request
        return (base.marker, regimes), request

    def status(self, base: HopBase, regimes: frozenset) -> str:
        """The status of the context's assessment (``assessment(base, regimes)["status"]``).

        Taken regime by regime (``HopStatus``), without building the assessment.
        """
        found = base.by_regimes.get(regimes)
        if found is not None:
            return found
        key = (base.marker, regimes - base.own if regimes else regimes)
        found = self._memo.statuses.get(key)
        if found is None:
            found = self._regimewise(base).status(key[1])
            if base.unknowns:
                found = worst((found, "unknown"))
            self._memo.statuses[key] = found
        base.by_regimes[regimes] = found
        return found

    def _regimewise(self, base: HopBase) -> HopStatus:
        if not base.statuses:  # two threads may both make one: the same
            base.statuses.append(HopStatus(base.request, self.kb, self._memo.regime_findings))
        return base.statuses[0]

    def parts(self, base: HopBase, regimes: frozenset) -> list[tuple[dict, ...]]:
        """The context's findings (as in ``assessment(base, regimes)``, unsorted) in shared parts.

        Each part is a tuple of finding dicts kept in the memo: one per attached regime,
        one for an unknown establishment, one for the unknowns of ``base``. Hops share
        parts far more than whole assessments, so a caller folding every hop's findings
        (the survey) prepares each part once, by its identity, which the memo keeps stable.
        The list is the memo's own, one per distinct context: read it, never change it.
        """
        key = (base.marker, regimes)
        out = self._memo.parts.get(key)
        if out is None:
            dicts = self._memo.part_dicts
            out = []
            for found in self._regimewise(base).parts(regimes):
                kept = dicts.get(id(found))
                if kept is None:  # the tuple is kept alongside so that its id is not reused
                    kept = dicts[id(found)] = (found, tuple(self._finding_dict(f) for f in found))
                out.append(kept[1])
            if base.unknowns:
                out.append(base.unknowns)
            self._memo.parts[key] = out
        return out

    def _finding_dict(self, finding) -> dict:
        dicts = self._memo.finding_dicts
        kept = dicts.get(id(finding))
        if kept is None:  # the Finding is kept alongside so that its id is not reused
            kept = dicts[id(finding)] = (finding, finding.to_dict())
        return kept[1]

    def assessment(self, base: HopBase, regimes: frozenset) -> dict:
        """The assessment (a dict as ``HopAssessment.to_dict()``) of one hop context."""
        key, request = self._request(base, regimes)
        memo = self._memo
        found = memo.assessments.get(key)
        if found is None:
            found = self._as_dict(assess_hop(request, self.kb, memo.regime_findings))
            if base.unknowns:
                findings = sorted(found["findings"] + [dict(f) for f in base.unknowns],
                                  key=lambda f: STATUS_ORDER[f["status"]])
                found = dict(found, findings=findings, status=worst(f["status"] for f in findings))
            memo.assessments[key] = found
            self.assessed += 1
        return found

    def assess(self, engagement: Engagement, exporter: Organisation | None, importer: Organisation | None,
               exporter_role: str, group: SubjectGroup, regimes: frozenset) -> dict:
        """The assessment of the engagement in one context: ``assessment(base(...), regimes)``."""
        return self.assessment(self.base(engagement, exporter, importer, exporter_role, group), regimes)

    def _as_dict(self, assessment: HopAssessment) -> dict:
        """``assessment.to_dict()``, with each finding serialised once for all the hops sharing it."""
        findings = [self._finding_dict(f) for f in assessment.findings]
        return {"on": self.on, "status": assessment.status, "findings": findings,
                "regimes": list(assessment.regimes)}
