"""A bounded fuzz run of the API: inputs tried, 5xx answers, wrongly typed values stored.

    python benchmarks/fuzz_api.py [--examples 1000] [--store sqlite|neo4j] [--schemas openapi.json]

Uses the hypothesis strategies of tests/fuzzing.py (a valid body with up to three fields
made hostile). Wrongly typed values are counted by validating every object of the export
against the component schemas of an OpenAPI document: the app's own /api/v1/openapi.json,
or --schemas FILE (to measure a version of the registry that did not publish one).
For Neo4j set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD); its database is wiped first.
"""

import argparse
import json
import os
import sys
import tempfile
from base64 import b64encode
from collections import Counter
from pathlib import Path

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import jsonschema  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from registry import create_app  # noqa: E402
from registry.db import get_store  # noqa: E402
from registry.domain.records import User  # noqa: E402
from registry.services.exchange import export_registry  # noqa: E402
from tests.fuzzing import BASE_OBJECTS, VALID, as_json, bodies  # noqa: E402

SCHEMA_OF = {"organisation": "Organisation", "subject_group": "SubjectGroup", "category": "Category",
             "purpose": "Purpose", "collection": "Collection", "engagement": "Engagement"}


def make_app(store):
    if store == "neo4j":
        config = {"STORE": "neo4j", "NEO4J_URI": os.environ["NEO4J_URI"],
                  "NEO4J_USER": os.environ.get("NEO4J_USER", "neo4j"),
                  "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", ""),
                  "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j")}
    else:
        config = {"SQLITE_PATH": os.path.join(tempfile.mkdtemp(), "fuzz.sqlite3")}
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", **config})
    with app.app_context():
        store = get_store()
        if config.get("STORE") == "neo4j":
            store.driver.execute_query("MATCH (n) DETACH DELETE n", database_=store.database)
        store.init_schema()
        # A cheap hash: the run measures input handling, not password hashing.
        store.save_user(User("editor", generate_password_hash("fuzz-password", method="pbkdf2:sha256:1"), "editor"))
    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--store", choices=("sqlite", "neo4j"), default="sqlite")
    parser.add_argument("--schemas", help="an OpenAPI document whose component schemas say what is well typed")
    args = parser.parse_args()
    app = make_app(args.store)
    client = app.test_client()
    headers = {"Authorization": "Basic " + b64encode(b"editor:fuzz-password").decode(),
               "Content-Type": "application/json"}
    for slug, body in BASE_OBJECTS:
        client.post(f"/api/v1/{slug}", data=json.dumps(body), headers=headers)
    statuses = Counter()

    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        slug = data.draw(st.sampled_from(sorted(VALID)))
        response = client.post(f"/api/v1/{slug}", data=as_json(data.draw(bodies(slug))), headers=headers)
        statuses[response.status_code] += 1

    run()
    if args.schemas:
        document = json.loads(Path(args.schemas).read_text())
    else:
        document = client.get("/api/v1/openapi.json").json
    wrong = Counter()
    try:
        with app.app_context():
            exported = export_registry(get_store())
        export_ok = "yes"
    except Exception as exc:  # noqa: BLE001 - the figure is whether backups still work
        exported, export_ok = None, f"no ({type(exc).__name__})"
    stored = 0
    if exported:
        for kind, name in SCHEMA_OF.items():
            schema = dict(document["components"]["schemas"][name], components=document["components"])
            validator = jsonschema.Draft202012Validator(schema)
            for obj in exported["objects"].get(kind, []):
                stored += 1
                if not validator.is_valid(obj):
                    wrong[kind] += 1
    tried = sum(statuses.values())
    fivexx = sum(n for code, n in statuses.items() if code >= 500)
    print(f"store={args.store} inputs tried={tried} 5xx={fivexx} accepted={statuses[201]} "
          f"objects stored={stored} wrongly typed stored={sum(wrong.values())} {dict(wrong)} "
          f"export works={export_ok} statuses={dict(sorted(statuses.items()))}")
    app.extensions["registry.backend"].close()


if __name__ == "__main__":
    main()
