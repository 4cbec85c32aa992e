"""How registry objects map onto the property graph (used by ``Neo4jStore``).

Every object is a node with two labels: ``:Entity`` (shared, with the properties
``entity_kind`` and ``key`` under one composite uniqueness constraint, so that lookups
by kind are index seeks -- Neo4j 5.26 cannot use an index behind a dynamic label) and
one label per kind (``:Organisation``, ``:Engagement``, ...; used by the traversal, and
under no constraint of its own: ``entity_kind_key`` makes keys unique per kind). Scalar
and list fields are properties; nested structures (``safeguards``, ``provenance``) are
JSON strings. A reference is a relationship typed by kind and field (RELATIONSHIPS),
from the referring node to the referred one -- except an engagement's exporter, drawn
the way data flows so that a chain is a directed path: ``(exporter)-[:ENGAGES]->(e:Engagement)-[:ENGAGED]->(importer)``.
``pos`` on a relationship keeps the order of list fields; it is absent where it would be 0
(single references, a list's first item), which saves the bulk of a large import's property
records, and is read as 0. ``display_name`` holds
``obj.label``, which ``list(query=...)`` searches, as the SQLite store's name column.
"""

import functools
import json
from dataclasses import fields

from ..domain.model import kind_class

LABELS = {
    "organisation": "Organisation",
    "subject_group": "SubjectGroup",
    "category": "Category",
    "purpose": "Purpose",
    "collection": "Collection",
    "engagement": "Engagement",
    "change": "ChangeEntry",
    "subscription": "Subscription",
    "objection": "Objection",
    "triage": "Triage",
}

# (kind, field) -> relationship type, pointing from the referrer to the referred object.
RELATIONSHIPS = {
    ("organisation", "parent"): "SUBSIDIARY_OF",
    ("category", "key"): "PART_OF",  # the parent implied by a dotted key
    ("collection", "organisation"): "COLLECTED_BY",
    ("collection", "subject_group"): "CONCERNS",
    ("collection", "categories"): "COLLECTS",
    ("collection", "purposes"): "FOR_PURPOSE",
    ("engagement", "exporter"): "ENGAGES",  # reversed: (exporter)-[:ENGAGES]->(engagement)
    ("engagement", "importer"): "ENGAGED",
    ("engagement", "purposes"): "FOR_PURPOSE",
    ("engagement", "categories"): "CARRIES",
    ("engagement", "subject_groups"): "CONCERNS",
    ("change", "publisher"): "PUBLISHED_BY",
    ("subscription", "publisher"): "SUBSCRIBES_TO",
    ("objection", "engagement"): "OBJECTS_TO",
}
FIELDS_BY_TYPE = {(kind, rel): name for (kind, name), rel in RELATIONSHIPS.items()}
# References drawn from the referred object to the referrer (the Cypher files that read
# or delete an object's own references spell this type out: keep them in step).
REVERSED = frozenset({("engagement", "exporter")})

JSON_FIELDS = frozenset({"safeguards", "provenance"})
INTERNAL = frozenset({"entity_kind", "version", "display_name"})


def label(kind):
    """The kind's node label; KeyError names a kind the graph model does not know."""
    return LABELS[kind]


def field_of(kind, rel_type):
    """The field of ``kind`` that a relationship of ``rel_type`` stands for."""
    return FIELDS_BY_TYPE.get((kind, rel_type), rel_type.lower())


@functools.cache
def _ref_fields(cls):
    return frozenset(f.name for f in fields(cls) if f.metadata.get("ref"))


@functools.cache
def _field_names(cls):
    return tuple(f.name for f in fields(cls) if f.name != "version")


def node_properties(obj, version):
    """The node's properties for ``obj``: fields except references, plus bookkeeping."""
    refs = _ref_fields(type(obj))
    props = {"entity_kind": obj.KIND, "version": version, "display_name": obj.label}
    for name in _field_names(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        if name in refs:
            if not value and not isinstance(value, list):
                props[name] = value  # e.g. "": no relationship, but round-trip the value
            continue
        if name in JSON_FIELDS:
            value = json.dumps(value)
        elif isinstance(value, tuple):
            value = list(value)
        props[name] = value
    return props


def links(obj):
    """Relationships to create for ``obj``: ((from kind, from key), (to kind, to key), type, pos);
    pos is None for 0 (see the module doc)."""
    out, seen = [], {}
    for name, kind, key in obj.references():
        pos = seen.get(name, 0)
        seen[name] = pos + 1
        ends = [(obj.KIND, obj.key), (kind, key)]
        if (obj.KIND, name) in REVERSED:
            ends.reverse()
        out.append((ends[0], ends[1], RELATIONSHIPS[(obj.KIND, name)], pos or None))
    return out


def link_parameters(objects):
    """The parameters of ``entity/link`` for the relationships of ``objects``: each end once."""
    position: dict = {}
    rows = []
    for obj in objects:
        for start, end, rel_type, pos in links(obj):
            a = position.setdefault(start, len(position))
            b = position.setdefault(end, len(position))
            rows.append({"a": a, "b": b, "type": rel_type, "pos": pos})
    nodes = [{"kind": kind, "key": key} for kind, key in position]
    return {"nodes": nodes, "links": rows}


def to_dict(kind, props, refs):
    """The object as ``to_dict()`` gave it when stored, from a node and its references."""
    cls = kind_class(kind)
    refs_by_field = {}
    for ref in sorted(refs, key=lambda r: r.get("pos") or 0):
        refs_by_field.setdefault(field_of(kind, ref["type"]), []).append(ref["key"])
    list_refs = {f.name for f in fields(cls) if f.metadata.get("ref") and f.default_factory is list}
    out = {}
    for f in fields(cls):
        if f.name == "version":
            continue
        value = props.get(f.name)
        if f.metadata.get("ref"):
            keys = refs_by_field.get(f.name, [])
            value = keys if f.name in list_refs else (keys[0] if keys else value)
        elif f.name in JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        out[f.name] = value
    return out


def to_object(kind, row):
    """A domain object from a row with ``props`` and ``refs`` (see entity/fetch)."""
    obj = kind_class(kind)(**to_dict(kind, row["props"], row["refs"]))
    obj.version = row["props"]["version"]
    return obj


def filter_specs(kind, filters):
    """``list`` filters as parameter maps for entity/list (see its header)."""
    cls = kind_class(kind)
    many = {f.name for f in fields(cls) if f.default_factory is list}
    refs = _ref_fields(cls)
    specs = []
    for name, value in (filters or {}).items():
        rel = RELATIONSHIPS.get((kind, name)) if name in refs else None
        if rel and value is not None and not value:
            rel = None  # a stored "" is a property, not a relationship
        mode = "rel" if rel else ("never" if name in JSON_FIELDS or name in INTERNAL
                                  else "many" if name in many else "value")
        specs.append({"field": name, "value": value, "rel": rel, "mode": mode,
                      "reversed": (kind, name) in REVERSED})
    return specs
