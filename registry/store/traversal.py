"""The walk both stores share: breadth first over candidate flow edges read in one query.

A store reads every engagement that could carry the flow (an indexed query: in force,
carrying a matching category or none, concerning the asked groups) as bare
(key, exporter, importer) triples; this walk keeps those reachable from the starts. Each
organisation is expanded once, so cycles end by themselves and the cost is linear in the
candidate edges.
"""

from collections.abc import Iterable

# The edges leaving one organisation, each once: (their keys, their importers), in step.
Leaving = tuple[list, list[str]]


def walk(starts: Iterable[str], edges: Iterable[tuple[str, str, str]],
         max_depth: int | None = None) -> tuple[list[str], list[str]]:
    """(keys of the edges reached, breadth first; keys of the edges cut by ``max_depth``).

    ``edges`` are (key, exporter, importer). An edge is reached when its exporter is at
    most ``max_depth - 1`` hops (shortest distance) from a start; without ``max_depth``
    every edge reachable at all is. Cut edges leave an organisation exactly
    ``max_depth`` hops away: following them is what the bound prevented.
    """
    outgoing: dict[str, Leaving] = {}
    listed = set()  # a query may name an edge twice (once per matching category)
    for key, src, dst in edges:
        if key not in listed:
            listed.add(key)
            keys, importers = outgoing.setdefault(src, ([], []))
            keys.append(key)
            importers.append(dst)
    return walk_outgoing(starts, outgoing, max_depth)


def walk_outgoing(starts: Iterable[str], outgoing: dict[str, Leaving],
                  max_depth: int | None = None) -> tuple[list, list]:
    """``walk`` over edges already grouped by exporter: {exporter: (keys, importers)}."""
    reached, cut, _ = walk_with_ends(starts, outgoing, max_depth)
    return reached, cut


def walk_with_ends(starts: Iterable[str], outgoing: dict[str, Leaving],
                   max_depth: int | None = None) -> tuple[list, list, set[str]]:
    """``walk_outgoing``, and the organisations at either end of the edges reached (with the starts).

    Edge keys are whatever names them (engagement keys, or the flow index's positions).
    """
    reached: list = []  # in the order found, so answers do not vary by run; each edge once, as each
    frontier = sorted(set(starts))  # organisation is expanded once
    seen = set(frontier)
    depth = 0
    add, found, get = seen.add, reached.extend, outgoing.get
    while frontier:
        if max_depth is not None and depth >= max_depth:
            cut = {key for org in frontier for key in get(org, ((), ()))[0]}
            return reached, sorted(cut.difference(reached)), seen
        following: list[str] = []
        grow = following.append
        for org in frontier:
            leaving = get(org)
            if leaving is not None:
                found(leaving[0])
                for dst in leaving[1]:
                    if dst not in seen:
                        add(dst)
                        grow(dst)
        frontier = following
        depth += 1
    return reached, [], seen
