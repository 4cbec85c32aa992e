"""The admin area: login, roles, CSRF, form errors, conflicts, audit."""

import re

import pytest

from registry.services import objects


def test_admin_requires_login(client):
    response = client.get("/admin/organisations/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_api_requires_credentials(client):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 401
    assert response.json["error"].startswith("sign-in needed")


def test_wrong_password_is_shown_next_to_the_field(client, auth):
    response = auth.login("editor", "wrong password")
    assert response.status_code == 200
    assert "Unknown username or wrong password." in response.text


def test_viewer_cannot_edit(client, auth):
    auth.login("viewer")
    assert client.get("/admin/organisations/").status_code == 200
    response = client.get("/admin/organisations/new")
    assert response.status_code == 403
    assert "needs the editor role" in response.text


def test_post_without_csrf_token_is_refused(client, auth, store):
    auth.login("editor")
    response = client.post("/admin/organisations/new", data={"key": "acme", "name": "Acme", "notice_days": "30"})
    assert response.status_code == 400
    assert "form has expired" in response.text
    assert store.find("organisation", "acme") is None


def test_create_shows_field_errors(client, auth, store):
    auth.login("editor")
    response = auth.post_form("/admin/organisations/new", {"key": "Not A Slug", "name": "", "notice_days": "30"})
    assert response.status_code == 400
    assert "Use lower-case letters, digits and hyphens." in response.text
    assert "This field is required." in response.text
    assert store.count("organisation") == 0


def test_service_error_is_shown_next_to_its_field(client, auth, store):
    objects.create(store, "x", "organisation", {"key": "acme", "name": "Acme"})
    objects.create(store, "x", "category", {"key": "contact", "name": "Contact"})
    auth.login("editor")
    response = auth.post_form("/admin/engagements/new", {"key": "e1", "exporter": "Acme", "importer": "acme",
                                                         "importer_role": "processor", "status": "active",
                                                         "categories": "contact"})
    assert response.status_code == 400
    assert re.search(r'<span class="error" role="alert">an organisation cannot engage itself', response.text)
    assert store.count("engagement") == 0


def test_create_edit_delete_with_audit(client, auth, store):
    auth.login("editor")
    response = auth.post_form("/admin/organisations/new",
                              {"key": "acme", "name": "Acme", "country": "DE", "notice_days": "30"})
    assert response.status_code == 302
    assert store.get("organisation", "acme").country == "DE"
    response = auth.post_form("/admin/organisations/acme/edit",
                              {"key": "acme", "name": "Acme GmbH", "country": "DE", "notice_days": "14",
                               "version": "1"})
    assert response.status_code == 302
    acme = store.get("organisation", "acme")
    assert (acme.name, acme.notice_days, acme.version) == ("Acme GmbH", 14, 2)
    records = store.audit_log(kind="organisation", key="acme")
    assert [r.action for r in records] == ["update", "create"]
    assert records[0].actor == "editor"
    assert records[0].before["name"] == "Acme" and records[0].after["name"] == "Acme GmbH"
    assert "name" in records[0].changed_fields()
    page = client.get("/admin/audit")
    assert "Acme GmbH" in page.text and "editor" in page.text
    response = auth.post_form("/admin/organisations/acme", {"version": "2"}, action="/admin/organisations/acme/delete")
    assert response.status_code == 302
    assert store.find("organisation", "acme") is None
    assert store.audit_log(kind="organisation", key="acme")[0].action == "delete"


def test_stale_edit_is_a_conflict_and_changes_nothing(client, auth, store):
    objects.create(store, "someone", "organisation", {"key": "acme", "name": "Acme"})
    auth.login("editor")
    form = client.get("/admin/organisations/acme/edit").text  # the editor opens version 1
    objects.update(store, "someone", "organisation", "acme", {"key": "acme", "name": "Acme by someone"}, 1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post("/admin/organisations/acme/edit",
                           data={"csrf_token": token, "key": "acme", "name": "Acme by editor",
                                 "notice_days": "30", "version": "1"})
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    stored = store.get("organisation", "acme")
    assert (stored.name, stored.version) == ("Acme by someone", 2)


def test_referenced_delete_is_refused_with_what_points_at_it(client, auth, store):
    objects.create(store, "x", "organisation", {"key": "parent-co", "name": "Parent"})
    objects.create(store, "x", "organisation", {"key": "child-co", "name": "Child", "parent": "parent-co"})
    auth.login("editor")
    response = auth.post_form("/admin/organisations/parent-co", {"version": "1"},
                              action="/admin/organisations/parent-co/delete")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "still referenced by organisation &#39;child-co&#39; (parent)" in page.text
    assert store.find("organisation", "parent-co") is not None


@pytest.mark.parametrize("url", ["/admin/", "/admin/organisations/", "/admin/engagements/new",
                                 "/admin/categories/?flags=special", "/admin/audit"])
def test_pages_render_for_an_editor(client, auth, url):
    auth.login("editor")
    assert client.get(url).status_code == 200


def test_friendly_404_page_and_json_404(client, auth):
    auth.login("viewer")
    page = client.get("/admin/organisations/nobody")
    assert page.status_code == 404
    assert "no organisation with key" in page.text and "Traceback" not in page.text
    api = client.get("/api/v1/organisations/nobody")
    assert api.status_code == 404 and api.json["error"] == "no organisation with key 'nobody'"


def test_unexpected_error_shows_no_stack_trace(app, client, auth):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
