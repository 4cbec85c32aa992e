"""The notice rule, material changes, one deadline everywhere and the objection flow, on the
real Neo4j server (the same services as on SQLite; see test_notice.py and test_objections.py)."""

from base64 import b64encode

from registry.db import get_store
from registry.services import objects
from tests.conftest import PASSWORD

from .test_objections import REF, confirm_link, post_objection


def _admin_headers():
    return {"Authorization": "Basic " + b64encode(f"editor:{PASSWORD}".encode()).decode()}


def test_notice_rule_and_objections_on_neo4j(neo4j_public_app, clock):
    app, inbox = neo4j_public_app
    client = app.test_client()
    with app.app_context():
        from registry.services.users import create_user
        create_user(get_store(), "editor", PASSWORD, "editor")
    rush = {"key": "acme-rush", "exporter": "acme", "importer": "helpdesk", "status": "active", "public": True,
            "effective_date": "2030-03-01"}
    response = client.post("/api/v1/engagements", json=rush, headers=_admin_headers())
    assert response.status_code == 400 and response.json["field"] == "status"
    clock.set("2030-03-05")
    with app.app_context():
        store = get_store()
        eng = store.get("engagement", "acme-cloudco")
        objects.update(store, "dpo", "engagement", eng.key, dict(eng.to_dict(), categories=["account", "support"]),
                       eng.version)
        [entry] = [c for c in store.list("change", filters={"publisher": "acme"}) if c.engagement == "acme-cloudco"]
        assert (entry.action, entry.date, entry.objection_deadline, entry.effective_date) == \
            ("new-categories", "2030-03-05", "2030-04-04", "2030-04-05")
    data = client.get("/p/acme/subprocessors.json").json
    cloud = next(e for e in data["subprocessors"] if e["vendor"] == "CloudCo")
    assert cloud["objection_deadline"] == "2030-04-04"
    assert 'datetime="2030-04-04"' in client.get("/p/acme/subprocessors").text
    etag = client.get("/p/acme/subprocessors.json").headers["ETag"]
    assert client.get("/p/acme/subprocessors.json", headers={"If-None-Match": etag}).status_code == 304
    assert post_objection(client, ref=REF).status_code == 201
    client.post(confirm_link(inbox.wait_for(1)[0][1]))
    assert len(inbox.wait_for(3)) == 3
    assert inbox.to("dpo@acme.example")
    with app.app_context():
        [objection] = get_store().list("objection")
        assert objection.status == "open"
