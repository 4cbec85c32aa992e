"""The JSON API: CRUD with versions, roles, and JSON errors."""

from base64 import b64encode

from tests.conftest import PASSWORD


def _auth(user):
    return {"Authorization": "Basic " + b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def test_crud_with_versions(client):
    editor = _auth("editor")
    created = client.post("/api/v1/organisations", json={"key": "acme", "name": "Acme", "country": "de"},
                          headers=editor)
    assert created.status_code == 201 and created.json["country"] == "DE" and created.json["version"] == 1
    updated = client.put("/api/v1/organisations/acme", json={"name": "Acme AG", "country": "CH", "version": 1},
                         headers=editor)
    assert updated.status_code == 200 and updated.json["version"] == 2
    stale = client.put("/api/v1/organisations/acme", json={"name": "Old", "version": 1}, headers=editor)
    assert stale.status_code == 409 and "changed by someone else" in stale.json["error"]
    assert client.get("/api/v1/organisations/acme", headers=editor).json["name"] == "Acme AG"
    listed = client.get("/api/v1/organisations?country=CH", headers=_auth("viewer")).json
    assert [o["key"] for o in listed["items"]] == ["acme"]
    assert client.delete("/api/v1/organisations/acme?version=2", headers=editor).status_code == 204


def test_errors_are_json_and_name_the_field(client):
    editor = _auth("editor")
    bad = client.post("/api/v1/organisations", json={"key": "x", "name": "X", "country": "XX"}, headers=editor)
    assert bad.status_code == 400 and bad.json["field"] == "country"
    not_json = client.post("/api/v1/organisations", data="nope", headers=editor)
    assert not_json.status_code == 400 and not_json.json["field"] == "body"
    no_version = client.put("/api/v1/organisations/x", json={"name": "X"}, headers=editor)
    assert no_version.status_code == 400 and no_version.json["field"] == "version"
    bad_filter = client.get("/api/v1/organisations?colour=red", headers=editor)
    assert bad_filter.status_code == 400 and bad_filter.json["field"] == "colour"


def test_roles_and_session_writes(client, auth):
    assert client.post("/api/v1/organisations", json={"key": "a", "name": "A"},
                       headers=_auth("viewer")).status_code == 403
    auth.login("admin")
    # A browser session must not authorise API writes: no CSRF token protects them.
    response = client.post("/api/v1/organisations", json={"key": "a", "name": "A"})
    assert response.status_code == 403 and "HTTP Basic" in response.json["error"]
    assert client.get("/api/v1/organisations").status_code == 200


def test_only_an_admin_records_an_early_start_reason(client):
    for user in ("editor", "admin"):
        client.post("/api/v1/organisations", json={"key": f"{user}-a", "name": "A"}, headers=_auth("admin"))
    client.post("/api/v1/organisations", json={"key": "vendor", "name": "V"}, headers=_auth("admin"))
    client.post("/api/v1/categories", json={"key": "account", "name": "Account"}, headers=_auth("admin"))
    body = {"key": "e1", "exporter": "editor-a", "importer": "vendor", "categories": ["account"],
            "early_start_reason": "emergency"}
    assert client.post("/api/v1/engagements", json=body, headers=_auth("editor")).status_code == 403
    assert client.post("/api/v1/engagements", json=body, headers=_auth("admin")).status_code == 201
