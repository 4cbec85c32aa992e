"""Times and sizes every admin page and the gaps dashboard on a large registry (under 1 s, 300 KB).

    python benchmarks/admin_pages.py [--organisations 2000 --engagements 10000] [--repeat 3] [--store neo4j]

Builds the registry with ``benchmarks.synthetic`` (plus some planned engagements, a
publisher, objections and triage records so that every panel has rows), imports it in
one batch into a fresh SQLite file (or, with ``--store neo4j``, the server named by NEO4J_URI,
wiped first, else the tests' embedded one started for the run), signs in with the test client and fetches each page.
Fetches every page once right after the import (the findings survey then runs in the
background and pages do not wait for it), then waits for the survey and times it, then
prints each page's first time, the median of ``repeat`` more with the survey at hand,
the size and the status (see ``registry/admin/survey_cache.py``).
"""

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import build  # noqa: E402
from registry import create_app  # noqa: E402
from registry.db import get_store  # noqa: E402
from registry.services.exchange import import_registry  # noqa: E402
from registry.services.users import create_user  # noqa: E402

PASSWORD = "benchmark password"


def enrich(document, planned=40):
    """Make the synthetic registry look like a working one: a publisher with planned changes
    announced, service names, access countries and a few safeguards with evidence."""
    objects = document["objects"]
    objects["organisation"][0].update(publisher=True, notice_days=30)
    publisher = objects["organisation"][0]["key"]
    for i, e in enumerate(objects["engagement"]):
        e["service"] = ("Support desk", "Hosting", "Payroll", "Analytics", "Email delivery")[i % 5]
        if i % 7 == 0:
            e["access_countries"] = ["IN"]
    vendors = [o["key"] for o in objects["organisation"][400:400 + planned]]
    for i, vendor in enumerate(vendors):
        objects["engagement"].append({
            "key": f"planned-{i}", "exporter": publisher, "importer": vendor, "importer_role": "processor",
            "categories": ["c1.s1"], "store_countries": ["US"], "status": "planned", "public": True,
            "announced_date": "2026-11-01", "effective_date": "2027-01-15", "service": "New analytics"})
    return document


def sign_in(client):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})


PAGES = ["/admin/", "/admin/organisations/", "/admin/organisations/?q=united+states",
         "/admin/organisations/?sort=country&page=20", "/admin/engagements/", "/admin/engagements/?q=support",
         "/admin/engagements/?status=planned&sort=effective_date", "/admin/engagements/?exporter=org-0",
         "/admin/categories/", "/admin/categories/?q=category+3", "/admin/subject-groups/",
         "/admin/collections/", "/admin/purposes/", "/admin/audit", "/admin/audit?q=org-17&page=2",
         "/admin/search?q=organisation+12", "/admin/organisations/org-0", "/admin/organisations/org-1500",
         "/admin/engagements/e-17", "/admin/engagements/e-17/edit", "/admin/engagements/new",
         "/admin/organisations/org-3/edit", "/admin/triage", "/admin/triage?status=violation&page=3",
         "/admin/triage?organisation=org-5", "/admin/triage.csv?status=violation",
         "/admin/pictures", "/admin/pictures?view=network&organisation=org-0",
         "/admin/pictures?view=map&category=c1", "/admin/pictures?view=map&category=c2&organisation=org-3",
         "/admin/pick/organisations?q=organisation+19", "/admin/users",
         "/graph/gaps", "/graph/gaps?status=violation&offset=200", "/graph/gaps?category=c1&organisation=org-3"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--engagements", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", choices=("sqlite", "neo4j"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, contextlib.ExitStack() as stack:
        config = {"SECRET_KEY": "bench", "SQLITE_PATH": str(Path(directory) / "bench.sqlite3")}
        if args.store == "neo4j":
            from benchmarks.paths import Neo4jServerForBench
            from tests.neo4j_harness import reset_database
            server = stack.enter_context(Neo4jServerForBench())
            with server.driver() as driver:
                reset_database(driver, server.database)
            config.update(STORE="neo4j", NEO4J_URI=server.uri, NEO4J_USER=server.user,
                          NEO4J_PASSWORD=server.password, NEO4J_DATABASE=server.database)
        app = create_app(config)
        with app.app_context():
            store = get_store()
            store.init_schema()
            start = time.perf_counter()
            count = import_registry(store, "bench", enrich(build(args.organisations, args.engagements)))
            print(f"imported {count} objects in {time.perf_counter() - start:.1f} s")
            create_user(store, "admin", PASSWORD, "admin")
        client = app.test_client()
        sign_in(client)
        # 1. Right after the import: the findings survey starts in the background and no page waits.
        app.config["ADMIN_SURVEY_WAIT"] = 0
        first = {url: fetch(client, url) for url in PAGES}
        # 2. The survey itself (what the dashboard, triage and the pictures' colours need).
        app.config["ADMIN_SURVEY_WAIT"] = 24 * 3600  # wait for it (None means the 0.8 s default)
        survey_seconds, _ = fetch(client, "/admin/")
        print(f"findings survey of the whole registry finished after {survey_seconds:.1f} s more")
        # 3. Every page again with the survey at hand: the median of ``repeat`` requests.
        print(f"{'page':64} {'status':>6} {'first s':>8} {'warm s':>7} {'KB':>7}")
        worst = 0.0
        for url in PAGES:
            times, response = [], None
            for _ in range(max(1, args.repeat)):
                elapsed, response = fetch(client, url)
                times.append(elapsed)
            median = statistics.median(times)
            worst = max(worst, median, first[url][0])
            flag = "" if max(median, first[url][0]) < 1 and len(response.data) < 300_000 else "  <-- over budget"
            print(f"{url:64} {response.status_code:>6} {first[url][0]:8.3f} {median:7.3f} "
                  f"{len(response.data) / 1000:7.1f}{flag}")
        print(f"slowest page: {worst:.3f} s")


def fetch(client, url):
    """(seconds, response) of one GET."""
    start = time.perf_counter()
    response = client.get(url)
    return time.perf_counter() - start, response


if __name__ == "__main__":
    main()
