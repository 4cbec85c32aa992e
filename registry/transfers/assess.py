"""Assess one hop of personal data under every regime that reaches it.

A generic interpreter of the knowledge base: it names no country and no regime, only the
kinds of rule a regime file can hold. Pure and deterministic: the same request and knowledge
base always give the same assessment, and nothing is read besides the cached regime files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from registry.transfers.knowledge import KnowledgeBase, Regime, Rule, When, load_knowledge_base
from registry.transfers.request import Exporter, HopRequest, Importer

STATUSES = ("ok", "unknown", "action", "violation")  # least to most severe
LOCAL_PRIMARY = "local-primary-copy"


@dataclass(frozen=True)
class Finding:
    """The result of one rule (or of the transfer test) of one regime for one hop."""
    regime: str
    rule: str
    status: str
    basis: str
    options: tuple[tuple[str, ...], ...]
    in_place: tuple[str, ...]
    missing: tuple[str, ...]
    citation: str
    explanation: str
    note: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form; ``note`` appears only when the rule carries one."""
        body = {"regime": self.regime, "rule": self.rule, "status": self.status, "basis": self.basis,
                "options": [list(option) for option in self.options], "in_place": list(self.in_place),
                "missing": list(self.missing), "citation": self.citation, "explanation": self.explanation}
        return body | ({"note": self.note} if self.note else {})


@dataclass(frozen=True)
class HopAssessment:
    """All findings for a hop, worst first, and the regimes that travel on with the data."""
    on: date
    status: str
    findings: tuple[Finding, ...]
    regimes: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-ready form, as served by the API."""
        return {"on": self.on.isoformat(), "status": self.status,
                "findings": [finding.to_dict() for finding in self.findings], "regimes": list(self.regimes)}


def assess_hop(request: HopRequest, kb: KnowledgeBase | None = None, memo: dict | None = None) -> HopAssessment:
    """Assess ``request`` under every regime that attaches to it, as of ``request.on``.

    A regime attaches through the exporter's establishment, the subjects' residence, an
    upstream hop (``request.regimes``), or the subjects' citizenship; the last only brings in
    the regime's citizenship-based rules and does not travel on in ``regimes``. Status is the
    worst finding (violation > action > unknown > ok), ``ok`` when no regime attaches.

    ``memo``: an empty dict the caller keeps for one knowledge base and passes to every
    call that may share work (the result is the same with or without it). A regime's
    findings are kept per regime and what its rules read of the request (``_regime_key``):
    not the exporter's country or the inherited regimes, which only decide whether the
    regime attaches, and of the subjects, codes and flags only what the regime tests; so
    hops that differ in nothing the regime reads share its findings.
    """
    kb = kb or load_knowledge_base()
    core, attached = _core(request, kb, memo), _attached(kb, request, memo)
    findings: list[Finding] = []
    for _, found in _per_regime(core, attached, memo):
        findings.extend(found)
    if request.exporter.country is None:
        findings.append(_UNKNOWN_ESTABLISHMENT)
    findings.sort(key=_severity)  # stable: keeps regime and rule order
    status = findings[0].status if findings else "ok"
    return HopAssessment(on=core.on, status=status, findings=tuple(findings),
                         regimes=tuple(regime.id for regime, full in attached if full))


class HopStatus:
    """The status of one hop's own facts under any set of inherited regimes, regime by regime.

    ``status(inherited)`` equals ``assess_hop(replace(request, regimes=inherited), kb,
    memo).status`` without building the assessment: an inherited regime attaches fully,
    whatever else attaches it, and the status is the worst of the attached regimes'
    findings. Cheap once the regimes' findings are in ``memo``: a flow asks it of every
    hop context and builds the full assessment only for the hops it shows.
    """

    def __init__(self, request: HopRequest, kb: KnowledgeBase, memo: dict):
        """``request`` without inherited regimes; ``memo`` as ``assess_hop``'s."""
        own = replace(request, regimes=()) if request.regimes else request
        self._kb, self._memo = kb, memo
        self._core = _core(own, kb, memo)
        self._own = {regime.id: (regime, full) for regime, full in _attached(kb, own, memo)}
        self._floor = 0 if request.exporter.country is not None else _SEVERITY["unknown"]

    def _found(self, regime: Regime, full: bool) -> tuple[Finding, ...]:
        return _regime_findings(self._core, regime, full, self._memo)

    def _rank(self, regime: Regime, full: bool) -> int:
        # Kept per core (memoised, so kept alive) and regime: one lookup for the many hops sharing them.
        quick = ("rank", id(self._core), regime.id, full)
        rank = self._memo.get(quick)
        if rank is None:
            found = self._found(regime, full)
            rank = self._memo[quick] = min((_severity(f) for f in found), default=0)
        return rank

    def _attached(self, inherited: frozenset) -> list[tuple[Regime, bool]]:
        """(regime, fully) of each regime attached under ``inherited``: its own, then the inherited others."""
        pairs = [(regime, full or regime.id in inherited) for regime, full in self._own.values()]
        if inherited:
            others = inherited - self._own.keys()
            if others:
                by_id = self._memo.get(("regimes", id(self._kb)))
                if by_id is None:
                    by_id = self._memo[("regimes", id(self._kb))] = {r.id: r for r in self._kb.regimes}
                pairs.extend((by_id[regime_id], True) for regime_id in sorted(others) if regime_id in by_id)
        return pairs

    def status(self, inherited: frozenset) -> str:
        """The worst status of the hop when the regimes ``inherited`` reach it from upstream."""
        rank = self._floor
        for regime, full in self._attached(inherited):
            rank = min(rank, self._rank(regime, full))
        return STATUSES[-rank]

    def parts(self, inherited: frozenset) -> list[tuple[Finding, ...]]:
        """The findings of the hop under ``inherited``, as the tuples they are made of.

        One tuple per attached regime and one for an unknown establishment: together,
        ``assess_hop``'s findings with ``inherited``, unsorted. Each tuple is the memo's
        own, shared by every hop whose facts the regime reads alike, so a caller folding
        many hops can prepare each once.
        """
        out = [self._found(regime, full) for regime, full in self._attached(inherited)]
        if self._floor:
            out.append(_UNKNOWN_ESTABLISHMENT_PART)
        return out


def _core(request: HopRequest, kb: KnowledgeBase, memo: dict | None) -> HopRequest:
    """The request with places expanded, kept in ``memo`` per importer and date.

    What is left out of the memo key (the exporter's country, the inherited regimes, the
    category keys) is not read by the regimes' rules, only by ``_attached``.
    """
    collected = request.collected_in_countries()  # read before the exporter's country is left out
    if memo is None:
        return _expand_places(replace(request, collected_in=collected), kb)
    key = ("core", request.on, request.exporter.role, request.importer, request.subjects, request.flags,
           request.individuals_per_year, request.safeguards, collected)
    cached = memo.get(key)
    if cached is None:
        stripped = replace(request, exporter=Exporter(country=None, role=request.exporter.role), regimes=(),
                           categories=(), collected_in=collected)
        cached = memo[key] = _expand_places(stripped, kb)
    return cached


def _per_regime(core: HopRequest, attached: list, memo: dict | None):
    """(regime id, its findings) of each attached (regime, fully) pair, memoised in ``memo``."""
    for regime, full in attached:
        if memo is None:
            yield regime.id, tuple(_assess_regime(regime, core, full))
        else:
            yield regime.id, _regime_findings(core, regime, full, memo)


def _regime_findings(core: HopRequest, regime: Regime, full: bool, memo: dict) -> tuple[Finding, ...]:
    """One regime's findings for ``core`` (a ``_core`` result), memoised in ``memo``."""
    # First by the core's identity (memoised, so kept alive: cheap), then by what is read.
    quick = (id(core), regime.id, full)
    found = memo.get(quick)
    if found is None:
        key = _regime_key(regime, full, core, memo)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(_assess_regime(regime, core, full))
        memo[quick] = found
    return found


@dataclass(frozen=True)
class _Reads:
    """What of a request one regime's rules can read, besides the importer's places and roles."""
    codes: frozenset[str]  # safeguard codes any of its rules names
    flags: frozenset[str]  # category flags any of its rules tests
    certifications: frozenset[str]  # importer certifications its adequacy entries ask for
    individuals: bool  # whether any rule counts individuals
    collected: bool  # whether any rule asks where the data was collected


def _reads(regime: Regime) -> _Reads:
    rules = (*regime.mechanisms, *regime.localisation, *regime.duties, *regime.restrictions)
    codes = {code for m in regime.mechanisms for code in m.requires}
    codes |= {code for d in regime.duties for option in d.options for code in option}
    codes |= {code for r in regime.restrictions for code in r.requires}
    codes |= {LOCAL_PRIMARY} if regime.localisation else set()
    return _Reads(codes=frozenset(codes),
                  flags=frozenset(regime.sensitive_flags) | {f for r in rules for f in r.when.flags_any},
                  certifications=frozenset(a.certification for a in regime.adequacy if a.certification),
                  individuals=any(r.when.individuals_at_least is not None or r.when.individuals_below is not None
                                  for r in rules),
                  collected=any(r.when.collected_in_territory is not None for r in rules))


def _regime_key(regime: Regime, full: bool, req: HopRequest, memo: dict) -> tuple:
    """Everything ``_assess_regime(regime, req, full)`` reads, and nothing else.

    The subjects count only as whether they are (citizens or residents) of the territory,
    or unknown (``_holds``); codes, flags and certifications only as far as the regime
    names them; the exporter only by its role. Keep this in step with the rules' readers:
    tests/test_assess_memo.py checks memoised findings against fresh ones.
    """
    reads = memo.get(("reads", regime.id))
    if reads is None:
        reads = memo[("reads", regime.id)] = _reads(regime)
    importer, subjects, territory = req.importer, req.subjects, regime.territory
    people = subjects.residence + subjects.citizenship
    collected = req.collected_in_countries() if reads.collected else ()
    return (regime.id, full, req.on, req.exporter.role, importer.country, importer.role, importer.stores_in,
            importer.accesses_from, importer.vague_stores, importer.vague_access,
            reads.certifications.intersection(importer.certifications),
            bool(territory.intersection(subjects.citizenship)) if subjects.citizenship else None,
            bool(territory.intersection(people)) if people else None,
            reads.flags.intersection(req.flags), reads.codes.intersection(req.safeguards),
            req.individuals_per_year if reads.individuals else None,
            bool(territory.intersection(collected)) if collected else None)


_SEVERITY = {status: -rank for rank, status in enumerate(STATUSES)}


def _severity(finding: Finding) -> int:
    return _SEVERITY[finding.status]


def _attached(kb: KnowledgeBase, req: HopRequest, memo: dict | None) -> list[tuple[Regime, bool]]:
    """(regime, fully attached) of every regime that reaches ``req``, in the knowledge base's order.

    Fully: by anything but the subjects' citizenship alone. Kept in ``memo`` per
    (establishment, subjects, inherited regimes, date), the only facts it reads.
    """
    key = ("attached", req.exporter.country, req.subjects, req.regimes, req.on)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = []
        for regime in kb.regimes:
            reasons = _attachment(regime, req)
            if reasons:
                found.append((regime, bool(reasons - {"citizenship"})))
        if memo is not None:
            memo[key] = found
    return found


def _expand_places(request: HopRequest, kb: KnowledgeBase) -> HopRequest:
    """The request with regions replaced by their countries on ``request.on``.

    Places whose countries are not known (``Worldwide``) move to the importer's vague
    places, which make every finding that depends on location ``unknown`` rather than ``ok``.
    """
    importer: Importer = request.importer
    stores, vague_stores = kb.expand(importer.stores_in, request.on)
    access, vague_access = kb.expand(importer.accesses_from, request.on)
    return replace(request, importer=replace(importer, stores_in=stores, accesses_from=access,
                                             vague_stores=importer.vague_stores + vague_stores,
                                             vague_access=importer.vague_access + vague_access))


def _vague(regime: Regime, rule: str, citation: str, req: HopRequest, note: str | None = None) -> Finding:
    places = _and(req.importer.vague)
    return _finding(regime, rule, "unknown", "unknown-location", citation, note=note,
                    explanation=f"The importer names {places} as where it stores or accesses the data, so the "
                                f"countries are not known and it cannot be told what this hop needs under "
                                f"{regime.name}. Record the countries.")


def _attachment(regime: Regime, req: HopRequest) -> set[str]:
    reasons = {"inherited"} if regime.id in req.regimes else set()
    facts = {"establishment": (req.exporter.country,) if req.exporter.country else (), "residence": req.subjects.residence,
             "citizenship": req.subjects.citizenship}
    for rule in regime.attaches:
        if rule.in_force(req.on) and regime.territory.intersection(facts[rule.by]):
            reasons.add(rule.by)
    return reasons


def _unknown_establishment() -> Finding:
    """Without the exporter's country, regimes that attach by establishment cannot be known."""
    return Finding(regime="unknown", rule="establishment", status="unknown", basis="missing-fact",
                   options=((),), in_place=(), missing=(), citation="GDPR Art. 3(1) and its equivalents",
                   explanation="The exporter's country of establishment is not recorded, so the laws that "
                               "follow the exporter's seat cannot be determined; record it to complete the "
                               "assessment.")


_UNKNOWN_ESTABLISHMENT = _unknown_establishment()  # immutable, so one serves every hop
_UNKNOWN_ESTABLISHMENT_PART = (_UNKNOWN_ESTABLISHMENT,)


def _assess_regime(regime: Regime, req: HopRequest, full: bool) -> list[Finding]:
    def usable(rule: Rule) -> bool:
        return rule.in_force(req.on) and (full or rule.when.citizens_of_territory)

    found: list[Finding | None] = [_transfer(regime, req)] if full else []
    found += [_localise(regime, rule, req) for rule in regime.localisation if usable(rule)]
    found += [_restrict(regime, rule, req) for rule in regime.restrictions if usable(rule)]
    found += [_duty(regime, rule, req) for rule in regime.duties if usable(rule)]
    return [finding for finding in found if finding is not None]


def _outside(regime: Regime, countries) -> list[str]:
    return [country for country in countries if country not in regime.territory]


def _holds(when: When, regime: Regime, req: HopRequest) -> tuple[bool | None, tuple[str, ...]]:
    """Three-valued test of a rule's conditions; None comes with the facts that are missing."""
    checks: list[tuple[bool | None, str]] = []
    if when.exporter_role:
        checks.append((req.exporter.role == when.exporter_role, ""))
    if when.importer_role:
        checks.append((req.importer.role == when.importer_role, ""))
    if when.flags_any:
        checks.append((bool(set(when.flags_any) & set(req.flags)), ""))
    if when.sensitive is not None:
        checks.append((bool(set(regime.sensitive_flags) & set(req.flags)) == when.sensitive, ""))
    if when.individuals_at_least is not None or when.individuals_below is not None:
        n = req.individuals_per_year
        fits = None if n is None else ((when.individuals_at_least or 0) <= n
                                       and (when.individuals_below is None or n < when.individuals_below))
        checks.append((fits, "the number of individuals per year"))
    for needed, people, fact in (
            (when.citizens_of_territory, req.subjects.citizenship, "the data subjects' citizenship"),
            (when.subjects_of_territory, req.subjects.residence + req.subjects.citizenship,
             "the data subjects' residence and citizenship")):
        if needed:
            checks.append((bool(regime.territory.intersection(people)) if people else None, fact))
    if when.collected_in_territory is not None:
        where = req.collected_in_countries()
        checks.append(((bool(regime.territory.intersection(where)) == when.collected_in_territory) if where else None,
                       "where the data was collected"))
    if any(result is False for result, _ in checks):
        return False, ()
    missing = tuple(dict.fromkeys(fact for result, fact in checks if result is None))
    return (None, missing) if missing else (True, ())


def _and(items, word: str = "and") -> str:
    items = list(items)
    return f" {word} ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _finding(regime: Regime, rule: str, status: str, basis: str, citation: str, explanation: str,
             options=(), in_place=(), missing=(), note=None) -> Finding:
    return Finding(regime=regime.id, rule=rule, status=status, basis=basis,
                   options=tuple(tuple(option) for option in options), in_place=tuple(in_place),
                   missing=tuple(missing), citation=citation, explanation=explanation, note=note)


def _against(regime: Regime, rule: str, basis: str, options, req: HopRequest, citation: str, lead: str,
             note: str | None = None) -> Finding:
    """``ok`` when one option is fully in place, else ``action`` with the smallest gap as ``missing``."""
    have = set(req.safeguards)
    in_place = tuple(dict.fromkeys(code for option in options for code in option if code in have))
    if any(set(option) <= have for option in options):
        met = next(option for option in options if set(option) <= have)
        done = f"{_and(met)} {'is' if len(met) == 1 else 'are'} in place" if met else "nothing more is needed"
        return _finding(regime, rule, "ok", basis, citation, f"{lead} Covered: {done}.", options, in_place, (), note)
    gaps = [tuple(code for code in option if code not in have) for option in options]
    missing = min(gaps, key=len)  # min keeps the first of equal gaps, so file order breaks ties
    pick = "Put one of the listed options in place; the nearest" if len(options) > 1 else "This"
    return _finding(regime, rule, "action", basis, citation, f"{lead} {pick} still needs {_and(missing)}.",
                    options, in_place, missing, note)


def _unknown_location(regime: Regime, rule: str, citation: str, req: HopRequest) -> Finding:
    if req.importer.vague:
        return _vague(regime, rule, citation, req)
    seat = "the importer's country is not recorded and " if req.importer.country is None else ""
    return _finding(regime, rule, "unknown", "unknown-location", citation,
                    f"It cannot be told whether this hop leaves {regime.territory_name}: {seat}nothing says where "
                    "the importer stores the data. Record the importer's country or its storage locations.")


def _missing_fact(regime: Regime, rule: Rule, lead: str, facts) -> Finding:
    return _finding(regime, rule.id, "unknown", "missing-fact", rule.citation, note=rule.note,
                    explanation=f"{lead} depends on {_and(dict.fromkeys(facts))}, which is not recorded.")


def _transfer(regime: Regime, req: HopRequest) -> Finding:
    found = _transfer_known(regime, req)
    if not req.importer.vague or found.basis == "unknown-location":
        return found
    if found.status == "ok":  # the known places are fine; the vague ones may not be
        return _vague(regime, "transfer", found.citation, req)
    return replace(found, explanation=f"{found.explanation} It also names {_and(req.importer.vague)}, "
                                      "whose countries are not known.")


def _transfer_known(regime: Regime, req: HopRequest) -> Finding:
    cite, on, name = regime.transfer_citation, req.on.isoformat(), regime.name
    if not req.importer.location_known:
        return _unknown_location(regime, "transfer", cite, req)
    outside = _outside(regime, req.importer.locations)
    if not outside:
        return _finding(regime, "transfer", "ok", "no-transfer", cite, options=[()],
                        explanation=f"The importer stores and accesses the data only inside "
                                    f"{regime.territory_name}, so this hop is not a transfer under {name}.")
    if not regime.restricts_transfers:
        return _finding(regime, "transfer", "ok", "no-restriction", cite, options=[()], note=regime.transfer_note,
                        explanation=f"{name} sets no general condition on sending data to {_and(outside)}; "
                                    "only its specific rules, reported separately, can apply.")
    verdicts = [_adequate(regime, country, req) for country in outside]
    gaps = [gap for entry, gap in verdicts if gap]
    if not gaps:
        entries = list(dict.fromkeys(entry for entry, _ in verdicts))
        scopes = "".join(f" Adequacy for {_and(e.countries)} covers {e.scope}." for e in entries if e.scope)
        return _finding(regime, "transfer", "ok", "adequacy", "; ".join(e.citation for e in entries),
                        options=[()], note=" ".join(e.note for e in entries if e.note) or None,
                        explanation=f"{_and(outside)} {'is' if len(outside) == 1 else 'are'} adequate under "
                                    f"{name} on {on}, so no transfer tool is needed.{scopes}")
    why = " ".join(gaps) if regime.adequacy else f"{name} has no adequacy list covering {_and(outside)}."
    usable: list = []
    facts: list[str] = []
    for mechanism in regime.mechanisms:
        if mechanism.in_force(req.on):
            holds, lacking = _holds(mechanism.when, regime, req)
            facts += lacking
            usable += [mechanism] if holds else []
    if facts:
        return _finding(regime, "transfer", "unknown", "missing-fact", cite,
                        explanation=f"{why} Which transfer tool is needed depends on "
                                    f"{_and(dict.fromkeys(facts))}, which is not recorded.")
    if not usable:
        return _finding(regime, "transfer", "unknown", "no-rule", cite, note=regime.transfer_note,
                        explanation=f"{why} The registry knows no transfer tool under {name} for this case "
                                    f"on {on}; ask counsel.")
    options = list(dict.fromkeys(m.requires for m in usable))
    found = _against(regime, "transfer", "mechanism", options, req,
                     " | ".join(dict.fromkeys(m.citation for m in usable)), why)
    if found.status == "ok":  # name the option relied on, with its own basis, citation and note
        chosen = next(m for m in usable if set(m.requires) <= set(req.safeguards))
        text = f"{why} Covered: no transfer tool is needed at this volume." if not chosen.requires else None
        return replace(found, basis=chosen.basis, citation=chosen.citation, note=chosen.note,
                       explanation=text or found.explanation)
    nearest = next((m for m in usable if m.note and set(found.missing) <= set(m.requires)), None)
    return replace(found, note=nearest.note if nearest else regime.transfer_note)


def _adequate(regime: Regime, country: str, req: HopRequest):
    """(entry, None) when ``country`` is adequate for this importer, else (None, reason)."""
    near = None
    for entry in regime.adequacy:
        if country not in entry.countries or not entry.in_force(req.on):
            continue
        if entry.certification and entry.certification not in req.importer.certifications:
            near = near or f"{country} is adequate only for importers certified {entry.certification}; this one is not."
        elif entry.importer_established_here and req.importer.country != country:
            near = near or f"{country} is adequate only for importers established there; this one is not."
        else:
            return entry, None
    return None, near or f"{country} is not adequate under {regime.name} on {req.on.isoformat()}."


def _scope(rule: Rule, regime: Regime) -> str:
    """A plain description of the data a rule is about, built from its conditions."""
    when = rule.when
    what = f"{_and(when.flags_any, 'or')} data" if when.flags_any else "personal data"
    who = None
    if when.citizens_of_territory:
        who = f"citizens of {regime.territory_name}"
    elif when.subjects_of_territory:
        who = f"residents or citizens of {regime.territory_name}"
    if when.individuals_at_least:
        what += f" on {when.individuals_at_least:,} or more {who or 'people'} a year"
    elif who:
        what += f" of {who}"
    return what[0].upper() + what[1:]


def _localise(regime: Regime, rule, req: HopRequest) -> Finding | None:
    holds, facts = _holds(rule.when, regime, req)
    what, home = _scope(rule, regime), regime.territory_name
    if holds is False:
        return None
    if holds is None:
        lead = f"{what} must be stored in {home}; whether this hop carries such data"
        return _missing_fact(regime, rule, lead, facts)
    if not req.importer.location_known:
        return _unknown_location(regime, rule.id, rule.citation, req)
    abroad = _outside(regime, req.importer.stores_in)
    if not abroad and req.importer.vague_stores:
        return _vague(regime, rule.id, rule.citation, req, rule.note)
    if not abroad:
        return _finding(regime, rule.id, "ok", "localisation", rule.citation, options=[()], note=rule.note,
                        explanation=f"{what} must be stored in {home}; this importer stores it nowhere else.")
    if rule.copies_abroad == "prohibited":
        return _finding(regime, rule.id, "violation", "localisation", rule.citation, note=rule.note,
                        explanation=f"{what} must be stored only in {home}, but this importer stores it in "
                                    f"{_and(abroad)}. Keep it in {home} or stop sending it.")
    return _against(regime, rule.id, "localisation", [(LOCAL_PRIMARY,)], req, rule.citation,
                    f"{what} must be stored first in {home}; a copy in {_and(abroad)} is allowed only when "
                    "the primary copy is kept there.", rule.note)


def _restrict(regime: Regime, rule, req: HopRequest) -> Finding | None:
    seat = (req.importer.country,) if req.importer.country else ()
    touched = [c for c in dict.fromkeys(seat + req.importer.locations) if c in rule.countries]
    if not touched and req.importer.location_known and not req.importer.vague:
        return None
    holds, facts = _holds(rule.when, regime, req)
    if holds is False:
        return None
    if not touched:
        return _unknown_location(regime, rule.id, rule.citation, req)
    what = _scope(rule, regime)
    if holds is None:
        return _missing_fact(regime, rule, f"This hop reaches {_and(touched)}; whether it carries "
                                           f"{what[0].lower()}{what[1:]}", facts)
    if rule.effect == "prohibited":
        return _finding(regime, rule.id, "violation", "prohibited", rule.citation, note=rule.note,
                        explanation=f"{what} may not reach {_and(touched)}; no safeguard or consent cures "
                                    "this. Stop the flow.")
    return _against(regime, rule.id, "restricted", [rule.requires], req, rule.citation,
                    f"{what} reaching {_and(touched)} is a restricted flow.", rule.note)


def _duty(regime: Regime, rule, req: HopRequest) -> Finding | None:
    # "Worldwide" surely reaches beyond any territory, so it is a transfer too
    leaves = _outside(regime, req.importer.locations) or req.importer.vague
    if rule.applies == "transfer" and not (req.importer.location_known and leaves):
        return None  # no transfer, or the transfer finding already reports the unknown location
    holds, facts = _holds(rule.when, regime, req)
    if holds is False:
        return None
    codes = " or ".join(_and(option) for option in rule.options)
    if holds is None:
        return _missing_fact(regime, rule, f"Whether {regime.name} requires {codes} here", facts)
    when = rule.when
    if rule.applies == "transfer":
        lead = f"{regime.name} requires {codes} for every transfer."
    elif when.exporter_role and when.importer_role:
        lead = (f"When a {when.exporter_role} passes data to a {when.importer_role}, {regime.name} requires "
                f"{codes}, whether or not the data leaves {regime.territory_name}.")
    else:
        lead = f"{regime.name} requires {codes} for this hop."
    return _against(regime, rule.id, "duty", rule.options, req, rule.citation, lead, rule.note)


def subjects_signature(kb: KnowledgeBase, residence: tuple[str, ...], citizenship: tuple[str, ...]) -> tuple:
    """All the rules can read of whose data it is (countries of ``residence`` and ``citizenship``).

    Per regime: whether the residence meets its territory, whether the citizenship does
    (None: none recorded) and whether either does (None: neither recorded), which is all
    ``_attachment``, ``_holds`` and ``_regime_key`` read of the subjects. Two requests that
    differ only in subjects with one signature are assessed alike (the flows assess such
    subject groups as one class: ``Assessor.subject_facts``).
    """
    people = residence + citizenship
    return tuple((bool(territory.intersection(residence)),
                  bool(territory.intersection(citizenship)) if citizenship else None,
                  bool(territory.intersection(people)) if people else None)
                 for territory in (regime.territory for regime in kb.regimes))


def collected_in_signature(kb: KnowledgeBase, countries: tuple[str, ...]) -> tuple:
    """All the rules can read of where the data was collected (``countries``; empty: not recorded).

    Per regime whose rules ask (``when.collected_in_territory``), whether any of
    ``countries`` is in its territory: two hops whose signatures agree are assessed alike.
    """
    if not countries:
        return ()
    return tuple(bool(territory.intersection(countries)) for territory in collected_in_readers(kb))


def collected_in_readers(kb: KnowledgeBase) -> tuple[frozenset, ...]:
    """The territories of the regimes whose rules ask where the data was collected, in the
    order of ``collected_in_signature``'s answer."""
    return tuple(frozenset(regime.territory) for regime in kb.regimes if any(
        r.when.collected_in_territory is not None
        for r in (*regime.mechanisms, *regime.localisation, *regime.duties, *regime.restrictions)))


def attached_fully(request: HopRequest, kb: KnowledgeBase | None = None, memo: dict | None = None) -> frozenset:
    """Ids of the regimes that fully attach to ``request`` by its own facts, inherited regimes aside.

    A regime in this set is unaffected by also being inherited, so a caller may leave it
    out of ``request.regimes`` without changing the assessment (``memo`` as ``assess_hop``).
    """
    own = replace(request, regimes=()) if request.regimes else request
    return frozenset(regime.id for regime, full in _attached(kb or load_knowledge_base(), own, memo) if full)
