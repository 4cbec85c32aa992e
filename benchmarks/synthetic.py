"""A synthetic large registry, in the export format, for the benchmarks.

Organisations sit in tiers; engagements go from one tier to the next (plus a few
back edges that make cycles), so chains are ``tiers - 1`` hops deep.
"""

import random

COUNTRIES = ["DE", "FR", "NL", "IE", "GB", "US", "CH", "IN", "UZ", "RU", "BR", "JP", "SG", "CA"]


def build(organisations=2000, engagements=10000, roots=10, children=10, tiers=5, collectors=200, seed=7):
    """An export document of the given size (deterministic for a given ``seed``)."""
    rng = random.Random(seed)
    categories = []
    for r in range(roots):
        categories.append({"key": f"c{r}", "name": f"Category {r}", "flags": []})
        for c in range(children):
            flags = ["special"] if (r, c) == (0, 0) else []
            categories.append({"key": f"c{r}.s{c}", "name": f"Category {r}.{c}", "flags": flags})
    orgs = [{"key": f"org-{i}", "name": f"Organisation {i}", "country": rng.choice(COUNTRIES),
             "certifications": ["dpf-eu"] if rng.random() < .3 else []} for i in range(organisations)]
    tier_of = {o["key"]: i * tiers // organisations for i, o in enumerate(orgs)}
    by_tier = [[o["key"] for o in orgs if tier_of[o["key"]] == t] for t in range(tiers)]
    groups = [{"key": f"g{i}", "name": f"Group {i}", "residence": [rng.choice(COUNTRIES)]} for i in range(20)]
    leaf_keys = [c["key"] for c in categories if "." in c["key"]]
    collections = [{"key": f"col-{i}", "organisation": by_tier[0][i % len(by_tier[0])],
                    "subject_group": rng.choice(groups)["key"],
                    "categories": rng.sample([c["key"] for c in categories if "." not in c["key"]], 3)}
                   for i in range(collectors)]
    edges, seen = [], set()
    while len(edges) < engagements:
        tier = rng.randrange(tiers - 1)
        src = rng.choice(by_tier[tier])
        dst = rng.choice(by_tier[tier + 1]) if rng.random() > .01 else rng.choice(by_tier[0])
        if src == dst or (src, dst) in seen:
            continue
        seen.add((src, dst))
        edges.append({"key": f"e-{len(edges)}", "exporter": src, "importer": dst,
                      "importer_role": "processor", "categories": rng.sample(leaf_keys, 4),
                      "store_countries": [rng.choice(COUNTRIES)],
                      "safeguards": [{"code": "scc:2"}] if rng.random() < .5 else [], "status": "active"})
    return {"format": "registry-export", "version": 1,
            "objects": {"category": categories, "subject_group": groups, "organisation": orgs,
                        "collection": collections, "engagement": edges}}
