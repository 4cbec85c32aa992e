"""The walk both stores share: breadth first over candidate flow edges read in one query.

A store reads every engagement that could carry the flow (an indexed query: in force,
carrying a matching category or none, concerning the asked groups) as bare
(key, exporter, importer) triples; this walk keeps those reachable from the starts. Each
organisation is expanded once, so cycles end by themselves and the cost is linear in the
candidate edges.
"""

from collections.abc import Iterable
from typing import TypeVar

Edge = TypeVar("Edge", str, int)  # what names an edge: an engagement key, or the flow index's position

def walk(starts: Iterable[str], edges: Iterable[tuple[str, str, str]],
         max_depth: int | None = None) -> tuple[list[str], list[str]]:
    """(keys of the edges reached, breadth first; keys of the edges cut by ``max_depth``).

    ``edges`` are (key, exporter, importer). An edge is reached when its exporter is at
    most ``max_depth - 1`` hops (shortest distance) from a start; without ``max_depth``
    every edge reachable at all is. Cut edges leave an organisation exactly
    ``max_depth`` hops away: following them is what the bound prevented.
    """
    outgoing: dict[str, list[tuple[str, str]]] = {}
    listed = set()  # a query may name an edge twice (once per matching category)
    for key, src, dst in edges:
        if key not in listed:
            listed.add(key)
            outgoing.setdefault(src, []).append((key, dst))
    return walk_outgoing(starts, outgoing, max_depth)


def walk_outgoing(starts: Iterable[str], outgoing: dict[str, list[tuple[Edge, str]]],
                  max_depth: int | None = None) -> tuple[list[Edge], list[Edge]]:
    """``walk`` over edges already grouped by exporter: {exporter: [(key, importer)]}, each edge once."""
    reached, cut, _ = walk_with_ends(starts, outgoing, max_depth)
    return reached, cut


def walk_with_ends(starts: Iterable[str], outgoing: dict[str, list[tuple[Edge, str]]],
                   max_depth: int | None = None) -> tuple[list[Edge], list[Edge], set[str]]:
    """``walk_outgoing``, and the organisations at either end of the edges reached (with the starts)."""
    reached: list[Edge] = []  # in the order found, so answers do not vary by run; each edge once, as each
    frontier = sorted(set(starts))  # organisation is expanded once
    seen = set(frontier)
    depth = 0
    add, found, get = seen.add, reached.append, outgoing.get
    while frontier:
        if max_depth is not None and depth >= max_depth:
            cut = {key for org in frontier for key, _ in get(org, ())}
            return reached, sorted(cut.difference(reached)), seen
        following: list[str] = []
        grow = following.append
        for org in frontier:
            for key, dst in get(org, ()):
                found(key)
                if dst not in seen:
                    add(dst)
                    grow(dst)
        frontier = following
        depth += 1
    return reached, [], seen
