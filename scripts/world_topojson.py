"""Make registry/static/topojson/world_110m.json, the map data the admin's world map uses.

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/world_topojson.py package/countries-110m.json registry/static/topojson/world_110m.json

plotly.js draws maps from a topojson file named ``world_110m.json`` at its ``topojsonURL``;
by default it fetches it from its CDN, which the admin pages never do. world-atlas (ISC
licence, Natural Earth data) has the country shapes; plotly needs each country's ``id`` as
an ISO 3166-1 alpha-3 code and a ``properties.ct`` centroid (for markers placed by country),
which this adds. Only the ``countries`` and ``land`` layers exist: the map turns the others off.
"""

import json
import sys

import pycountry

# Where a country's largest ring crosses the antimeridian its area centroid is off the map.
CENTROID_OVERRIDES = {"RUS": [96.0, 62.0], "FJI": [178.0, -17.8]}


def _arcs(topology):
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(arcs, indexes):
    points = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _area_centroid(points):
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        cross = x0 * y1 - x1 * y0
        area, cx, cy = area + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    if abs(area) < 1e-12:
        return 0.0, (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def convert(topology):
    """``topology`` (world-atlas countries) with alpha-3 ids and centroids, in place; returns it."""
    arcs = _arcs(topology)
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=geometry.get("id", "")) if geometry.get("id") else None
        if country is None:
            geometry.pop("id", None)
        else:
            geometry["id"] = country.alpha_3
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        _area, (x, y) = max((_area_centroid(_ring(arcs, polygon[0])) for polygon in polygons), key=lambda a: a[0])
        geometry.setdefault("properties", {})["ct"] = CENTROID_OVERRIDES.get(geometry.get("id"),
                                                                             [round(x, 2), round(y, 2)])
    return topology


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    with open(source, encoding="utf-8") as f:
        topology = convert(json.load(f))
    with open(target, "w", encoding="utf-8") as f:
        json.dump(topology, f, separators=(",", ":"))
