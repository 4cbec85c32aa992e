"""Pictures of the registry: vendor networks, maps of where data lives, vendor concentration."""

import json
from typing import Any

from flask import render_template, request, url_for
from markupsafe import Markup

from ..auth import role_required
from ..db import get_store
from . import bp, search
from . import pictures as draw
from .names import names_for
from .survey_cache import findings as survey_findings
from .survey_cache import in_force


def chart(figure: dict, target: str) -> Markup:
    """A figure as a JSON data block that static/admin.js draws (no inline script: the CSP allows none)."""
    text = json.dumps(figure, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")
    return Markup('<div id="{0}" class="chart-box"></div>'
                  '<script type="application/json" class="chart-data" data-target="{0}">').format(target) + \
        Markup(text) + Markup("</script>")


def _organisation(store, problems):
    text = request.args.get("organisation", "").strip()
    if not text:
        return None
    key, candidates = search.resolve_organisation(store, text)
    if key is None:
        problems.append(f"organisation: no single organisation is called {text!r}" +
                        (f" (perhaps {', '.join(o.name for o in candidates[:5])})" if candidates else ""))
    return key


_reach_kept: list = []  # [(survey, its _reach_of)]: the newest survey's, kept while it is the newest


def _reach_of(found):
    """({engagement: paths through it}, {engagement: subject groups reaching it}) from the survey.

    Read from every context of every finding (millions at 50,000 engagements), so kept for
    the survey it was read from.
    """
    kept = _reach_kept[0] if _reach_kept else None
    if kept is not None and kept[0] is found:
        return kept[1]
    result = _read_reach(found)
    _reach_kept[:] = [(found, result)]
    return result


def _read_reach(found):
    paths, groups = {}, {}
    for key, findings in found.by_engagement.items():
        paths[key] = max((g.routes() for g in findings.values()), default=0)
        groups[key] = {k for g in findings.values() for k in g.subject_groups() if k}
    return paths, groups


@bp.route("/pictures")
@role_required("viewer")
def pictures():
    """One page, three pictures, each chosen by its own small form (all GET, no script needed to ask)."""
    store = get_store()
    problems = []
    # The pictures need every engagement in force, not the findings: those only colour the
    # network, and are used when the survey is at hand (see survey_cache).
    state = survey_findings(store)
    found = state.survey
    engagements, organisations = in_force(store, state)
    context = {"problems": problems, "args": request.args.to_dict(), "survey_state": state,
               "categories": [(c.key, c.name, c.key.count(".")) for c in store.list("category")]}
    view = request.args.get("view", "concentration")
    context["view"] = view
    org = _organisation(store, problems)
    if view == "network" and org:
        network = draw.vendor_network(org, engagements, organisations,
                                          found.findings if found else (lambda _key: []))
        context.update(network=network, chart=chart(network.figure, "network-chart"),
                       organisation=organisations.get(org))
    elif view == "map":
        context.update(_map_context(store, org, engagements, organisations, problems))
    else:
        paths, groups = _reach_of(found) if found else (None, None)
        rows = draw.concentration(engagements, organisations, paths, groups)
        context.update(rows=rows, chart=chart(draw.concentration_chart(rows), "concentration-chart"))
    context["names"] = names_for(store, [], extra={"organisation": [org] if org else []})
    return render_template("admin/pictures.html", **context), 400 if problems else 200


def _map_context(store, org: str | None, engagements: list, organisations: dict,
                 problems: list[str]) -> dict[str, Any]:
    """The map of where the category asked for is stored and accessed, behind ``org`` (or in the
    whole registry); an unknown category goes to ``problems``, none asked for draws nothing."""
    category = request.args.get("category", "").strip()
    if category and store.find("category", category) is None:
        problems.append(f"category: no category with key {category!r}")
        return {}
    if not category:
        return {}
    scope = engagements
    if org:
        below = _reached(org, engagements)
        scope = [e for e in engagements if e.exporter in below]
    counts = draw.places_of(category, scope)
    cat = store.get("category", category)
    where = f" behind {organisations[org].name}" if org and org in organisations else " in the whole registry"
    return dict(counts=counts, category=cat,
                chart=chart(draw.data_map(f"Where {cat.name} is stored and accessed{where}",
                                          counts, url_for("static", filename="topojson/")), "map-chart"))


def _reached(root, engagements):
    """Organisations reachable from ``root`` along ``engagements`` (any depth)."""
    out_edges = {}
    for e in engagements:
        out_edges.setdefault(e.exporter, []).append(e.importer)
    seen, todo = {root}, [root]
    while todo:
        for nxt in out_edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
