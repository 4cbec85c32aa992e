"""Times a 200-row vendor-list CSV: the first list, then a later version with changes.

Usage: python benchmarks/vendor_import.py [--store sqlite|neo4j] [--rows 200]
For Neo4j, set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE); the database is wiped.
Prints the time of the dry run and of the import, and the writes (audit records) per kind.
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry import clock  # noqa: E402
from registry.services import objects  # noqa: E402
from registry.services.vendors import import_vendors  # noqa: E402

PLACES = ["USA", "Germany (Frankfurt), Ireland", "EU", "Worldwide", "United Kingdom", "DE", "US & EU",
          "Korea, Republic of", "France/Canada", "EEA"]
CATEGORIES = ["Account data", "Usage data", "Email address", "account.contact", "Payment data; Account data"]


def open_store(kind, directory):
    """A fresh store: SQLite in ``directory``, or the (wiped) Neo4j database named by NEO4J_*."""
    if kind == "sqlite":
        from registry.store.sqlite import SQLiteStore
        return SQLiteStore(Path(directory) / "bench.sqlite3"), None
    from registry.store.neo4j import Neo4jStore, connect
    driver = connect(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                     os.environ.get("NEO4J_PASSWORD", ""))
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=database)
    return Neo4jStore(driver, database), driver


def base(store, shared):
    """Categories, subjects, two publishers and ``shared`` vendors another publisher already uses."""
    for key, name in (("account", "Account data"), ("account.contact", "Contact details"),
                      ("account.contact.email", "Email address"), ("usage", "Usage data"),
                      ("payment", "Payment data")):
        objects.create(store, "bench", "category", {"key": key, "name": name})
    objects.create(store, "bench", "organisation", {"key": "acme", "name": "Acme", "country": "DE",
                                                    "publisher": True, "notice_days": 30})
    with store.unit_of_work("bench") as uow:
        for i in range(shared):
            website = f"https://vendor{i}.example" if i % 2 == 0 else ""
            objects.create(uow.store, "bench", "organisation", {"key": f"shared-{i}", "name": f"Shared Vendor {i}",
                                                                 "country": "US", "website": website})
        uow.commit()


def rows(n, shared, version=1):
    """The list's rows: the shared vendors (by website or by name), then new ones."""
    out = []
    for i in range(n):
        if version == 2 and i % 10 == 9:
            continue  # removed in the second version
        name = f"Shared Vendor {i}" if i < shared else f"New Vendor {i}"
        website = f"vendor{i}.example" if i < shared and i % 2 == 0 else ""
        places = PLACES[i % len(PLACES)] + ("; India" if version == 2 and i % 5 == 0 else "")
        out.append({"name": name, "website": website, "service": f"Service {i % 7}", "purpose": f"Purpose {i % 5}",
                    "locations": places, "access_locations": "Worldwide" if i % 4 == 0 else "",
                    "categories": CATEGORIES[i % len(CATEGORIES)], "safeguards": "dpa; scc:2" if i % 3 else "dpa",
                    "role": "sub-processor", "public": "yes"})
    if version == 2:
        out += [{"name": f"Added Vendor {i}", "locations": "US", "categories": "Usage data", "role": "sub-processor",
                 "public": "yes"} for i in range(n // 10)]
    text = io.StringIO()
    writer = csv.DictWriter(text, ["name", "website", "service", "purpose", "locations", "access_locations",
                                   "categories", "safeguards", "role", "public"])
    writer.writeheader()
    writer.writerows(out)
    return text.getvalue().encode()


def writes(store):
    return Counter((r.kind, r.action) for r in store.audit_log(limit=1_000_000))


def run(store, label, data, as_of=None):
    start = time.perf_counter()
    plan = import_vendors(store, "bench", "acme", data, as_of, dry_run=True)
    dry = time.perf_counter() - start
    before = writes(store)
    start = time.perf_counter()
    import_vendors(store, "bench", "acme", data, as_of)
    done = time.perf_counter() - start
    delta = writes(store) - before
    print(f"{label}: {plan.counts()}; dry run {dry * 1000:.0f} ms, import {done * 1000:.0f} ms; writes "
          + ", ".join(f"{kind} {action} {n}" for (kind, action), n in sorted(delta.items())))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument("--rows", type=int, default=200)
    args = parser.parse_args()
    shared = args.rows // 2
    with tempfile.TemporaryDirectory() as directory, clock.frozen("2026-11-23"):
        store, driver = open_store(args.store, directory)
        store.init_schema()
        base(store, shared)
        run(store, f"{args.store} first list, {args.rows} rows", rows(args.rows, shared), as_of="2026-01-01")
        run(store, f"{args.store} second version", rows(args.rows, shared, version=2))
        store.close()
        if driver:
            driver.close()


if __name__ == "__main__":
    main()
