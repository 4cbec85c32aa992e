"""Property-based runs over the API and the admin forms on both stores (hypothesis).

Whatever is sent, no answer is a 5xx; afterwards every stored object fits its schema,
and an export imported into an empty store exports the same text. A few hundred
examples per store keep each run well under a minute on two cores.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import create_app
from registry.db import get_store
from registry.domain.model import EXPORT_ORDER, kind_class
from registry.domain.schemas import check_shape
from registry.services.exchange import dumps, export_registry, import_registry
from registry.services.users import create_token, create_user
from registry.store.sqlite import SQLiteStore
from tests.conftest import PASSWORD
from tests.fuzzing import BASE_OBJECTS, VALID, as_json, bodies, field_names, form_texts

API_EXAMPLES = 250
FORM_EXAMPLES = 120
COMMON = dict(deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(params=["sqlite", "neo4j"])
def fuzz_app(request, tmp_path):
    if request.param == "sqlite":
        config = {"SQLITE_PATH": str(tmp_path / "registry.sqlite3")}
    else:
        server = request.getfixturevalue("neo4j_server")
        with server.driver() as driver:
            driver.execute_query("MATCH (n) DETACH DELETE n", database_=server.database)
        config = {"STORE": "neo4j", "NEO4J_URI": server.uri, "NEO4J_USER": server.user,
                  "NEO4J_PASSWORD": server.password, "NEO4J_DATABASE": server.database}
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "WTF_CSRF_ENABLED": False, **config})
    with app.app_context():
        store = get_store()
        store.init_schema()
        create_user(store, "editor", PASSWORD, "editor")
        app.config["FUZZ_TOKEN"] = create_token(store, "editor", "fuzz", "editor")[1]
    client = app.test_client()
    for slug, body in BASE_OBJECTS:
        assert client.post(f"/api/v1/{slug}", json=body, headers=_auth(app)).status_code == 201
    yield app
    app.extensions["registry.backend"].close()


def _auth(app):
    return {"Authorization": f"Bearer {app.config['FUZZ_TOKEN']}"}


def check_what_was_stored(app, tmp_path):
    """Every stored object fits its schema; export, import into an empty store, export: the same."""
    with app.app_context():
        store = get_store()
        document = export_registry(store)
        for kind in EXPORT_ORDER:
            for obj in store.list(kind):
                check_shape(kind_class(kind), obj.shape_dict())
    fresh = SQLiteStore(tmp_path / "round-trip.sqlite3")
    fresh.init_schema()
    import_registry(fresh, "fuzz", document)
    assert dumps(export_registry(fresh)) == dumps(document)
    fresh.close()
    return sum(len(v) for v in document["objects"].values())


def test_api_answers_every_hostile_body_with_less_than_500(fuzz_app, tmp_path):
    client = fuzz_app.test_client()
    headers = dict(_auth(fuzz_app), **{"Content-Type": "application/json"})

    @settings(max_examples=API_EXAMPLES, **COMMON)
    @given(st.data())
    def run(data):
        slug = data.draw(st.sampled_from(sorted(VALID)))
        body = data.draw(bodies(slug))
        existing = {"organisations": "vendor", "categories": "account", "purposes": "billing",
                    "subject-groups": "customers"}.get(slug)
        if existing and data.draw(st.booleans()):
            current = client.get(f"/api/v1/{slug}/{existing}", headers=headers).json
            body = dict(body, key=existing, version=current["version"])
            response = client.put(f"/api/v1/{slug}/{existing}", data=as_json(body), headers=headers)
        else:
            response = client.post(f"/api/v1/{slug}", data=as_json(body), headers=headers)
        assert response.status_code < 500, (slug, body, response.get_data(as_text=True)[:300])
        assert response.is_json
        if response.status_code == 400:
            assert response.json.get("field"), response.json

    run()
    assert check_what_was_stored(fuzz_app, tmp_path) > len(BASE_OBJECTS)


def test_admin_forms_answer_every_hostile_post_with_less_than_500(fuzz_app, tmp_path):
    client = fuzz_app.test_client()
    response = client.post("/login", data={"username": "editor", "password": PASSWORD})
    assert response.status_code == 302

    @settings(max_examples=FORM_EXAMPLES, **COMMON)
    @given(st.data())
    def run(data):
        slug = data.draw(st.sampled_from(sorted(VALID)))
        names = ["key"] + field_names(slug)
        form = {name: data.draw(form_texts) for name in data.draw(st.lists(st.sampled_from(names), unique=True))}
        response = client.post(f"/admin/{slug}/new", data=form)
        assert response.status_code < 500, (slug, form)

    run()
    check_what_was_stored(fuzz_app, tmp_path)


def test_the_anonymous_assessment_answers_every_hostile_hop_with_less_than_500(client):
    """No store is read; one run on the embedded default is enough."""
    from tests.fuzzing import values
    valid = {"on": "2026-11-22", "exporter": {"country": "DE", "role": "controller"},
             "importer": {"country": "US", "role": "processor", "certifications": ["dpf-eu"]},
             "subjects": {"residence": ["DE"]}, "categories": ["account.contact.email"], "safeguards": ["dpa"]}

    @settings(max_examples=FORM_EXAMPLES, **COMMON)
    @given(st.data())
    def run(data):
        body = dict(valid)
        for name in data.draw(st.lists(st.sampled_from(sorted(valid) + ["colour"]), max_size=3, unique=True)):
            if name in ("exporter", "importer", "subjects") and data.draw(st.booleans()):
                inner = dict(valid.get(name) or {})
                inner[data.draw(st.sampled_from(["country", "role", "certifications", "residence", "stores_in"]))] = \
                    data.draw(values)
                body[name] = inner
            else:
                body[name] = data.draw(values)
        response = client.post("/api/v1/assess", data=as_json(body), content_type="application/json")
        assert response.status_code < 500, (body, response.get_data(as_text=True)[:300])

    run()
