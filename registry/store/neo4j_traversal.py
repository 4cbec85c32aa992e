"""The Neo4j store's traversal: one query for the candidate flow edges, walked in Python.

Measured against variable-length Cypher patterns, reading the candidate edges out in one
query (traversal/candidates) and walking them breadth first in Python
(``traversal.walk``) is the fastest way to answer on this graph model: the pattern
search re-checks the engagement predicate per expansion, the edge read checks it once
per engagement. The whole traversal runs in one read transaction. The store uses it inside
a unit of work; outside one it answers from the flow index (``flow_index``), whose reads
are at the end of this module.
"""

from .. import cypher
from . import neo4j_model as gm
from .base import Reach
from .neo4j_tx import rows as _rows
from .traversal import walk


def candidate_edges(tx, category, on, groups, planned):
    """(key, exporter, importer) of every engagement that could carry the flow."""
    result = tx.run(cypher.query("traversal/candidates"),
                    {"category": category, "on": on, "planned": planned, "groups": groups})
    return [tuple(record.values()) for record in result]


def _reach(tx, category, on, start, groups, planned, max_depth):
    """The traversal's read transaction: collections, engagements and organisations as rows, and the cut."""
    collections = _rows(tx, cypher.query("traversal/collections"), category=category, start=start, groups=groups)
    if start:
        starts = [start]
    else:
        starts = sorted({gm.to_dict("collection", r["props"], r["refs"])["organisation"] for r in collections})
    edges = candidate_edges(tx, category, on, groups, planned)
    keys, cut = walk(starts, edges, max_depth)
    org_keys = set(starts) | {x for key, src, dst in edges if key in keys for x in (src, dst)}
    engagements = _rows(tx, cypher.query("entity/fetch"), kind="engagement", keys=sorted(keys))
    organisations = _rows(tx, cypher.query("entity/fetch"), kind="organisation", keys=sorted(org_keys))
    return collections, engagements, organisations, cut


def reach(store, category, on, start=None, subject_groups=None, include_planned=False, max_depth=None):
    """``Store.reach`` for a Neo4jStore by its queries, in one read transaction (inside a unit
    of work; outside one the store answers from the flow index)."""
    groups = sorted(subject_groups) if subject_groups else None
    collections, engagements, organisations, cut = store._read(
        _reach, category=category, on=on, start=start, groups=groups, planned=bool(include_planned),
        max_depth=None if max_depth is None else int(max_depth))
    return Reach(collections=[gm.to_object("collection", r) for r in collections],
                 engagements=[gm.to_object("engagement", r) for r in engagements],
                 organisations={r["props"]["key"]: gm.to_object("organisation", r) for r in organisations},
                 cut=cut)


# -- what the flow index reads (flow_index.IndexSource) ------------------------------------
def index_version(store) -> tuple:
    """(database identity, newest audit id, audit records); the identity is made on first use."""
    row = store._read(_rows, cypher.query("index/version"))[0]
    identity = row["identity"]
    if identity is None and not store.in_transaction:
        identity = store._write(_rows, cypher.query("index/identity"))[0]["identity"]
    return identity, row["newest"], row["records"]


def index_changes(store, since: int, newest: int) -> list:
    return [(r["kind"], r["key"]) for r in store._read(_rows, cypher.query("index/changes"), since=since,
                                                        newest=newest)]


def index_load(store, kind: str, keys) -> list:
    if keys is None:
        return store.list(kind)
    rows = store._read(_rows, cypher.query("entity/fetch"), kind=kind, keys=sorted(keys))
    return [gm.to_object(kind, r) for r in rows]
