"""The graph questions' answers validate against the OpenAPI document that describes them."""

from base64 import b64encode

import jsonschema
import pytest

from registry.db import get_store
from registry.services.exchange import seed
from tests.conftest import PASSWORD

VIEWER = {"Authorization": "Basic " + b64encode(f"viewer:{PASSWORD}".encode()).decode()}


def _schema(document, path, content="application/json"):
    schema = document["paths"][path]["get"]["responses"]["200"]["content"][content]["schema"]
    return dict(schema, components=document["components"])


@pytest.fixture
def seeded(app, client):
    with app.app_context():
        seed(get_store())
    return client.get("/api/v1/openapi.json").json


@pytest.mark.parametrize("query", ["category=biometric&on=2026-11-22&limit=5&examples=true",
                                   "category=biometric&on=2026-11-22&planned=true&limit=3",
                                   "category=biometric&on=2026-11-22&depth=1"])
def test_paths_answers_match_the_document(client, seeded, query):
    answer = client.get(f"/api/v1/paths?{query}", headers=VIEWER)
    assert answer.status_code == 200, answer.json
    assert answer.json["hops"], "the seed's biometric data goes somewhere"
    jsonschema.validate(answer.json, _schema(seeded, "/api/v1/paths"))


def test_gaps_answers_match_the_document(client, seeded):
    answer = client.get("/api/v1/gaps?on=2026-11-22&limit=5", headers=VIEWER)
    assert answer.status_code == 200, answer.json
    assert answer.json["items"] and answer.json["items"][0]["findings"][0]["contexts"]
    jsonschema.validate(answer.json, _schema(seeded, "/api/v1/gaps"))


def test_the_document_names_every_parameter_the_graph_questions_read(seeded):
    named = {p["name"] for p in seeded["paths"]["/api/v1/paths"]["get"]["parameters"]}
    assert named == {"category", "on", "limit", "offset", "subject_group", "organisation", "depth", "examples",
                     "planned"}
    named = {p["name"] for p in seeded["paths"]["/api/v1/gaps"]["get"]["parameters"]}
    assert named >= {"status", "regime", "organisation", "publisher", "category", "format", "limit", "offset"}


def test_a_broken_answer_would_not_validate(client, seeded):
    answer = client.get("/api/v1/paths?category=biometric&on=2026-11-22&limit=1", headers=VIEWER).json
    del answer["hops"][0]["context"]["regimes"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, _schema(seeded, "/api/v1/paths"))
