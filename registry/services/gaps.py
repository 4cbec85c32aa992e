"""Every finding that needs attention, across the whole registry."""

from dataclasses import dataclass

from .paths import STATUS_ORDER, where_does_it_go


@dataclass(frozen=True)
class Gap:
    """One non-ok finding on one engagement (the worst over the paths through it)."""

    engagement: str
    exporter: str
    importer: str
    finding: dict


def _roots(keys):
    """Drop keys whose ancestor is also present: a question about the ancestor covers them."""
    keys = sorted(set(keys))
    return [k for k in keys if not any(k.startswith(other + ".") for other in keys)]


def findings_by_engagement(store, on=None, include_planned=False, engagements=None):
    """{engagement key: [finding dicts]}, worst per regime, over every path in the registry.

    Paths start at every collection; engagements no collection reaches are assessed
    from their exporter, with subjects unrecorded. Given ``engagements`` (objects), only
    the categories they carry are asked about, and only they are assessed if unreached.
    """
    found = {}

    def absorb(answer):
        for hop in answer.hops():
            per_regime = found.setdefault(hop.engagement.key, {})
            for finding in hop.assessment["findings"]:
                key = (finding["regime"], finding.get("basis"))
                known = per_regime.get(key)
                if known is None or STATUS_ORDER[finding["status"]] < STATUS_ORDER[known["status"]]:
                    per_regime[key] = finding

    statuses = ("active", "planned") if include_planned else ("active",)
    if engagements is None:
        questions = _roots(c for col in store.list("collection") for c in col.categories)
        engagements = [e for s in statuses for e in store.list("engagement", filters={"status": s})]
    else:
        questions = _roots(c for e in engagements for c in e.categories)
    for category in questions:
        absorb(where_does_it_go(store, category, on=on, include_planned=include_planned))
    for engagement in engagements:
        if engagement.key not in found and engagement.status in statuses:
            for category in _roots(engagement.categories):
                absorb(where_does_it_go(store, category, on=on, start=engagement.exporter,
                                        include_planned=include_planned))
    return {key: sorted(per.values(), key=lambda f: STATUS_ORDER[f["status"]]) for key, per in found.items()}


def registry_gaps(store, on=None, include_planned=False):
    """Every violation, action and unknown, worst first, as Gap rows."""
    engagements = {e.key: e for e in store.list("engagement")}
    rows = []
    for key, findings in findings_by_engagement(store, on, include_planned).items():
        e = engagements.get(key)
        for finding in findings:
            if finding["status"] != "ok" and e is not None:
                rows.append(Gap(key, e.exporter, e.importer, finding))
    return sorted(rows, key=lambda g: (STATUS_ORDER[g.finding["status"]], g.engagement, g.finding["regime"]))
