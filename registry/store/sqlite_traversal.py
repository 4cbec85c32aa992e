"""The embedded store's traversal: the candidate flow edges, then a walk in Python.

Outside a unit of work the candidates come from the flow index (``sqlite_index``: the
objects a traversal reads, in memory, kept current from the audit log); inside one, from
one indexed query (below), so that the unit of work sees its own writes.

The SQL repeats two rules of the domain (``Engagement.in_force`` and
``category_matches``); tests/contract/test_reach.py checks these copies against the
Python ones on the same cases.
"""

import json

from ..domain.model import category_matches
from . import sqlite_index
from .base import Reach
from .traversal import walk, walk_with_ends

# Engagement.in_force, over the JSON document of engagement ``e``.
IN_FORCE = """
    ((json_extract(e.data, '$.status') = 'planned' AND :planned)
     OR ((json_extract(e.data, '$.status') = 'active'
          OR (json_extract(e.data, '$.status') = 'ended' AND json_extract(e.data, '$.end_date') IS NOT NULL))
         AND coalesce(json_extract(e.data, '$.effective_date'), '') <= :on
         AND (json_extract(e.data, '$.end_date') IS NULL OR json_extract(e.data, '$.end_date') > :on)))
"""

# category_matches: the asked category itself, its ancestors and its descendants. Driving
# the search from this small set uses the refs index instead of scanning engagements.
MATCHING_CATEGORIES = """
  cats(key) AS (
    SELECT key FROM entities WHERE kind = 'category'
      AND (key = :cat OR :cat LIKE key || '.%' OR key LIKE :cat || '.%'))"""

# An engagement naming no group concerns every group.
_CONCERNS_GROUPS = """
  (:groups IS NULL
   OR NOT EXISTS (SELECT 1 FROM refs r WHERE r.src_kind = 'engagement' AND r.src_key = e.key
                  AND r.field = 'subject_groups')
   OR EXISTS (SELECT 1 FROM refs r WHERE r.src_kind = 'engagement' AND r.src_key = e.key
              AND r.field = 'subject_groups' AND r.dst_key IN (SELECT value FROM json_each(:groups))))
"""

# Every engagement that could carry the flow: those carrying a matching category, and
# those recording no category at all (the registry does not know what they receive, so
# they cannot be left out). The walk from the starts is done in Python over this set (a
# recursive CTE joining it level by level was 30x slower).
CANDIDATES_SQL = f"""
WITH {MATCHING_CATEGORIES}
SELECT DISTINCT e.key, json_extract(e.data, '$.exporter'), json_extract(e.data, '$.importer')
FROM cats CROSS JOIN refs c  -- CROSS JOIN keeps this order: the few categories first
JOIN entities e ON e.kind = 'engagement' AND e.key = c.src_key
WHERE c.dst_kind = 'category' AND c.dst_key = cats.key
  AND c.src_kind = 'engagement' AND c.field = 'categories'
  AND {IN_FORCE}
  AND {_CONCERNS_GROUPS}
UNION
SELECT e.key, json_extract(e.data, '$.exporter'), json_extract(e.data, '$.importer')
FROM entities e
WHERE e.kind = 'engagement' AND json_array_length(e.data, '$.categories') = 0  -- see UNCATEGORISED_INDEX
  AND {IN_FORCE}
  AND {_CONCERNS_GROUPS}
"""

# The partial index that makes the second half of CANDIDATES_SQL a seek instead of a scan
# of every engagement (its WHERE must stay the same expression as the query's). It belongs
# in the store's migrations; benchmarks/flows.py creates it when it is missing.
UNCATEGORISED_INDEX = """
CREATE INDEX entities_uncategorised ON entities (kind, key)
WHERE json_array_length(data, '$.categories') = 0
"""

COLLECTIONS_SQL = f"""
WITH {MATCHING_CATEGORIES}
SELECT DISTINCT e.key FROM entities e JOIN refs r
  ON r.src_kind = 'collection' AND r.src_key = e.key AND r.field = 'categories'
WHERE e.kind = 'collection' AND r.dst_key IN (SELECT key FROM cats)
  AND (:start IS NULL OR json_extract(e.data, '$.organisation') = :start)
  AND (:groups IS NULL OR json_extract(e.data, '$.subject_group') IN (SELECT value FROM json_each(:groups)))
"""


def candidate_edges(conn, category, on, subject_groups=None, include_planned=False):
    """(key, exporter, importer) of every engagement that could carry the flow (see CANDIDATES_SQL)."""
    groups = json.dumps(sorted(subject_groups)) if subject_groups else None
    return conn.execute(CANDIDATES_SQL, {"cat": category, "on": on, "planned": int(bool(include_planned)),
                                         "groups": groups}).fetchall()


def reach(store, category, on, start=None, subject_groups=None, include_planned=False, max_depth=None):
    """``Store.reach`` for a SQLiteStore: from the flow index, or inside a unit of work (whose
    writes the index must not see) from the queries above."""
    if store.in_transaction:
        return _reach_by_queries(store, category, on, start, subject_groups, include_planned, max_depth)
    index = sqlite_index.current(store)
    collections = sorted((c for c in index.all("collection")
                          if any(category_matches(k, category) for k in c.categories)
                          and (start is None or c.organisation == start)
                          and (not subject_groups or c.subject_group in subject_groups)), key=lambda c: c.key)
    starts = [start] if start else sorted({c.organisation for c in collections})
    keys, cut, ends = walk_with_ends(starts, index.candidates(category, on, subject_groups, include_planned),
                                     max_depth)
    keys.sort()
    engagements = index.get("engagement", keys)
    organisations = {o.key: o for o in index.get("organisation", ends)}
    return Reach(collections=collections, engagements=engagements, organisations=organisations, cut=cut)


def _reach_by_queries(store, category, on, start=None, subject_groups=None, include_planned=False,
                      max_depth=None):
    groups = json.dumps(sorted(subject_groups)) if subject_groups else None
    collection_keys = [r[0] for r in store.conn.execute(
        COLLECTIONS_SQL, {"cat": category, "start": start, "groups": groups})]
    collections = store._find_many("collection", collection_keys)
    starts = [start] if start else sorted({c.organisation for c in collections})
    edges = candidate_edges(store.conn, category, on, subject_groups, include_planned)
    keys, cut = walk(starts, edges, max_depth)
    engagements = store._find_many("engagement", keys)
    org_keys = set(starts) | {e.exporter for e in engagements} | {e.importer for e in engagements}
    organisations = {o.key: o for o in store._find_many("organisation", org_keys)}
    return Reach(collections=collections, engagements=engagements, organisations=organisations, cut=cut)
