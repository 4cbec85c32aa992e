"""The embedded store's traversal: the candidate flow edges, then a walk in Python.

Outside a unit of work the store answers from the flow index (``flow_index``: the objects
a traversal reads, in memory, kept current from the audit log; this module gives it its
reads); inside one, from one indexed query (below), so that the unit of work sees its own
writes.

The SQL repeats two rules of the domain (``Engagement.in_force`` and
``category_matches``); tests/contract/test_reach.py checks these copies against the
Python ones on the same cases.
"""

import json
import sqlite3

from ..domain.model import kind_class
from .base import Reach
from .traversal import walk

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
    """``Store.reach`` for a SQLiteStore by its queries (inside a unit of work; see the module doc)."""
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


# -- what the flow index reads (flow_index.IndexSource) ------------------------------------
def index_version(conn) -> tuple:
    """(database identity, newest audit id, records): SQLite never removes audit records, and
    its AUTOINCREMENT ids leave no gaps, so the newest id counts them."""
    try:
        identity, newest = conn.execute("SELECT (SELECT id FROM database_identity), "
                                        "(SELECT coalesce(max(id), 0) FROM audit)").fetchone()
    except sqlite3.OperationalError:  # a database not yet migrated to 5: no index until `registry init`
        return None, 0, 0
    return identity, newest, newest


def index_changes(conn, since: int, newest: int) -> list:
    return conn.execute("SELECT kind, key FROM audit WHERE id > ? AND id <= ?", (since, newest)).fetchall()


def index_load(conn, kind: str, keys) -> list:
    if keys is None:
        rows = conn.execute("SELECT data, version FROM entities WHERE kind = ?", (kind,))
    else:
        rows = conn.execute("SELECT data, version FROM entities WHERE kind = ? AND key IN "
                            "(SELECT value FROM json_each(?))", (kind, json.dumps(sorted(keys))))
    cls = kind_class(kind)
    found = []
    for row in rows:
        obj = cls(**json.loads(row[0]))
        obj.version = row[1]
        found.append(obj)
    return found
