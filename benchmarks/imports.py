"""Times a bulk import of a synthetic registry against the raw engine writing the same data.

Usage: python benchmarks/imports.py [--store sqlite|neo4j|both] [--sizes 500/2500,2000/10000,5000/50000]
For Neo4j, set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); the database is wiped.

The raw engine writes the same objects with no checks, audit or references:
SQLite an ``executemany`` of the JSON documents; Neo4j one ``UNWIND ... CREATE`` per
5,000 nodes plus one ``UNWIND ... MATCH ... CREATE`` per 5,000 engagements for their
exporter and importer relationships. Each figure is printed with its ratio to that.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import build  # noqa: E402
from registry.services.exchange import import_registry  # noqa: E402

CHUNK = 5000


def _neo4j_driver():
    from registry.store.neo4j import connect
    return connect(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                   os.environ.get("NEO4J_PASSWORD", "")), os.environ.get("NEO4J_DATABASE", "neo4j")


def _wipe(driver, database: str) -> None:
    with driver.session(database=database) as session:  # CALL IN TRANSACTIONS needs an auto-commit query
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


def _rows(document: dict) -> list[tuple[str, dict]]:
    return [(kind, obj) for kind, items in document["objects"].items() for obj in items]


def raw_sqlite(document: dict, directory: str) -> float:
    conn = sqlite3.connect(Path(directory) / "raw.sqlite3", isolation_level=None)
    conn.execute("CREATE TABLE docs (kind TEXT, key TEXT, data TEXT, PRIMARY KEY (kind, key))")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO docs VALUES (?, ?, ?)",
                     [(kind, obj["key"], json.dumps(obj)) for kind, obj in _rows(document)])
    conn.execute("COMMIT")
    return time.perf_counter() - start


def raw_neo4j(document: dict) -> float:
    driver, database = _neo4j_driver()
    _wipe(driver, database)
    rows = [{"kind": kind, "key": obj["key"], "name": obj.get("name", "")} for kind, obj in _rows(document)]
    edges = [{"key": e["key"], "src": e["exporter"], "dst": e["importer"]} for e in document["objects"]["engagement"]]
    start = time.perf_counter()
    with driver.session(database=database) as session:
        session.run("CREATE INDEX raw_key IF NOT EXISTS FOR (n:Raw) ON (n.key)").consume()
        for i in range(0, len(rows), CHUNK):
            session.execute_write(lambda tx, part: tx.run(
                "UNWIND $rows AS r CREATE (n:Raw) SET n = r", rows=part).consume(), rows[i:i + CHUNK])
        for i in range(0, len(edges), CHUNK):
            session.execute_write(lambda tx, part: tx.run(
                "UNWIND $edges AS e MATCH (s:Raw {key: e.src}), (x:Raw {key: e.key}), (d:Raw {key: e.dst}) "
                "CREATE (s)-[:ENGAGES]->(x)-[:ENGAGED]->(d)", edges=part).consume(), edges[i:i + CHUNK])
    elapsed = time.perf_counter() - start
    with driver.session(database=database) as session:
        session.run("DROP INDEX raw_key IF EXISTS").consume()
    _wipe(driver, database)
    driver.close()
    return elapsed


def registry_import(kind: str, document: dict, directory: str) -> float:
    if kind == "sqlite":
        from registry.store.sqlite import SQLiteStore
        store = SQLiteStore(Path(directory) / "registry.sqlite3")
    else:
        from registry.store.neo4j import Neo4jStore
        driver, database = _neo4j_driver()
        _wipe(driver, database)
        store = Neo4jStore(driver, database)
    store.init_schema()
    start = time.perf_counter()
    import_registry(store, "bench", document)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "neo4j", "both"], default="both")
    parser.add_argument("--sizes", default="500/2500,2000/10000,5000/50000")
    args = parser.parse_args()
    stores = ["sqlite", "neo4j"] if args.store == "both" else [args.store]
    print(f"{'store':7} {'size':>12} {'objects':>8} {'import s':>9} {'raw s':>7} {'ratio':>6}")
    for size in args.sizes.split(","):
        organisations, engagements = (int(n) for n in size.split("/"))
        document = build(organisations, engagements, collectors=min(200, organisations // 10))
        count = len(_rows(document))
        for kind in stores:
            with tempfile.TemporaryDirectory() as directory:
                raw = raw_sqlite(document, directory) if kind == "sqlite" else raw_neo4j(document)
                ours = registry_import(kind, document, directory)
            print(f"{kind:7} {size:>12} {count:>8} {ours:>9.2f} {raw:>7.2f} {ours / raw:>5.1f}x", flush=True)


if __name__ == "__main__":
    main()
