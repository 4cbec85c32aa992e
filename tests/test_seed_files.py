"""The seed data in seed/*.json: format, meaning, references, provenance and the demo's coverage.

The files use the registry's export format, are loaded in name order and merged; a key may
appear in two files only with identical content. The five policy files model public privacy
policies fact by fact, so every object in them cites its policy; the demo file is fictional
and shows deeper chains across many jurisdictions.
"""

import json
import os
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import pytest

from registry.domain.errors import ValidationError
from registry.domain.model import EXPORT_ORDER, category_matches, kind_class

SEED_DIR = Path(__file__).parent.parent / "seed"
# Where the policies themselves live; the quote check is skipped when they are not at hand.
POLICY_DIR = Path(os.environ.get("REGISTRY_POLICY_DIR", "/work/shared/seeds"))

SEED_KINDS = EXPORT_ORDER[:6]  # category, purpose, subject_group, organisation, collection, engagement
POLICY_FILES = {
    "10-softntechnology.json": "000_60832233b990caaf.txt",
    "11-softranet.json": "001_cb7d296f9cf87da5.txt",
    "12-softpro.json": "002_3b52f320a9515ee6.txt",
    "13-softsys.json": "003_927fe607e088a028.txt",
    "14-soft-ok.json": "004_eebf0e4a7c00d8c1.txt",
}
DEMO_FILE = "90-demo.json"
TAXONOMY_FILE = "00-taxonomy.json"
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
      "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


def seed_paths():
    return sorted(SEED_DIR.glob("*.json"))


@lru_cache(maxsize=None)
def load(name):
    return json.loads((SEED_DIR / name).read_text(encoding="utf-8"))


def raw_objects(name):
    """(kind, dict) for every object in one file, in file order."""
    return [(kind, data) for kind, items in load(name)["objects"].items() for data in items]


@lru_cache(maxsize=None)
def built(name):
    """kind -> {key: validated domain object} for one file."""
    out = {kind: {} for kind in SEED_KINDS}
    for kind, data in raw_objects(name):
        out[kind][data["key"]] = kind_class(kind).from_dict(data).validate()
    return out


@lru_cache(maxsize=None)
def merged():
    """kind -> {key: object} across all files, in name order."""
    out = {kind: {} for kind in SEED_KINDS}
    for path in seed_paths():
        for kind, objs in built(path.name).items():
            out[kind].update(objs)
    return out


def test_expected_files_present():
    names = {p.name for p in seed_paths()}
    assert {TAXONOMY_FILE, DEMO_FILE, *POLICY_FILES} <= names


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name)
def test_file_format(path):
    body = load(path.name)
    assert set(body) == {"format", "version", "objects"}
    assert body["format"] == "registry-export"
    assert body["version"] == 1
    assert isinstance(body["objects"], dict) and body["objects"]
    assert set(body["objects"]) <= set(SEED_KINDS), "unknown kind"
    for kind, items in body["objects"].items():
        assert isinstance(items, list) and items, kind
        for data in items:
            assert isinstance(data, dict), kind
            assert "version" not in data, f"{kind} {data.get('key')} carries a version"


@pytest.mark.parametrize("path", seed_paths(), ids=lambda p: p.name)
def test_objects_validate_and_are_in_normal_form(path):
    seen = set()
    for kind, data in raw_objects(path.name):
        try:
            obj = kind_class(kind).from_dict(data).validate()
        except ValidationError as exc:
            pytest.fail(f"{path.name}: {kind} {data.get('key')}: {exc.message}")
        assert (kind, obj.key) not in seen, f"{path.name}: {kind} {obj.key} twice in one file"
        seen.add((kind, obj.key))
        # Stored as an export would write it, so a re-import changes nothing. Only the fields the
        # file holds are compared: a field added to the model later takes its default.
        normal = obj.to_dict()
        assert {k: normal[k] for k in data} == data, f"{path.name}: {kind} {obj.key} is not in normal form"


def test_keys_unique_across_files_or_identical():
    first = {}
    for path in seed_paths():
        for kind, data in raw_objects(path.name):
            ident = (kind, data["key"])
            if ident in first:
                other_name, other = first[ident]
                assert other == data, f"{kind} {data['key']} differs between {other_name} and {path.name}"
            else:
                first[ident] = (path.name, data)


def test_every_reference_resolves():
    objects = merged()
    missing = []
    for kind, objs in objects.items():
        for obj in objs.values():
            for field, ref_kind, key in obj.references():
                if key not in objects[ref_kind]:
                    missing.append(f"{kind} {obj.key}.{field} -> {ref_kind} {key}")
    assert not missing, "\n".join(missing)


def test_no_parent_cycles():
    orgs = merged()["organisation"]
    for org in orgs.values():
        seen, current = set(), org
        while current.parent:
            assert current.key not in seen, f"parent cycle through {org.key}"
            seen.add(current.key)
            current = orgs[current.parent]


def test_taxonomy():
    cats = built(TAXONOMY_FILE)["category"]
    assert 30 <= len(cats) <= 60
    flags = {f for c in cats.values() for f in c.flags}
    assert {"special", "biometric", "telecom-subscriber", "payment", "children", "criminal"} <= flags
    for key in ("account", "account.contact", "account.contact.email", "account.contact.phone",
                "account.credentials", "billing", "billing.payment-card", "usage.logs", "usage.device",
                "content", "marketing", "support.tickets", "telecom.subscriber"):
        assert key in cats, key
    assert "payment" in cats["billing.payment-card"].flags
    assert "telecom-subscriber" in cats["telecom.subscriber"].flags
    # a flagged category's descendants carry the flag too (a flow carries all descendants)
    for cat in cats.values():
        if cat.parent:
            assert set(cats[cat.parent].flags) <= set(cat.flags), cat.key
    assert built(TAXONOMY_FILE)["purpose"], "shared purposes"
    # categories live in the taxonomy only, so each policy file can stay pure provenance
    for path in seed_paths():
        if path.name != TAXONOMY_FILE:
            assert "category" not in load(path.name)["objects"], path.name


# -- the five policy files ---------------------------------------------------------------------------------------

def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=None)
def policy_text(source):
    return _norm((POLICY_DIR / source).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(POLICY_FILES))
def test_policy_objects_cite_their_policy(name):
    sources = set(POLICY_FILES.values())
    own = POLICY_FILES[name]
    for kind, objs in built(name).items():
        for obj in objs.values():
            cited = [p for p in obj.provenance if p["source"] in sources]
            assert cited, f"{name}: {kind} {obj.key} has no provenance from a policy"
            assert any(p["source"] == own for p in cited), f"{name}: {kind} {obj.key} does not cite {own}"
            for entry in cited:
                assert entry.get("section") and entry.get("quote"), f"{name}: {kind} {obj.key}"
                assert len(entry["quote"].split()) <= 25, f"{name}: {kind} {obj.key}: quote too long"


@pytest.mark.skipif(not POLICY_DIR.is_dir(), reason="policy texts not available")
@pytest.mark.parametrize("name", sorted(POLICY_FILES))
def test_policy_quotes_are_verbatim(name):
    for kind, objs in built(name).items():
        for obj in objs.values():
            for entry in obj.provenance:
                if (POLICY_DIR / entry["source"]).is_file():
                    assert _norm(entry["quote"]) in policy_text(entry["source"]), \
                        f"{name}: {kind} {obj.key}: quote not found: {entry['quote']!r}"


@pytest.mark.parametrize("name", sorted(POLICY_FILES))
def test_policy_files_leave_the_unknown_unknown(name):
    objs = built(name)
    publishers = [o for o in objs["organisation"].values() if o.publisher]
    assert len(publishers) == 1, f"{name}: one publishing organisation per policy"
    for org in objs["organisation"].values():
        if "(not named)" in org.name:
            assert org.country is None and not org.website and not org.legal_name, org.key
        assert not org.certifications, f"{org.key}: no policy states a certification"
    for eng in objs["engagement"].values():
        # none of the five policies says where any recipient stores or accesses data
        assert eng.store_countries == [] and eng.access_countries == [], eng.key
        assert eng.status == "active" and eng.public, eng.key
        assert eng.effective_date is None and eng.announced_date is None, eng.key
    assert objs["collection"], f"{name}: paths start at collections"


def test_policy_facts():
    org = merged()["organisation"]
    assert org["softntechnology"].country == "UZ"
    assert org["softntechnology"].legal_name == '"SOFTWARE AND INFORMATION TECHNOLOGY" MCHJ'
    assert org["softranet"].country == "IN"
    for key in ("softpro", "softsys-hosting", "soft-ok", "stripe", "paypal", "facebook"):
        assert org[key].country is None, key
    engagements = merged()["engagement"]
    assert {e.importer for e in built("13-softsys.json")["engagement"].values()} == {"stripe", "paypal"}
    # Softntechnology's SCCs: modules follow from the recorded roles, with a note saying so
    for eng in built("10-softntechnology.json")["engagement"].values():
        expected = {"processor": "scc:2", "sub-processor": "scc:3"}[eng.importer_role]
        assert eng.safeguard_codes == [expected], eng.key
        assert "module" in eng.safeguards[0]["note"], eng.key
    # the other policies name no mechanism
    for name in ("11-softranet.json", "12-softpro.json", "13-softsys.json", "14-soft-ok.json"):
        assert all(not e.safeguards for e in built(name)["engagement"].values()), name
    groups = merged()["subject_group"]
    assert len(groups["softntechnology-eu-eea-subjects"].residence) == 30
    assert "softntechnology-hosting" in engagements


# -- the demo ----------------------------------------------------------------------------------------------------

def demo():
    return built(DEMO_FILE)


def test_demo_is_clearly_fictional():
    for org in demo()["organisation"].values():
        assert org.key.startswith("demo-"), org.key
        assert "fictional" in org.description.lower(), org.key
        if org.website:
            assert urlparse(org.website).hostname.endswith(".example"), org.key
        assert not org.provenance
    for group in demo()["subject_group"].values():
        assert "fictional" in group.description.lower(), group.key
    for eng in demo()["engagement"].values():
        for guard in eng.safeguards:
            if "document" in guard:
                assert urlparse(guard["document"]).hostname.endswith(".example"), eng.key


def test_demo_countries():
    objs = demo()
    countries = {o.country for o in objs["organisation"].values() if o.country}
    for eng in objs["engagement"].values():
        countries |= set(eng.store_countries) | set(eng.access_countries)
    for group in objs["subject_group"].values():
        countries |= set(group.residence) | set(group.citizenship)
    assert len(countries) >= 7
    assert {"DE", "GB", "US", "CH", "UZ", "RU", "IN"} <= countries
    assert len(countries & EU) >= 3


def test_demo_features():
    objs = demo()
    orgs, engs, groups = objs["organisation"], objs["engagement"], objs["subject_group"]
    today = date.today().isoformat()
    planned = [e for e in engs.values() if e.status == "planned"]
    assert planned and all(e.effective_date and e.announced_date for e in planned)
    assert any(e.effective_date > today or e.effective_date == "2026-12-20" for e in planned)
    assert any(e.status == "ended" and e.end_date for e in engs.values())
    assert any(set(e.access_countries) - set(e.store_countries) for e in engs.values()), "access from abroad"
    assert any(orgs[e.importer].country is None and not e.store_countries for e in engs.values())
    assert any(not e.public for e in engs.values()) and any(e.public for e in engs.values())
    assert any(e.internal_notes for e in engs.values())
    publishers = [o for o in orgs.values() if o.publisher]
    assert {o.notice_days for o in publishers} >= {30, 14}
    # safeguards: some complete, some incomplete
    codes = {c for e in engs.values() for c in e.safeguard_codes}
    assert {"dpf", "scc:2", "scc:3", "tia", "uk-idta", "tra", "local-primary-copy", "rkn-notification"} <= codes
    assert any("scc:3" in e.safeguard_codes and "tia" not in e.safeguard_codes for e in engs.values())
    # DE controller -> DPF-certified US processor
    assert any(orgs[e.exporter].country == "DE" and orgs[e.importer].country == "US"
               and "dpf-eu" in orgs[e.importer].certifications for e in engs.values())
    # UK exporter -> US importer without the UK Extension
    assert any(orgs[e.exporter].country == "GB" and orgs[e.importer].country == "US"
               and "dpf-uk" not in orgs[e.importer].certifications for e in engs.values())
    # Uzbek citizens' biometric data stored outside Uzbekistan, and ordinary Uzbek data at home
    uz = {g.key for g in groups.values() if "UZ" in g.citizenship}
    cats = merged()["category"]
    assert any(set(e.subject_groups) & uz and "UZ" not in e.store_countries
               and any("biometric" in cats[c].flags for c in e.categories) for e in engs.values())
    assert any(set(e.subject_groups) & uz and e.store_countries == ["UZ"] for e in engs.values())
    # Russian citizens' data stored in Russia, with a copy elsewhere
    ru = {g.key for g in groups.values() if "RU" in g.citizenship}
    assert any(set(e.subject_groups) & ru and e.store_countries == ["RU"] for e in engs.values())
    assert any(set(e.subject_groups) & ru and e.store_countries and "RU" not in e.store_countries
               for e in engs.values())
    assert any("CH" in g.residence for g in groups.values())


def chains(objects):
    """Longest flows per collection: lists of engagements that carry one category of one group.

    A hop continues a flow when its exporter is the previous importer, it carries a category
    matching the one flowing (narrowing it if more specific), concerns the group (or names
    none), and is not ended. Organisations are not revisited within one flow.
    """
    by_exporter = {}
    for eng in objects["engagement"].values():
        if eng.status != "ended":
            by_exporter.setdefault(eng.exporter, []).append(eng)
    found = []

    def walk(org, category, group, path, visited):
        extended = False
        for eng in by_exporter.get(org, []):
            if eng.importer in visited or (eng.subject_groups and group not in eng.subject_groups):
                continue
            for carried in eng.categories:
                if category_matches(carried, category):
                    narrower = max(carried, category, key=len)
                    walk(eng.importer, narrower, group, path + [eng], visited | {eng.importer})
                    extended = True
                    break
        if not extended and path:
            found.append(path)

    for coll in objects["collection"].values():
        for category in coll.categories:
            walk(coll.organisation, category, coll.subject_group, [], {coll.organisation})
    return found


def test_demo_chains_are_deep():
    objs = demo()
    orgs = objs["organisation"]
    flows = chains(objs)
    deepest = max(len(f) for f in flows)
    assert deepest >= 3
    deep_routes = {tuple([f[0].exporter] + [e.importer for e in f]) for f in flows if len(f) >= 3}
    assert len(deep_routes) >= 3, deep_routes
    # the canonical chain: EU controller -> DPF US processor -> Indian sub-processor on SCC 3 without TIA -> onward
    def canonical(flow):
        for i, (a, b) in enumerate(zip(flow, flow[1:])):
            if (orgs[a.exporter].country in EU and orgs[a.importer].country == "US" and "dpf" in a.safeguard_codes
                    and orgs[b.importer].country == "IN" and "scc:3" in b.safeguard_codes
                    and "tia" not in b.safeguard_codes and len(flow) - i >= 3):
                return True
        return False

    assert any(canonical(f) for f in flows)


def test_policy_models_have_paths():
    """Every engagement in a policy file is reachable from one of its collections."""
    for name in POLICY_FILES:
        objs = merged()
        reached = {e.key for f in chains(objs) for e in f}
        for eng in built(name)["engagement"].values():
            if eng.categories == ["anonymised-statistics"]:
                continue  # produced by the organisation, not collected
            assert eng.key in reached, f"{name}: {eng.key} is on no path"
