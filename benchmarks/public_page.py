"""A publisher's public page with 1,000 vendors, on both stores, against a bare Flask route.

Usage:
    python benchmarks/public_page.py [--stores sqlite,neo4j] [--vendors 1000] [--repeat 20]

Builds one publisher (DE, 30 days' notice) with ``--vendors`` public engagements (its
first list, plus 20 planned ones announced with notice), a collection so that the path
assessment reaches every vendor, imports it in one batch and prints, for each store,
the median (p50) of:

- ``public_listing`` computed (batched reads plus the transfer assessment): what the
  first request of a registry version costs;
- the page, JSON and Atom served through the app (rendered once per version, then
  from the cache), and a conditional GET answered 304;
- a bare Flask route rendering a table of the same number of rows with Jinja (the
  floor any page of that size costs), in the same run.

Target: a served page under 20 ms. Every public request also counts against the client's
rate limit; ``--ratelimit-uri memory://`` keeps those counters in memory instead of the
store, to separate their cost from the page's. Neo4j: the server named by NEO4J_URI, else the tests'
embedded server (see benchmarks/paths.py).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from flask import Flask, render_template_string  # noqa: E402

from benchmarks.paths import Neo4jServerForBench, open_neo4j  # noqa: E402
from registry import clock, create_app  # noqa: E402
from registry.db import get_store  # noqa: E402
from registry.services import publication  # noqa: E402
from registry.services.exchange import import_registry  # noqa: E402
from registry.services.public_view import public_listing  # noqa: E402

TODAY = "2030-03-01"
COUNTRIES = ("US", "DE", "FR", "IE", "IN", "JP", "GB", "BR", "CH", "NL")
TABLE = """<table>{% for r in rows %}<tr><td>{{ r.vendor }}</td><td>{{ r.service }}</td><td>{{ r.country }}</td>
<td>{{ r.categories|join(', ') }}</td><td>{{ r.stored }}</td><td>{{ r.safeguard }}</td></tr>{% endfor %}</table>"""


def document(vendors):
    """The registry as an export document: categories, purposes, the publisher, its vendors."""
    objects = {"category": [{"key": f"cat{i}", "name": f"Category {i}"} for i in range(20)],
               "purpose": [{"key": f"p{i}", "name": f"Purpose {i}", "legal_basis": "contract"} for i in range(5)],
               "subject_group": [{"key": "customers", "name": "Customers", "residence": ["DE", "FR"]}],
               "organisation": [{"key": "pub", "name": "Publisher", "country": "DE", "publisher": True,
                                 "notice_days": 30}],
               "collection": [{"key": "pub-signup", "organisation": "pub", "subject_group": "customers",
                               "categories": [f"cat{i}" for i in range(20)]}]}
    objects["organisation"] += [{"key": f"v{i}", "name": f"Vendor {i}", "legal_name": f"Vendor {i} Ltd",
                                 "country": COUNTRIES[i % len(COUNTRIES)]} for i in range(vendors)]
    return {"format": "registry-export", "version": 1, "objects": objects}


def engagements(vendors, planned=20):
    out = []
    for i in range(vendors):
        data = {"key": f"pub-v{i}", "exporter": "pub", "importer": f"v{i}", "service": f"Service {i % 7}",
                "importer_role": "sub-processor", "categories": [f"cat{i % 20}", f"cat{(i + 3) % 20}"],
                "purposes": [f"p{i % 5}"], "subject_groups": ["customers"],
                "store_countries": [COUNTRIES[i % len(COUNTRIES)]], "access_countries": [COUNTRIES[(i + 1) % 10]],
                "safeguards": [{"code": "scc:3"}], "public": True, "status": "active",
                "effective_date": "2029-01-01"}
        if i >= vendors - planned:
            data.update(status="planned", effective_date="2030-06-01")
        out.append(data)
    return out


def timed(fn, repeat):
    """p50 in ms over ``repeat`` runs after one warm-up run; also the first run's time."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times)


def bare_flask(rows):
    app = Flask(__name__)

    @app.get("/table")
    def table():
        return render_template_string(TABLE, rows=rows)

    return app.test_client()


def run(kind, app, vendors, repeat):
    with clock.frozen(TODAY), app.app_context():
        store = get_store()
        store.init_schema()
        import_registry(store, "benchmark", document(vendors))
        publication.record_initial_list(store, "benchmark", "pub", "2029-06-01", engagements(vendors))
        listing_first, listing_p50 = timed(lambda: public_listing(store, "pub"), max(repeat // 4, 3))
        rows = [{"vendor": e.vendor, "service": e.service, "country": e.vendor_country, "categories": e.categories,
                 "stored": ", ".join(e.store_countries), "safeguard": e.safeguards[0].words}
                for e in public_listing(store, "pub").engagements]
    client = app.test_client()
    results = {}
    with clock.frozen(TODAY):
        for label, url in (("page", "/p/pub/subprocessors"), ("json", "/p/pub/subprocessors.json"),
                           ("atom", "/p/pub/subprocessors.atom")):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            results[label] = timed(lambda url=url: client.get(url), repeat)
            etag = response.headers["ETag"]
            results[label + " 304"] = timed(lambda url=url, etag=etag: client.get(url, headers={"If-None-Match": etag}),
                                            repeat)
        size = len(client.get("/p/pub/subprocessors").data)
    bare = bare_flask(rows)
    results["bare Flask table"] = timed(lambda: bare.get("/table"), repeat)
    print(f"\n{kind}: {vendors} vendors, page {size // 1024} KB")
    print(f"  public_listing computed     first {listing_first:8.1f} ms   p50 {listing_p50:8.1f} ms")
    for label, (first, p50) in results.items():
        print(f"  {label:<26}  first {first:8.1f} ms   p50 {p50:8.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", default="sqlite,neo4j")
    parser.add_argument("--vendors", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--ratelimit-uri", default=None,
                        help="RATELIMIT_STORAGE_URI for the run (e.g. memory://); default: the store's counters")
    args = parser.parse_args()
    stores = args.stores.split(",")
    if "sqlite" in stores:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLITE_PATH": f"{tmp}/bench.sqlite3",
                              "PUBLIC_BASE_URL": "https://registry.example", "MAIL_PORT": 1,
                              "RATELIMIT_STORAGE_URI": args.ratelimit_uri})
            run("sqlite", app, args.vendors, args.repeat)
    if "neo4j" in stores:
        with Neo4jServerForBench() as server:
            store, driver = open_neo4j(server)  # wipes the database
            store.close()
            driver.close()
            app = create_app({"TESTING": True, "SECRET_KEY": "bench", "STORE": "neo4j", "NEO4J_URI": server.uri,
                              "NEO4J_USER": server.user, "NEO4J_PASSWORD": server.password,
                              "NEO4J_DATABASE": server.database, "PUBLIC_BASE_URL": "https://registry.example",
                              "MAIL_PORT": 1, "RATELIMIT_STORAGE_URI": args.ratelimit_uri})
            try:
                run("neo4j", app, args.vendors, args.repeat)
            finally:
                app.extensions["registry.backend"].close()


if __name__ == "__main__":
    main()
