"""The flow assessor: memoised assessments equal fresh ones, and the memo key covers what is read."""

from datetime import date

from registry.domain.model import Category, Engagement, Organisation, SubjectGroup
from registry.services.flows_assess import UNRECORDED, Assessor, CategoryFlags
from registry.transfers.assess import assess_hop
from registry.transfers.knowledge import load_knowledge_base
from registry.transfers.request import parse_hop_request

ON = "2026-11-22"
CATEGORIES = [Category(key="account", name="Account"), Category(key="account.contact", name="Contact"),
              Category(key="health", name="Health", flags=["special"]),
              Category(key="health.genome", name="Genome", flags=["genetic"])]
ORGS = {"de": Organisation(key="de", name="DE", country="DE"),
        "us": Organisation(key="us", name="US", country="US", certifications=["dpf-eu"]),
        "in": Organisation(key="in", name="IN", country="IN"),
        "nowhere": Organisation(key="nowhere", name="Unknown")}
GROUPS = [SubjectGroup(key="eu", name="EU", residence=["FR"]),
          SubjectGroup(key="uz", name="UZ", residence=["UZ"], citizenship=["UZ"], individuals=5000), UNRECORDED]


def _engagements():
    yield Engagement(key="a", exporter="de", importer="us", categories=["account"], safeguards=[{"code": "scc:2"}])
    yield Engagement(key="b", exporter="us", importer="in", categories=["health"], importer_role="controller")
    yield Engagement(key="c", exporter="de", importer="nowhere", categories=[], store_countries=["IN"])
    yield Engagement(key="d", exporter="nowhere", importer="de", categories=["account.contact"],
                     access_countries=["US"])


def _fresh(engagement, role, group, regimes, asked):
    keys, flags = CategoryFlags(CATEGORIES, asked).carried(engagement.categories)
    importer = ORGS[engagement.importer]
    request = {"on": ON, "exporter": {"country": ORGS[engagement.exporter].country, "role": role},
               "importer": {"country": importer.country,
                            "role": "controller" if engagement.importer_role == "controller" else "processor",
                            "certifications": importer.certifications,
                            "stores_in": engagement.store_countries or ([importer.country] if importer.country else []),
                            "accesses_from": engagement.access_countries},
               "subjects": {"residence": group.residence, "citizenship": group.citizenship},
               "categories": list(keys), "flags": list(flags), "safeguards": engagement.safeguard_codes,
               "regimes": sorted(regimes)}
    if group.individuals is not None:
        request["individuals_per_year"] = group.individuals
    return assess_hop(parse_hop_request(request, date.fromisoformat(ON)), load_knowledge_base()).to_dict()


def test_memoised_assessments_equal_fresh_ones():
    for asked in ("account", "health.genome"):
        assessor = Assessor(CATEGORIES, asked, ON)
        for round_ in range(2):  # the second round comes from the memo
            for e in _engagements():
                for role in ("controller", "processor"):
                    for group in GROUPS:
                        for regimes in (frozenset(), frozenset({"eu-gdpr"}), frozenset({"uz-zru547", "in-dpdp"})):
                            base = assessor.base(e, ORGS[e.exporter], ORGS[e.importer], role, group)
                            # the status first in the first round: it must not lean on the assessment's memo
                            status = assessor.status(base, regimes) if round_ == 0 else None
                            got = assessor.assessment(base, regimes)
                            assert assessor.status(base, regimes) == got["status"] == (status or got["status"])
                            fresh = _fresh(e, role, group, regimes, asked)
                            extra = [f for f in got["findings"] if f["regime"] == "unknown"
                                     and f["rule"] in ("subjects", "categories", "subject-groups")]
                            assert [f for f in got["findings"] if f not in extra] == fresh["findings"]
                            assert got["regimes"] == fresh["regimes"]
                            assert bool(extra) == (group is UNRECORDED or not e.categories or not e.subject_groups)


def test_the_memo_key_leaves_out_only_what_the_assessment_does_not_read():
    """The memo key omits the carried keys and the exporter's certifications: they must not change a result."""
    kb = load_knowledge_base()
    base = {"on": ON, "exporter": {"country": "DE", "role": "controller"},
            "importer": {"country": "IN", "role": "processor", "stores_in": ["IN"]},
            "subjects": {"residence": ["DE"]}, "categories": ["account"], "flags": ["special"]}
    first = assess_hop(parse_hop_request(base, date.fromisoformat(ON)), kb).to_dict()
    other = dict(base, categories=["health.genome", "x.y"],
                 exporter=dict(base["exporter"], certifications=["dpf-eu", "iso27001"]))
    assert assess_hop(parse_hop_request(other, date.fromisoformat(ON)), kb).to_dict() == first


def test_flags_come_from_ancestors_and_descendants_of_what_is_carried():
    flags = CategoryFlags(CATEGORIES, "health")
    assert flags.carried(["health.genome"]) == (("health.genome",), ("genetic", "special"))
    assert flags.carried(["account", "health"]) == (("health",), ("genetic", "special"))
    assert CategoryFlags(CATEGORIES, "account").carried(["health"]) == ((), ())


def test_parts_hold_exactly_the_assessments_findings():
    """The survey folds findings by parts (per regime); they must be the assessment's findings, no more, no fewer."""
    from registry.services.flows_assess import forget_assessments

    contexts = [(e, role, group, regimes) for e in _engagements() for role in ("controller", "processor")
                for group in GROUPS
                for regimes in (frozenset(), frozenset({"eu-gdpr"}), frozenset({"uz-zru547", "in-dpdp"}))]
    seen = set()
    for parts_first in (True, False):
        forget_assessments()  # each order on a fresh memo: neither may lean on the other's results
        assessor = Assessor(CATEGORIES, "account", ON)
        for e, role, group, regimes in contexts:
            base = assessor.base(e, ORGS[e.exporter], ORGS[e.importer], role, group)
            parts = assessor.parts(base, regimes) if parts_first else None
            full = assessor.assessment(base, regimes)
            parts = parts or assessor.parts(base, regimes)
            folded = sorted((repr(sorted(f.items())) for part in parts for f in part))
            assert folded == sorted(repr(sorted(f.items())) for f in full["findings"])
            seen |= {f["rule"] for part in parts for f in part}
    assert {"establishment", "subjects", "categories"} <= seen
