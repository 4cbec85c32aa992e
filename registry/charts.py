"""Charts: pure functions from query answers to plotly figures."""

import plotly.graph_objects as go

from .domain.countries import country_name

STATUS_COLOURS = {"ok": "rgba(30,122,60,0.45)", "action": "rgba(154,98,0,0.55)",
                  "violation": "rgba(179,38,30,0.6)", "unknown": "rgba(107,79,163,0.5)"}


def flow_sankey(answer):
    """A Sankey of a PathAnswer: subject groups → organisations by tier → storage countries.

    An organisation appears once per tier it occupies, so the diagram stays acyclic
    even when the data goes round a loop. Link widths count paths; colours show the
    worst finding of the hop.
    """
    labels, index, links = [], {}, {}

    def node(kind, key, label):
        if (kind, key) not in index:
            index[(kind, key)] = len(labels)
            labels.append(label)
        return index[(kind, key)]

    def link(a, b, status):
        value, worst = links.get((a, b), (0, "ok"))
        order = ("violation", "action", "unknown", "ok")
        links[(a, b)] = (value + 1, min(worst, status, key=order.index))

    orgs = answer.organisations
    for path in answer.paths:
        group = node("group", path.subject_group.key, path.subject_group.name)
        first = path.collection.organisation
        previous = node("org", (first, 0), _org_label(orgs, first, 0))
        link(group, previous, "ok")
        for tier, hop in enumerate(path.hops, start=1):
            current = node("org", (hop.engagement.importer, tier), _org_label(orgs, hop.engagement.importer, tier))
            link(previous, current, hop.status)
            previous = current
        last = path.hops[-1].engagement
        places = last.store_countries or ([orgs[last.importer].country] if orgs.get(last.importer)
                                          and orgs[last.importer].country else [None])
        for place in places:
            link(previous, node("country", place, f"stored in {country_name(place)}"), path.hops[-1].status)
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "pad": 14, "thickness": 14, "color": "#c9d3e3"},
        link={"source": [a for a, _ in links], "target": [b for _, b in links],
              "value": [v for v, _ in links.values()],
              "color": [STATUS_COLOURS[s] for _, s in links.values()]}))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=max(320, 26 * len(labels)),
                         font={"size": 12})
    return figure


def _org_label(orgs, key, tier):
    org = orgs.get(key)
    name = org.name if org else key
    return f"{name} (tier {tier})" if tier else name


def figure_html(figure, div_id):
    """The figure as an HTML fragment that expects plotly.js to be loaded by the page."""
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config={"displaylogo": False, "responsive": True})
