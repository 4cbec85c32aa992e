"""Names for the keys a page shows, fetched in one batch per kind (never one query per row)."""

from collections import defaultdict

from ..domain.countries import country_name


def names_for(store, objects, extra=None) -> dict[str, dict[str, str]]:
    """{kind: {key: label}} for every object ``objects`` reference, plus ``extra`` {kind: keys}."""
    wanted = defaultdict(set)
    for obj in objects:
        for _field, kind, key in obj.references():
            wanted[kind].add(key)
    for kind, keys in (extra or {}).items():
        # keys read from audit records may be any JSON value (a flag, a number): only strings name objects
        wanted[kind].update(k for k in keys if isinstance(k, str) and k)
    out, engagements = {}, []
    for kind, keys in wanted.items():
        found = store.find_many(kind, sorted(keys))
        out[kind] = {o.key: o.label for o in found}
        if kind == "engagement":
            engagements = found
    if engagements:  # an engagement is named by its organisations' names, not their keys
        _name_engagements(store, engagements, out)
    return out


def _name_engagements(store, engagements: list, names: dict[str, dict[str, str]]) -> None:
    """Into ``names``: the organisations of ``engagements`` not named yet, then each engagement's title."""
    orgs = names.setdefault("organisation", {})
    missing = {k for e in engagements for k in (e.exporter, e.importer) if k not in orgs}
    orgs.update({o.key: o.label for o in store.find_many("organisation", sorted(missing))})
    names["engagement"] = {e.key: engagement_title(e, names) for e in engagements}


def engagement_title(engagement, names) -> str:
    """"Exporter → Importer: service", by name where known."""
    orgs = names.get("organisation", {})
    return (f"{orgs.get(engagement.exporter, engagement.exporter)} → "
            f"{orgs.get(engagement.importer, engagement.importer)}"
            + (f": {engagement.service}" if engagement.service else ""))


def countries(codes) -> str:
    """Country codes as names, comma-separated ("not known" for none)."""
    return ", ".join(country_name(c) for c in codes) if codes else "not known"
