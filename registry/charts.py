"""Charts: pure functions from query answers to plotly figures."""

from html import escape

import plotly.graph_objects as go

from .domain.countries import country_name
from .domain.findings import worst

STATUS_COLOURS = {"ok": "rgba(30,122,60,0.45)", "action": "rgba(154,98,0,0.55)",
                  "violation": "rgba(179,38,30,0.6)", "unknown": "rgba(107,79,163,0.5)"}
PLANNED_COLOUR = "rgba(40,110,200,0.35)"
# What the chart's colours mean, for the legend the page draws next to it.
LEGEND = [("violation", STATUS_COLOURS["violation"], "a violation on the flow"),
          ("action", STATUS_COLOURS["action"], "something must be done or documented"),
          ("unknown", STATUS_COLOURS["unknown"], "the registry lacks a fact"),
          ("ok", STATUS_COLOURS["ok"], "nothing missing"),
          ("planned", PLANNED_COLOUR, "a planned engagement (not yet in force)")]
MAX_LINKS = 400  # beyond this a Sankey is unreadable; the page says what it left out


def _label(text) -> str:
    """Text for a chart label: plotly reads labels as HTML-like markup, so names are escaped."""
    return escape(str(text), quote=True)


def flow_sankey(answer, max_links=MAX_LINKS):
    """(figure, links drawn, links in all) for a FlowAnswer: subjects → organisations by tier → places.

    Drawn from the answer's aggregated edge flows, not from paths. An organisation appears
    once per tier (its shortest distance from a start along the flow), so the diagram stays
    acyclic when the data goes round a loop. Link widths count hop contexts; colours show
    the worst finding; planned flows are separate links in their own colour. When there
    are more than ``max_links`` organisation flows, the widest are drawn.
    """
    labels, index, links = [], {}, {}

    def node(marker, label):
        if marker not in index:
            index[marker] = len(labels)
            labels.append(_label(label))
        return index[marker]

    def link(a, b, status, value, planned=False):
        known = links.get((a, b, planned))
        value = value + (known[0] if known else 0)
        links[(a, b, planned)] = (value, worst([status] + ([known[1]] if known else [])))

    orgs = answer.organisations

    def org_node(key, tier):
        org = orgs.get(key)
        name = org.name if org else key
        return node(("org", key, tier), f"{name} (tier {tier})" if tier else name)

    for start in answer.start_flows():
        group = node(("group", start["subject_group"]), start["group_name"])
        link(group, org_node(start["organisation"], 0), "ok" if start["recorded"] else "unknown", 1)
    flows = answer.edge_flows()
    total = len(flows)
    if total > max_links:
        flows = sorted(flows, key=lambda f: (-f["contexts"], f["tier"], f["exporter"], f["importer"]))[:max_links]
    exporting = {(f["exporter"], f["tier"]) for f in flows}
    for f in flows:
        target = org_node(f["importer"], f["tier"] + 1)
        link(org_node(f["exporter"], f["tier"]), target, f["status"], f["contexts"], f["planned"])
        if (f["importer"], f["tier"] + 1) not in exporting:  # where the data comes to rest
            for place in f["places"]:
                link(target, node(("place", place), f"stored in {country_name(place)}"), f["status"],
                     f["contexts"], f["planned"])
    colours = [PLANNED_COLOUR if planned else STATUS_COLOURS[s] for (_, _, planned), (_, s) in links.items()]
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "pad": 14, "thickness": 14, "color": "#c9d3e3"},
        link={"source": [a for a, _, _ in links], "target": [b for _, b, _ in links],
              "value": [v for v, _ in links.values()], "color": colours,
              "customdata": [("planned, " if p else "") + s for (_, _, p), (_, s) in links.items()],
              "hovertemplate": "%{source.label} → %{target.label}<br>%{value} hop contexts, worst: "
                               "%{customdata}<extra></extra>"}))
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=max(320, min(26 * len(labels), 4000)),
                         font={"size": 12})
    return figure, len(flows), total


def figure_html(figure, div_id):
    """The figure as an HTML fragment that expects plotly.js to be loaded by the page."""
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                          config={"displaylogo": False, "responsive": True})
