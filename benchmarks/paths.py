"""Times the traversal and the path answer on a large synthetic registry.

Usage: python benchmarks/paths.py [--store sqlite|neo4j] [--organisations N] [--engagements N]
For Neo4j, set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); the database is wiped.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import build  # noqa: E402
from registry.services.exchange import import_registry  # noqa: E402
from registry.services.paths import where_does_it_go  # noqa: E402


def open_store(kind, directory):
    if kind == "sqlite":
        from registry.store.sqlite import SQLiteStore
        return SQLiteStore(Path(directory) / "bench.sqlite3"), None
    from registry.store.neo4j import Neo4jStore, connect
    driver = connect(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                     os.environ.get("NEO4J_PASSWORD", ""))
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    with driver.session(database=database) as session:  # CALL IN TRANSACTIONS needs an auto-commit query
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    return Neo4jStore(driver, database), driver


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return result, statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--engagements", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        store, driver = open_store(args.store, directory)
        store.init_schema()
        document = build(args.organisations, args.engagements)
        start = time.perf_counter()
        count = import_registry(store, "bench", document)
        print(f"{args.store}: imported {count} objects in {time.perf_counter() - start:.1f} s")
        for category in ("c3.s4", "c0"):
            reach, median, worst = timed(lambda: store.reach(category, "2026-11-22", max_depth=6), args.repeat)
            print(f"reach {category}: {len(reach.engagements)} engagements, {len(reach.collections)} collections;"
                  f" median {median:.0f} ms, max {worst:.0f} ms")
            answer, median, worst = timed(lambda: where_does_it_go(store, category, on="2026-11-22"), args.repeat)
            print(f"paths {category}: {len(answer.paths)} paths (truncated={answer.truncated});"
                  f" median {median:.0f} ms, max {worst:.0f} ms")
        group = document["objects"]["collection"][0]["organisation"]
        answer, median, worst = timed(lambda: where_does_it_go(store, "c0", on="2026-11-22", start=group),
                                      args.repeat)
        print(f"paths c0 from {group}: {len(answer.paths)} paths; median {median:.0f} ms, max {worst:.0f} ms")
        _, median, worst = timed(lambda: store.list("organisation", query="organisation 19"), args.repeat)
        print(f"search organisations: median {median:.0f} ms, max {worst:.0f} ms")
        store.close()
        if driver:
            driver.close()


if __name__ == "__main__":
    main()
