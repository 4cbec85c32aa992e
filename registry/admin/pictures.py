"""Pictures of the registry as plotly figures (plain dicts): pure functions, no Flask, no store.

- ``vendor_network``: an organisation's vendors and theirs, any depth, laid out in layers
  by depth with networkx, coloured by the worst finding on the way in.
- ``data_map``: where a category's data is stored and accessed from, by country.
- ``concentration``: which vendors receive the most categories, subject groups and paths.

Every label is escaped: plotly renders a subset of HTML in text and hover labels, and an
organisation's name must not inject markup into a chart.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import networkx as nx
import pycountry

from ..domain.countries import country_name
from ..domain.findings import worst
from ..domain.model import category_matches

COLOURS = {"violation": "#b3261e", "action": "#9a6200", "unknown": "#6b4fa3", "ok": "#1e7a3c", None: "#8a94a6"}
EDGE_NAMES = {"violation": "engagement with a violation", "action": "engagement needing an action",
              "unknown": "engagement with an unknown", "ok": "engagement without findings",
              None: "engagement not assessed (yet)"}
NODE_NAMES = {"violation": "vendor reached with a violation", "action": "vendor reached needing an action",
              "unknown": "vendor reached with an unknown", "ok": "vendor reached without findings",
              None: "vendor not assessed (yet)"}
MAX_NODES = 150


def label(text) -> str:
    """``text`` made safe for a plotly label."""
    return escape(str(text), quote=True)


@dataclass
class Network:
    """What ``vendor_network`` drew and what it left out."""

    figure: dict
    nodes: int
    drawn: int
    edges: int
    depth_counts: dict = field(default_factory=dict)


def _worst_status(statuses: list[str]) -> str | None:
    """The worst of ``statuses``; None when there are none."""
    return worst(statuses) if statuses else None


def _worst_of(findings) -> str | None:
    statuses = [f["status"] for f in findings or []]
    return worst(statuses) if statuses else None


def vendor_network(root, engagements, organisations, findings_of, max_nodes=MAX_NODES) -> Network:
    """The network below organisation ``root``: every organisation its data can reach.

    ``engagements`` are the engagements in force, ``organisations`` {key: Organisation},
    ``findings_of(engagement key)`` its finding dicts (empty when not assessed). Breadth first from ``root``, each
    organisation at its shortest depth; at most ``max_nodes`` are drawn (the nearest),
    and ``Network`` says how many there were.
    """
    out_edges = defaultdict(list)
    for e in engagements:
        out_edges[e.exporter].append(e)
    depth, order = _shortest_depths(root, out_edges)
    drawn = set(order[:max_nodes])
    graph, inbound_status = _drawn_graph(order[:max_nodes], drawn, depth, out_edges, findings_of)
    positions = nx.multipartite_layout(graph, subset_key="layer", align="vertical") if len(graph) > 1 \
        else {root: (0.0, 0.0)}
    traces = _edge_traces(graph, positions)
    traces += _vendor_traces(graph, root, inbound_status, positions, organisations, depth)
    traces.append({"type": "scatter", "mode": "markers+text", "name": "the organisation",
                   "x": [positions[root][0]], "y": [positions[root][1]], "text": [label(_name(organisations, root))],
                   "textposition": "middle right", "hoverinfo": "text",
                   "hovertext": [label(f"{_name(organisations, root)} ({root})")],
                   "marker": {"size": 16, "color": "#1f5fbf", "symbol": "diamond"}})
    layout = _network_layout(_name(organisations, root), depth, drawn, len(order), positions)
    return Network(figure={"data": traces, "layout": layout}, nodes=len(order), drawn=len(drawn),
                   edges=graph.number_of_edges(), depth_counts=dict(sorted(Counter(depth.values()).items())))


def _shortest_depths(root: str, out_edges: dict[str, list]) -> tuple[dict[str, int], list[str]]:
    """Breadth first from ``root``: each reachable organisation's shortest depth, and the
    organisations in the order they were reached (nearest first)."""
    depth, order, frontier = {root: 0}, [root], [root]
    while frontier:
        following = []
        for org in frontier:
            for e in out_edges.get(org, ()):
                if e.importer not in depth:
                    depth[e.importer] = depth[org] + 1
                    order.append(e.importer)
                    following.append(e.importer)
        frontier = following
    return depth, order


def _drawn_graph(keys: list[str], drawn: set[str], depth: dict[str, int], out_edges: dict[str, list],
                 findings_of: Callable[[str], list]) -> tuple[nx.DiGraph, defaultdict[str, list]]:
    """The graph of the drawn organisations (``keys``, in order) and the engagements between them,
    each edge with its worst finding; and the statuses of each organisation's inbound edges."""
    graph = nx.DiGraph()
    for key in keys:
        graph.add_node(key, layer=depth[key])
    inbound_status: defaultdict[str, list] = defaultdict(list)
    for org in drawn:
        for e in out_edges.get(org, ()):
            if e.importer in drawn:
                status = _worst_of(findings_of(e.key))
                graph.add_edge(org, e.importer, status=status, engagement=e)
                if status:
                    inbound_status[e.importer].append(status)
    return graph, inbound_status


_DRAWING_ORDER = ("ok", None, "unknown", "action", "violation")  # worst drawn last, on top


def _edge_traces(graph: nx.DiGraph, positions: dict) -> list[dict]:
    """One line trace per finding status that some edge has."""
    traces = []
    for status in _DRAWING_ORDER:
        xs: list = []
        ys: list = []
        for a, b, data in graph.edges(data=True):
            if data["status"] == status:
                xs += [positions[a][0], positions[b][0], None]
                ys += [positions[a][1], positions[b][1], None]
        if xs:
            traces.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                           "line": {"color": COLOURS[status], "width": 1.5 if status in ("action", "violation")
                                    else 1}, "name": EDGE_NAMES[status]})
    return traces


def _vendor_traces(graph: nx.DiGraph, root: str, inbound_status: dict[str, list], positions: dict,
                   organisations: dict, depth: dict[str, int]) -> list[dict]:
    """One marker trace per status: the vendors (all but ``root``) by the worst status on their way in."""
    traces = []
    for status in _DRAWING_ORDER:
        keys = [k for k in graph.nodes if k != root and _worst_status(inbound_status[k]) == status]
        if not keys:
            continue
        traces.append({
            "type": "scatter", "mode": "markers+text", "name": NODE_NAMES[status],
            "x": [positions[k][0] for k in keys], "y": [positions[k][1] for k in keys],
            "text": [label(_name(organisations, k)) for k in keys], "textposition": "middle right",
            "hovertext": [label(f"{_name(organisations, k)} ({k}), {country_name(_country(organisations, k))}, "
                                f"depth {depth[k]}") for k in keys],
            "hoverinfo": "text",
            "marker": {"size": 11, "color": COLOURS[status], "line": {"width": 1, "color": "#fff"}}})
    return traces


def _network_layout(root_name: str, depth: dict[str, int], drawn: set[str], reached: int,
                    positions: dict) -> dict:
    """The plotly layout: tall enough for the biggest layer, wide enough for the last layer's labels,
    titled with the depth and, when not all ``reached`` organisations were drawn, how many were."""
    layers = max(depth[k] for k in drawn) + 1 if drawn else 1
    biggest = max(Counter(depth[k] for k in drawn).values()) if drawn else 1
    columns = [float(x) for x, _y in positions.values()]
    width = (max(columns) - min(columns)) or 1.0
    shown = f", the nearest {len(drawn)} of {reached:,} drawn" if len(drawn) < reached else ""
    return {"showlegend": True, "legend": {"orientation": "h", "y": -0.05},
            # room on the right for the labels of the last layer
            "xaxis": {"visible": False, "range": [min(columns) - 0.04 * width, max(columns) + 0.28 * width]},
            "yaxis": {"visible": False},
            "height": max(420, min(1600, 26 * biggest + 120)), "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
            "title": {"text": label(f"Vendors of {root_name}, {layers - 1} level(s) deep{shown}"),
                      "font": {"size": 15}},
            "plot_bgcolor": "#fff", "paper_bgcolor": "#fff"}


def _name(organisations, key):
    org = organisations.get(key)
    return org.name if org else key


def _country(organisations, key):
    org = organisations.get(key)
    return org.country if org else None


def _alpha3(code):
    country = pycountry.countries.get(alpha_2=code) if code and len(code) == 2 else None
    return country.alpha_3 if country else None


@dataclass
class PlaceCounts:
    """How many engagements store and access the data in each place (countries and regions)."""

    stored: Counter = field(default_factory=Counter)
    accessed: Counter = field(default_factory=Counter)
    unknown: int = 0
    engagements: int = 0


def places_of(category, engagements) -> PlaceCounts:
    """Counts of the places where the engagements that carry ``category`` store and access data."""
    counts = PlaceCounts()
    for e in engagements:
        if not any(category_matches(c, category) for c in e.categories):
            continue
        counts.engagements += 1
        counts.stored.update(e.store_countries)
        counts.accessed.update(e.access_countries)
        if not e.store_countries:
            counts.unknown += 1
    return counts


def data_map(title, counts: PlaceCounts, topojson_url) -> dict:
    """A world map: countries shaded by how many engagements store the data there, and
    rings where it is accessed from. Regions (EU, Worldwide) are not drawn; the page lists them."""
    stored = [(c, n) for c, n in counts.stored.items() if _alpha3(c)]
    accessed = [(c, n) for c, n in counts.accessed.items() if _alpha3(c)]
    data = ([_stored_trace(stored)] if stored else []) + ([_accessed_trace(accessed)] if accessed else [])
    layout = {"title": {"text": label(title), "font": {"size": 15}}, "height": 480,
              "margin": {"l": 0, "r": 0, "t": 40, "b": 0}, "legend": {"orientation": "h"},
              "geo": {"scope": "world", "resolution": 110,
                      "projection": {"type": "natural earth", "rotation": {"lon": 0}},
                      "center": {"lon": 0, "lat": 15}, "lonaxis": {"range": [-180, 180]},
                      "showcoastlines": False, "showocean": False, "showlakes": False, "showrivers": False,
                      "showsubunits": False, "showframe": False, "showland": True, "landcolor": "#eef0f3",
                      "showcountries": True, "countrycolor": "#c4cad3"}}
    return {"data": data, "layout": layout, "config": {"topojsonURL": topojson_url}}


def _stored_trace(stored: list[tuple[str, int]]) -> dict:
    """Countries shaded by how many engagements store the data there."""
    return {"type": "choropleth", "locationmode": "ISO-3", "name": "stored in",
            "locations": [_alpha3(c) for c, _n in stored], "z": [n for _c, n in stored],
            "text": [label(f"{country_name(c)}: stored by {n} engagement(s)") for c, n in stored],
            "hoverinfo": "text", "colorscale": [[0, "#dbe7fb"], [1, "#1f5fbf"]],
            "marker": {"line": {"color": "#fff", "width": 0.5}},
            "colorbar": {"title": {"text": "engagements<br>storing"}, "thickness": 12}}


def _accessed_trace(accessed: list[tuple[str, int]]) -> dict:
    """Rings, sized by the number of engagements, on the countries the data is accessed from."""
    return {"type": "scattergeo", "locationmode": "ISO-3", "name": "accessed from", "mode": "markers",
            "locations": [_alpha3(c) for c, _n in accessed],
            "text": [label(f"{country_name(c)}: accessed from by {n} engagement(s)") for c, n in accessed],
            "hoverinfo": "text",
            "marker": {"size": [8 + 3 * min(n, 10) for _c, n in accessed], "color": "rgba(0,0,0,0)",
                       "line": {"color": "#9a6200", "width": 2}}}


@dataclass
class VendorLoad:
    """What one vendor receives across the registry."""

    key: str
    name: str
    country: str | None
    engagements: int
    categories: int
    subject_groups: int
    paths: int


def concentration(engagements, organisations, paths_by_engagement=None, groups_by_engagement=None,
                  limit=25) -> list[VendorLoad]:
    """The vendors that receive the most: distinct categories, subject groups, engagements in, and
    the number of flow paths through their inbound engagements.

    ``paths_by_engagement`` and ``groups_by_engagement`` come from the findings survey (the
    groups whose data actually reaches each engagement); without them paths count 0 and an
    engagement's groups are the ones it names (none named: all of the exporter's, counted once).
    """
    cats: defaultdict[str, set] = defaultdict(set)
    groups: defaultdict[str, set] = defaultdict(set)
    count: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    for e in engagements:
        count[e.importer] += 1
        cats[e.importer].update(e.categories)
        reached = (groups_by_engagement or {}).get(e.key)
        groups[e.importer].update(reached if reached is not None else
                                  (e.subject_groups or [f"all of {e.exporter}'s"]))
        paths[e.importer] += (paths_by_engagement or {}).get(e.key, 0)
    rows = [VendorLoad(k, _name(organisations, k), _country(organisations, k), count[k], len(cats[k]),
                       len(groups[k]), paths[k]) for k in count]
    rows.sort(key=lambda r: (-r.categories, -r.paths, -r.engagements, r.name.lower()))
    return rows[:limit]


def concentration_chart(rows: list[VendorLoad]) -> dict:
    """A horizontal bar chart of ``concentration`` rows: categories, subject groups, engagements."""
    names = [label(r.name) for r in rows][::-1]
    series = [("categories", [r.categories for r in rows][::-1], "#1f5fbf"),
              ("subject groups", [r.subject_groups for r in rows][::-1], "#6b4fa3"),
              ("engagements in", [r.engagements for r in rows][::-1], "#8a94a6")]
    if any(r.paths for r in rows):
        series.append(("paths through", [r.paths for r in rows][::-1], "#9a6200"))
    data = [{"type": "bar", "orientation": "h", "name": title, "y": names, "x": values,
             "marker": {"color": colour}} for title, values, colour in series]
    return {"data": data, "layout": {"barmode": "group", "height": max(380, 60 + 34 * len(rows)),
                                     "margin": {"l": 220, "r": 20, "t": 30, "b": 40},
                                     "legend": {"orientation": "h"}, "plot_bgcolor": "#fff",
                                     "title": {"text": "What each vendor receives", "font": {"size": 15}}}}

