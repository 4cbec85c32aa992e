"""The triage CSV refuses bad filters through the one error stack, naming the field."""


def test_triage_csv_names_the_bad_field_in_json(client, auth):
    auth.login("viewer")
    refused = client.get("/admin/triage.csv?state=bogus&status=nope", headers={"Accept": "application/json"})
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["status"] == 400 and body["field"] == "status"
    assert set(body["errors"]) == {"status", "state"}
    assert "state must be one of" in body["error"] and "status must be one of" in body["error"]


def test_triage_csv_error_is_a_page_for_a_browser(client, auth):
    auth.login("viewer")
    refused = client.get("/admin/triage.csv?publisher=nobody-at-all", headers={"Accept": "text/html"})
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert "no single organisation is called" in refused.text
