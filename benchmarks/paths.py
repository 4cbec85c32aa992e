"""Flow questions at several sizes, on both stores, each figure against the raw engines of the same run.

Usage:
    python benchmarks/paths.py [--stores sqlite,neo4j] [--sizes 500x2500,2000x10000,5000x50000]
                               [--repeat 5] [--budget 60] [--keep DIR]

For each size it builds a synthetic registry (benchmarks/synthetic.py), imports it into each
store and prints, warm, the median (p50) of:

- the raw engines on the same data and question (root category ``c0`` from every collection):
  a networkx BFS over an in-memory graph of the flow's edges, a recursive CTE on SQLite,
  a bare Cypher reachability query on Neo4j (benchmarks/raw_reach.*);
- the traversal without loading objects: from the flow index (as ``Store.reach`` outside a unit
  of work), and by the store's query (as inside one);
- ``Store.reach`` for that question, as a ratio to the BFS and to the store's own raw engine;
- the full answer's first page (limit 50), computed (``where_does_it_go``), and served from
  the per-version answer cache as the API and the pages do;
- a mid-chain question (from a tier-2 organisation);
- the gaps dashboard (``gaps.survey``, all collections and categories).

A figure whose first run takes longer than ``--budget`` seconds is measured once. Neo4j: the
server named by NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE; its database is wiped),
else the tests' embedded server (tests/neo4j_harness.py), started and stopped here.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.synthetic import build  # noqa: E402
from registry.domain.model import Engagement, category_matches  # noqa: E402
from registry.services import flows_cache  # noqa: E402
from registry.services.exchange import import_registry  # noqa: E402
from registry.services.gaps import survey  # noqa: E402
from registry.services.paths import where_does_it_go  # noqa: E402

ON = "2026-11-22"
CATEGORY = "c0"


def timed(fn, repeat, budget):
    """(result, p50 ms, runs): ``repeat`` warm runs after one warm-up, or the one run when over budget."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    if first > budget:
        return result, first * 1000, 1
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times) * 1000, len(times)


def flow_edges(document, category):
    """The (exporter, importer) pairs of the engagements that carry ``category`` on ON, from the document."""
    edges = []
    for data in document["objects"]["engagement"]:
        e = Engagement(**data)
        if e.in_force(ON) and (not e.categories or any(category_matches(c, category) for c in e.categories)):
            edges.append((e.exporter, e.importer))
    return edges


def collectors(document, category):
    return sorted({c["organisation"] for c in document["objects"]["collection"]
                   if any(category_matches(k, category) for k in c["categories"])})


def networkx_bfs(edges, starts):
    """The raw in-memory engine: a graph built once, then a BFS from every start (what is timed)."""
    graph = nx.DiGraph(edges)
    graph.add_edges_from(("__start__", s) for s in starts)

    def run():
        return sum(1 for _ in nx.bfs_edges(graph, "__start__"))

    return run


def open_sqlite(directory, size):
    from registry.store.sqlite import SQLiteStore

    path = Path(directory) / f"bench-{size[0]}-{size[1]}.sqlite3"
    fresh = not path.exists()
    store = SQLiteStore(path)
    store.init_schema()  # migration 4 creates the partial index the traversal's query is written for
    return store, fresh


def sqlite_raw(store, starts):
    import json
    text = (HERE / "raw_reach.sql").read_text(encoding="utf-8")

    def run():
        return store.conn.execute(text, {"cat": CATEGORY, "on": ON, "starts": json.dumps(starts)}).fetchone()[0]

    return run


def traversal_only(kind, store, starts):
    """The store's traversal without loading objects: the flow index's candidate edges and the
    walk (as ``Store.reach`` outside a unit of work)."""
    from registry.store import flow_index
    from registry.store.traversal import walk_outgoing

    return lambda: walk_outgoing(starts, flow_index.current(store).candidates(CATEGORY, ON, None, False))


def traversal_by_query(kind, store, starts):
    """Inside a unit of work: the store's query for the candidate edges, then the walk."""
    from registry.store import neo4j_traversal, sqlite_traversal
    from registry.store.traversal import walk

    if kind == "sqlite":
        return lambda: walk(starts, sqlite_traversal.candidate_edges(store.conn, CATEGORY, ON))
    return lambda: store._read(lambda tx: walk(starts, neo4j_traversal.candidate_edges(tx, CATEGORY, ON, None,
                                                                                       False)))


def neo4j_raw(store, starts):
    text = (HERE / "raw_reach.cypher").read_text(encoding="utf-8")

    def run():
        with store.driver.session(database=store.database) as session:
            return session.execute_read(lambda tx: tx.run(text, {"starts": starts, "category": CATEGORY,
                                                                  "on": ON}).single()[0])

    return run


SERVER_JAVA_OPTS = ("-Xmx2g", "-Dregistry.pagecache.mb=512")


class Neo4jServerForBench:
    """NEO4J_URI's server, or the tests' embedded one started for the run."""

    def __enter__(self):
        from tests import neo4j_harness as harness

        self.launcher = None
        if os.environ.get("NEO4J_URI"):
            self.server = harness.Neo4jServer(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                                              os.environ.get("NEO4J_PASSWORD", ""),
                                              os.environ.get("NEO4J_DATABASE", "neo4j"))
            return self.server
        harness._build()
        # Sized as a small production server, not as the tests' one: 2 GiB heap, 512 MiB page cache.
        self.launcher = harness._Launcher(SERVER_JAVA_OPTS)
        port = harness._free_port()
        self.launcher.start(port)
        self.server = harness.Neo4jServer(f"bolt://127.0.0.1:{port}", "neo4j", "", "neo4j")
        problem = harness._wait_for_bolt(self.server, self.launcher.proc, time.monotonic() + 180)
        if problem:
            raise SystemExit(f"Neo4j did not start: {problem}")
        return self.server

    def __exit__(self, *exc):
        if self.launcher:
            self.launcher.cleanup()


def open_neo4j(server):
    from registry.store.neo4j import Neo4jStore, connect

    driver = connect(server.uri, server.user, server.password)
    with driver.session(database=server.database) as session:  # CALL IN TRANSACTIONS needs auto-commit
        session.run((HERE / "wipe.cypher").read_text(encoding="utf-8")).consume()
    store = Neo4jStore(driver, server.database)
    store.init_schema()
    return store, driver


def row(label, ms, runs, *ratios):
    shown = "  ".join(f"{name} {value:8.1f}x" for name, value in ratios)
    print(f"  {label:<44} {ms:10.1f} ms  (runs {runs})  {shown}", flush=True)


def bench_store(kind, store, document, size, args, bfs_ms):
    starts = collectors(document, CATEGORY)
    raw = sqlite_raw(store, starts) if kind == "sqlite" else neo4j_raw(store, starts)
    reached, raw_ms, runs = timed(raw, args.repeat, args.budget)
    row(f"raw engine ({'recursive CTE' if kind == 'sqlite' else 'bare Cypher'}: {reached} orgs)", raw_ms, runs)
    _, ms, runs = timed(traversal_only(kind, store, starts), args.repeat, args.budget)
    row("traversal only (candidate edges + walk, no objects)", ms, runs, ("vs BFS", ms / bfs_ms), ("vs raw", ms / raw_ms))
    _, ms, runs = timed(traversal_by_query(kind, store, starts), args.repeat, args.budget)
    row("traversal by query (in a unit of work)", ms, runs, ("vs BFS", ms / bfs_ms), ("vs raw", ms / raw_ms))
    reach, ms, runs = timed(lambda: store.reach(CATEGORY, ON), args.repeat, args.budget)
    row(f"Store.reach {CATEGORY}, objects loaded ({len(reach.engagements)} engagements)", ms, runs,
        ("vs BFS", ms / bfs_ms), ("vs raw", ms / raw_ms))
    answer, ms, runs = timed(lambda: where_does_it_go(store, CATEGORY, on=ON).to_dict(limit=50),
                             args.repeat, args.budget)
    row(f"answer, first page, computed ({answer['total']} hops)", ms, runs,
        ("vs BFS", ms / bfs_ms), ("vs raw", ms / raw_ms))

    def served():
        return flows_cache.cached(store, ("where", CATEGORY, ON),
                                  lambda: where_does_it_go(store, CATEGORY, on=ON)).to_dict(limit=50)

    served()
    _, ms, runs = timed(served, args.repeat, args.budget)
    row("answer, first page, from the answer cache", ms, runs, ("vs BFS", ms / bfs_ms), ("vs raw", ms / raw_ms))
    middle = f"org-{len(document['objects']['organisation']) // 2}"  # the middle tier of five
    answer, ms, runs = timed(lambda: where_does_it_go(store, CATEGORY, on=ON, start=middle).to_dict(limit=50),
                             1, args.budget)
    row(f"mid-chain answer from {middle} ({answer['total']} hops)", ms, runs, ("vs raw", ms / raw_ms))
    if args.gaps and size[1] <= args.gaps_up_to:
        found, ms, runs = timed(lambda: survey(store, on=ON), 1, 0)
        row(f"gaps dashboard ({len(found.rows())} engagements)", ms, runs, ("vs raw", ms / raw_ms))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", default="sqlite,neo4j")
    parser.add_argument("--sizes", default="500x2500,2000x10000,5000x50000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds; slower figures are measured once")
    parser.add_argument("--no-gaps", dest="gaps", action="store_false")
    parser.add_argument("--gaps-up-to", type=int, default=10 ** 9,
                        help="measure the gaps dashboard only up to this many engagements")
    parser.add_argument("--keep", help="a directory to keep (and reuse) the SQLite files in")
    args = parser.parse_args()
    stores = args.stores.split(",")
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    directory = args.keep or tempfile.mkdtemp(prefix="registry-bench-")
    server_context = Neo4jServerForBench() if "neo4j" in stores else None
    server = server_context.__enter__() if server_context else None
    try:
        for size in sizes:
            document = build(*size)
            starts = collectors(document, CATEGORY)
            _, bfs_ms, runs = timed(networkx_bfs(flow_edges(document, CATEGORY), starts), args.repeat, args.budget)
            print(f"{size[0]:,} organisations / {size[1]:,} engagements; question: {CATEGORY} from "
                  f"{len(starts)} collecting organisations, on {ON}", flush=True)
            row("networkx BFS over the in-memory graph", bfs_ms, runs)
            for kind in stores:
                print(f" {kind}:", flush=True)
                driver = None
                if kind == "sqlite":
                    store, fresh = open_sqlite(directory, size)
                else:
                    store, driver = open_neo4j(server)
                    fresh = True
                if fresh:
                    start = time.perf_counter()
                    try:
                        count = import_registry(store, "bench", document)
                    except Exception as exc:  # the figure to report is the failure itself
                        print(f"  import failed: {type(exc).__name__}: {exc}", flush=True)
                        store.close()
                        if driver:
                            driver.close()
                        continue
                    print(f"  import of {count:,} objects: {time.perf_counter() - start:.1f} s", flush=True)
                bench_store(kind, store, document, size, args, bfs_ms)
                store.close()
                if driver:
                    driver.close()
    finally:
        if server_context:
            server_context.__exit__(None, None, None)


if __name__ == "__main__":
    main()
