"""The registry as a Fides manifest (fideslang ``Taxonomy``), out and in.

Out: data categories, data uses (purposes), data subjects (subject groups), and one
system per organisation. An engagement becomes a privacy declaration on the vendor's
system (named by the engagement key, with the exporter as its ingress) plus an egress
data flow on the exporter's system and an ingress flow on the vendor's; a collection
becomes a privacy declaration of the collecting organisation with ``user`` ingress.

Fides has no places, safeguards, roles, statuses or dates (fideslang 3 dropped its
third-country field). Those travel in each system's ``meta.registry``, which Fides keeps
but does not read, so a registry-to-registry trip is lossless; a manifest written by
other tools has none, and its engagements come in with their places unknown.

This module does not import fideslang (a test validates the export with it).
"""

from __future__ import annotations

import json
import re

import yaml

from ..domain.errors import ValidationError
from ..domain.model import CATEGORY_FLAGS, Category, Collection, Engagement, Organisation, Purpose
from ..store.base import Store
from . import objects

UNSPECIFIED_USE = "unspecified"  # the data use of an engagement that records no purpose
SUBJECT_KINDS = {"customer": "customers", "customers": "customers", "employee": "employees",
                 "employees": "employees", "prospect": "prospects", "prospects": "prospects",
                 "visitor": "visitors", "visitors": "visitors", "child": "children", "children": "children",
                 "end-users": "end-users", "end_users": "end-users", "end-user": "end-users"}
_ORG_FIELDS_IN_META = ("country", "website", "parent", "certifications", "publisher", "notice_days",
                       "privacy_contact", "provenance")
_ENG_FIELDS_IN_META = ("service", "importer_role", "store_countries", "access_countries", "safeguards", "status",
                       "effective_date", "end_date", "announced_date", "public", "retention", "internal_notes",
                       "early_start_reason", "provenance", "purposes")


def export_manifest(store: Store) -> dict:
    """The registry as a fideslang Taxonomy document (a JSON-ready dict, keys sorted)."""
    categories = store.list("category")
    purposes = store.list("purpose")
    groups = store.list("subject_group")
    organisations = store.list("organisation")
    engagements = store.list("engagement")
    collections = store.list("collection")
    systems = {o.key: _system(o) for o in organisations}
    for eng in engagements:
        _engagement_into(systems, eng)
    for col in collections:
        _collection_into(systems, col)
    return {
        "organization": [],
        "data_category": [_data_category(c) for c in categories],
        "data_use": _data_uses(purposes, engagements),
        "data_subject": [{"fides_key": g.key, "name": g.name, "description": g.description or None,
                          "tags": [f"kind:{g.kind}"]} for g in groups],
        "system": [systems[key] for key in sorted(systems)],
    }


def _data_category(category: Category) -> dict:
    """A category as a Fides data category; its flags travel as tags."""
    return {"fides_key": category.key, "name": category.name, "description": category.description or None,
            "parent_key": category.parent, **({"tags": category.flags} if category.flags else {})}


def _data_uses(purposes: list[Purpose], engagements: list[Engagement]) -> list[dict]:
    """Purposes as Fides data uses, plus the placeholder use when an engagement records no purpose."""
    uses = [{"fides_key": p.key, "name": p.name, "description": p.description or None,
             "tags": [f"legal-basis:{p.legal_basis}"]} for p in purposes]
    if any(not e.purposes for e in engagements):
        uses.append({"fides_key": UNSPECIFIED_USE, "name": "Purpose not recorded",
                     "description": "The registry records no purpose for this flow."})
    return uses


def _system(org: Organisation) -> dict:
    meta = {name: getattr(org, name) for name in _ORG_FIELDS_IN_META}
    return {"fides_key": org.key, "name": org.name, "description": org.description or None,
            "legal_name": org.legal_name or None, "system_type": "Service", "privacy_declarations": [],
            "egress": [], "ingress": [], "meta": {"registry": {"organisation": meta, "engagements": {},
                                                               "collections": {}}}}


def _flow(systems: dict, side: str, owner: str, other: str, categories: list[str], kind: str = "system") -> None:
    flows = systems[owner][side]
    existing = next((f for f in flows if f["fides_key"] == other and f["type"] == kind), None)
    if existing is None:
        flows.append({"fides_key": other, "type": kind, "data_categories": sorted(categories)})
    else:
        existing["data_categories"] = sorted(set(existing["data_categories"]) | set(categories))


def _engagement_into(systems: dict, eng: Engagement) -> None:
    vendor = systems[eng.importer]
    vendor["privacy_declarations"].append({
        "name": eng.key, "data_categories": list(eng.categories),
        "data_use": eng.purposes[0] if eng.purposes else UNSPECIFIED_USE,
        "data_subjects": list(eng.subject_groups), "ingress": [eng.exporter],
        "retention_period": eng.retention or None})
    _flow(systems, "egress", eng.exporter, eng.importer, eng.categories)
    _flow(systems, "ingress", eng.importer, eng.exporter, eng.categories)
    vendor["meta"]["registry"]["engagements"][eng.key] = {name: getattr(eng, name) for name in _ENG_FIELDS_IN_META}


def _collection_into(systems: dict, col: Collection) -> None:
    system = systems[col.organisation]
    system["privacy_declarations"].append({
        "name": col.key, "data_categories": list(col.categories),
        "data_use": col.purposes[0] if col.purposes else UNSPECIFIED_USE,
        "data_subjects": [col.subject_group], "ingress": []})
    _flow(systems, "ingress", col.organisation, "user", col.categories, kind="user")
    system["meta"]["registry"]["collections"][col.key] = {"purposes": list(col.purposes),
                                                          "description": col.description}


def dumps(manifest: dict) -> str:
    """The manifest as YAML, the form Fides reads (``fides push``)."""
    return yaml.safe_dump(_without_nones(manifest), sort_keys=False, allow_unicode=True)


def _without_nones(value):
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value


def loads(text: str, source: str = "manifest") -> dict:
    """Parse a manifest (YAML or JSON); ValidationError with the reason when it is neither."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source} is not YAML or JSON: {exc}", field="file") from None
    if isinstance(data, dict) and isinstance(data.get("resource"), dict):
        data = data["resource"]  # some tools wrap the taxonomy
    if not isinstance(data, dict):
        raise ValidationError(f"{source} is not a Fides manifest (expected a mapping of resource lists)",
                              field="file")
    return data


def local_key(fides_key: str, dotted: bool = False) -> str:
    """A registry key for a Fides key: lower case; dots kept only for categories."""
    # other keys allow neither dots nor underscores: both become hyphens
    text = re.sub(r"[^a-z0-9_.-]+" if dotted else r"[^a-z0-9-]+", "-", fides_key.lower())
    return text.strip("-")[:80]


def import_manifest(store: Store, actor: str, manifest: dict, dry_run: bool = False) -> dict[str, int]:
    """Add what ``manifest`` holds that the registry lacks (objects with a key already taken are
    left as they are), all in one unit of work; {kind: number added}.

    Raises ValidationError naming the object that the registry refuses and why.
    """
    built = _objects(manifest)
    counts: dict[str, int] = {}
    with store.unit_of_work(actor) as uow:
        for kind, data in built:
            if uow.store.find(kind, data["key"]) is not None:
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if not dry_run:
                try:
                    objects.create(uow.store, actor, kind, data)
                except ValidationError as exc:
                    raise ValidationError(f"{kind.replace('_', ' ')} {data['key']!r}: {exc.message}",
                                          field=exc.field) from None
        if not dry_run:
            uow.commit()
    return counts


def _list(manifest: dict, name: str) -> list[dict]:
    items = manifest.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("fides_key") for i in items):
        raise ValidationError(f"{name} must be a list of resources, each with a fides_key", field=name)
    return items


def _objects(manifest: dict) -> list[tuple[str, dict]]:
    """(kind, fields) to create, in an order that satisfies references."""
    out = _categories(_list(manifest, "data_category"))
    out += _purposes(_list(manifest, "data_use"))
    out += _subject_groups(_list(manifest, "data_subject"))
    systems = _list(manifest, "system")
    out += [("organisation", data) for data in _parents_first([_organisation(raw) for raw in systems])]
    flows = [item for index, raw in enumerate(systems) for item in _flows_of(raw, f"system[{index}]")]
    return out + flows + _undeclared_flows(systems, flows)


def _categories(resources: list[dict]) -> list[tuple[str, dict]]:
    """Categories, each after its parents; a parent the manifest lacks is added by its name."""
    out: list[tuple[str, dict]] = []
    categories = {local_key(c["fides_key"], dotted=True): c for c in resources}
    for key in sorted(categories, key=lambda k: (k.count("."), k)):
        for depth in range(key.count(".")):  # Fides lists parents, but a partial manifest may not
            parent = key.rsplit(".", key.count(".") - depth)[0]
            if parent not in categories:
                categories[parent] = {"name": parent.rsplit(".", 1)[-1]}
                out.append(("category", {"key": parent, "name": categories[parent]["name"]}))
        raw = categories[key]
        flags = [t for t in raw.get("tags") or [] if t in CATEGORY_FLAGS]
        out.append(("category", {"key": key, "name": raw.get("name") or key,
                                 "description": raw.get("description") or "", "flags": flags}))
    return out


def _tagged(raw: dict, prefix: str) -> list[str]:
    """The values of ``raw``'s tags that start with ``prefix``, the prefix removed."""
    return [t[len(prefix):] for t in raw.get("tags") or [] if isinstance(t, str) and t.startswith(prefix)]


def _purposes(resources: list[dict]) -> list[tuple[str, dict]]:
    """Purposes from data uses; the placeholder use of the export is not one."""
    out: list[tuple[str, dict]] = []
    for raw in resources:
        if raw["fides_key"] == UNSPECIFIED_USE:
            continue
        basis = _tagged(raw, "legal-basis:")
        out.append(("purpose", {"key": local_key(raw["fides_key"]), "name": raw.get("name") or raw["fides_key"],
                                "description": raw.get("description") or "", "legal_basis": (basis or ["unknown"])[0]}))
    return out


def _subject_groups(resources: list[dict]) -> list[tuple[str, dict]]:
    """Subject groups from data subjects; the kind from a ``kind:`` tag, else guessed from the key."""
    out: list[tuple[str, dict]] = []
    for raw in resources:
        tags = _tagged(raw, "kind:")
        kind = tags[0] if tags else SUBJECT_KINDS.get(raw["fides_key"].lower(), "other")
        out.append(("subject_group", {"key": local_key(raw["fides_key"]), "name": raw.get("name") or raw["fides_key"],
                                      "kind": kind, "description": raw.get("description") or ""}))
    return out


def _undeclared_flows(systems: list[dict], flows: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Engagements for the system egress flows that no declaration in ``flows`` describes."""
    out: list[tuple[str, dict]] = []
    pairs = {(data["exporter"], data["importer"]) for kind, data in flows if kind == "engagement"}
    for raw in systems:
        source = local_key(raw["fides_key"])
        for flow in raw.get("egress") or []:
            target = _system_target(flow)
            if target and (source, target) not in pairs:
                pairs.add((source, target))
                carried = [local_key(c, dotted=True) for c in flow.get("data_categories") or []]
                out.append(("engagement", {"key": local_key(f"{source}-to-{target}"), "exporter": source,
                                           "importer": target, "categories": carried}))
    return out


def _system_target(flow: dict) -> str:
    """The registry key of the system an egress flow goes to; "" when it goes to no system."""
    target = local_key(flow.get("fides_key", "")) if isinstance(flow, dict) else ""
    return target if flow.get("type") == "system" else ""


def _parents_first(orgs: list[dict]) -> list[dict]:
    """Organisations ordered so that each parent in the manifest comes before its members."""
    waiting = {data["key"]: data for data in sorted(orgs, key=lambda d: d["key"])}
    ordered: list[dict] = []
    while waiting:
        ready = [k for k, d in waiting.items() if d.get("parent") not in waiting or d.get("parent") == k]
        for key in ready or list(waiting):  # a loop in the parents: the service refuses it
            ordered.append(waiting.pop(key))
    return ordered


def _organisation(raw: dict) -> dict:
    meta = ((raw.get("meta") or {}).get("registry") or {}).get("organisation") or {}
    data = {"key": local_key(raw["fides_key"]), "name": raw.get("name") or raw["fides_key"],
            "legal_name": raw.get("legal_name") or "", "description": raw.get("description") or ""}
    data.update({k: v for k, v in meta.items() if k in _ORG_FIELDS_IN_META})
    return data


def _flows_of(raw: dict, where: str) -> list[tuple[str, dict]]:
    """Engagements (declarations with a system ingress) and collections (the others) of one system."""
    out: list[tuple[str, dict]] = []
    meta = (raw.get("meta") or {}).get("registry") or {}
    key = local_key(raw["fides_key"])
    for i, decl in enumerate(raw.get("privacy_declarations") or []):
        if not isinstance(decl, dict):
            raise ValidationError(f"{where}.privacy_declarations[{i}] must be a mapping", field=where)
        out += _declaration_flows(key, decl, local_key(decl.get("name") or f"{key}-{i + 1}"), meta)
    return out


def _declaration_flows(key: str, decl: dict, name: str, meta: dict) -> list[tuple[str, dict]]:
    """The engagements (with ingress) or collections (without) of system ``key``'s declaration
    ``name``; ``meta`` is the system's ``meta.registry``."""
    common = _declared(decl)
    ingress = [local_key(s) for s in decl.get("ingress") or []]
    if ingress:
        return _engagements(key, name, ingress, common, decl, meta.get("engagements") or {})
    if common["subject_groups"] and common["categories"]:
        return _collections(key, name, common, meta.get("collections") or {})
    return []


def _declared(decl: dict) -> dict:
    """The categories, purposes and subject groups a privacy declaration names, as registry keys."""
    use = decl.get("data_use")
    return {"categories": [local_key(c, dotted=True) for c in decl.get("data_categories") or []],
            "purposes": [local_key(use)] if use and use != UNSPECIFIED_USE else [],
            "subject_groups": [local_key(s) for s in decl.get("data_subjects") or []]}


def _engagements(importer: str, name: str, ingress: list[str], common: dict, decl: dict,
                 stated: dict) -> list[tuple[str, dict]]:
    """One engagement per exporter in a declaration's ingress; fields the registry stated in
    ``meta`` (``stated``, by engagement key) override what Fides holds."""
    out: list[tuple[str, dict]] = []
    for n, exporter in enumerate(ingress):
        eng_key = name if len(ingress) == 1 else f"{name}-{n + 1}"
        data = {"key": eng_key, "exporter": exporter, "importer": importer, "categories": common["categories"],
                "subject_groups": common["subject_groups"], "purposes": common["purposes"],
                "retention": decl.get("retention_period") or ""}
        data.update({k: v for k, v in (stated.get(eng_key) or {}).items() if k in _ENG_FIELDS_IN_META})
        out.append(("engagement", data))
    return out


def _collections(organisation: str, name: str, common: dict, stated: dict) -> list[tuple[str, dict]]:
    """One collection per subject group of a declaration without ingress; purposes and description
    from what the registry stated in ``meta`` (``stated``, by declaration name) when present."""
    mine = stated.get(name) or {}
    subjects = common["subject_groups"]
    return [("collection", {"key": name if len(subjects) == 1 else f"{name}-{n + 1}",
                            "organisation": organisation, "subject_group": subject,
                            "categories": common["categories"],
                            "purposes": mine.get("purposes", common["purposes"]),
                            "description": mine.get("description", "")})
            for n, subject in enumerate(subjects)]


def manifest_json(manifest: dict) -> str:
    """The manifest as canonical JSON (for comparisons and the API)."""
    return json.dumps(_without_nones(manifest), indent=2, sort_keys=True, ensure_ascii=False)
