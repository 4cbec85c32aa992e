"""Sign-in, sessions, API credentials and tokens, throttling, redirects, CSP and links (issue 12)."""

import json
import time
from base64 import b64encode

from registry.db import get_store
from registry.services.users import create_token, create_user
from tests.conftest import PASSWORD, csrf_from


def _basic(user, password=PASSWORD):
    return {"Authorization": "Basic " + b64encode(f"{user}:{password}".encode()).decode()}


def _login(client, username="editor", password=PASSWORD, next_url=None):
    page = client.get("/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": csrf_from(page.text)})


def test_next_never_leaves_the_site(client):
    for hostile in ("%2F%09%2Fevil.example%2F", "//evil.example/", "https://evil.example/", "/%5Cevil.example",
                    "%2F%5C%2Fevil.example", "javascript:alert(1)", "%2F%0A%2Fevil.example"):
        client.get("/logout")
        response = _login(client, next_url=hostile)
        assert response.status_code == 302
        assert response.headers["Location"] == "/admin/", hostile
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    response = _login(client, next_url="/admin/organisations/%3Fq%3Dx")
    assert response.headers["Location"].startswith("/admin/organisations/")


def test_sign_out_ends_the_session_even_if_the_cookie_was_copied(client, app):
    _login(client)
    stolen = client.get_cookie("session").value
    assert client.get("/admin/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/admin/").text)})
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/admin/").status_code == 302  # back to the sign-in page


def test_a_password_change_ends_the_users_sessions(client, app):
    _login(client)
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        create_user(get_store(), "editor", "another long password", "editor", replace=True)
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_throttled_per_account(client, app):
    app.config.update(LOGIN_ACCOUNT_LIMIT=3, LOGIN_CLIENT_LIMIT=100)
    statuses = [_login(client, "editor", "wrong password").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # even the right password waits now; another account is not affected
    assert _login(client, "editor").status_code == 429
    assert _login(client, "viewer").status_code == 302


def test_sign_in_is_throttled_per_client_across_accounts(client, app):
    app.config.update(LOGIN_ACCOUNT_LIMIT=100, LOGIN_CLIENT_LIMIT=3)
    for name in ("a1", "a2", "a3"):
        assert _login(client, name, "wrong password").status_code == 200
    assert _login(client, "viewer").status_code == 429
    other_client = app.test_client()
    page = other_client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    ok = other_client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text)},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert ok.status_code == 302


def test_http_basic_is_throttled_and_answers_429_as_json(client, app):
    app.config.update(LOGIN_ACCOUNT_LIMIT=3)
    codes = [client.get("/api/v1/organisations", headers=_basic("viewer", "nope")).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    throttled = client.get("/api/v1/organisations", headers=_basic("viewer"))
    assert throttled.status_code == 429 and throttled.json["status"] == 429
    assert int(throttled.headers.get("Retry-After", "1")) >= 1 or "retry_after" in throttled.json


def test_throttle_counters_are_shared_by_app_instances(app):
    """A second app on the same store (another worker process) sees the same failures."""
    from registry import create_app
    app.config.update(LOGIN_ACCOUNT_LIMIT=2)
    twin = create_app(dict(app.config))
    app.test_client().get("/api/v1/organisations", headers=_basic("viewer", "nope"))
    twin.test_client().get("/api/v1/organisations", headers=_basic("viewer", "nope"))
    assert app.test_client().get("/api/v1/organisations", headers=_basic("viewer")).status_code == 429


def test_a_session_with_any_authorization_header_cannot_write(client):
    _login(client, "admin")
    for header in ("Basic Zm9vOmJhcg==", "Bearer nonsense", "Digest x", "Basic " + b64encode(b"admin:").decode()):
        response = client.post("/api/v1/organisations", json={"key": "a", "name": "A"},
                               headers={"Authorization": header})
        assert response.status_code in (401, 403), header
    plain = client.post("/api/v1/organisations", json={"key": "a", "name": "A"})
    assert plain.status_code == 403
    assert client.get("/api/v1/organisations/a").status_code == 404


def test_api_tokens_write_fast_and_stop_when_revoked(client, app):
    with app.app_context():
        token, secret = create_token(get_store(), "editor", "sync", "editor")
    bearer = {"Authorization": f"Bearer {secret}"}
    started = time.perf_counter()
    for n in range(5):
        assert client.post("/api/v1/organisations", json={"key": f"o{n}", "name": "O"},
                           headers=bearer).status_code == 201
    per_write_ms = (time.perf_counter() - started) / 5 * 1000
    print(f"token write: {per_write_ms:.1f} ms")
    with app.app_context():
        audit = get_store().audit_log(kind="organisation")
    assert {r.actor for r in audit} == {"editor"}
    with app.app_context():
        from registry.services.users import revoke_token
        revoke_token(get_store(), token.id, "admin")
    assert client.get("/api/v1/organisations", headers=bearer).status_code == 401


def test_tokens_in_the_admin_area_are_shown_once_and_revocable(client, app):
    _login(client, "viewer")
    page = client.get("/admin/tokens/")
    assert page.status_code == 200
    made = client.post("/admin/tokens/", data={"name": "laptop script", "csrf_token": csrf_from(page.text)})
    assert made.status_code == 200 and "rgt_" in made.text
    secret = made.text.split('class="token-secret">')[1].split("<")[0]
    again = client.get("/admin/tokens/")
    assert secret not in again.text and "laptop script" in again.text
    assert client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    # the viewer's token has the viewer's role
    assert client.post("/api/v1/organisations", json={"key": "x", "name": "X"},
                       headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    with app.app_context():
        [token] = get_store().list_tokens("viewer")
    revoked = client.post("/admin/tokens/revoke", data={"token_id": token.id, "csrf_token": csrf_from(again.text)})
    assert revoked.status_code == 200
    assert client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_tokens_from_the_command_line(runner, app):
    made = runner.invoke(["tokens", "create", "editor", "ci job"])
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    listed = runner.invoke(["tokens", "list"])
    assert "ci job" in listed.output and secret not in listed.output
    token_id = listed.output.split("\t")[0]
    assert app.test_client().get("/api/v1/organisations",
                                 headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert runner.invoke(["tokens", "revoke", token_id]).exit_code == 0
    unknown = runner.invoke(["tokens", "revoke", token_id])
    assert unknown.exit_code == 1 and "no API token" in unknown.output
    assert runner.invoke(["tokens", "create", "nobody", "x"]).exit_code == 1


def test_personal_data_in_export_and_audit_is_for_admins(client, app):
    from registry.domain.model import Subscription
    with app.app_context():
        store = get_store()
        with store.unit_of_work("public") as uow:
            uow.add(Subscription(key="s1", publisher="", email="reader@example.com"))
            uow.commit()
    for user in ("viewer", "editor"):
        export = client.get("/api/v1/export", headers=_basic(user)).json
        assert "subscription" not in export["objects"] and "reader@example.com" not in str(export)
        audit = client.get("/api/v1/audit", headers=_basic(user)).json
        assert "reader@example.com" not in str(audit)
    assert "reader@example.com" in str(client.get("/api/v1/export", headers=_basic("admin")).json)
    assert "reader@example.com" in str(client.get("/api/v1/audit", headers=_basic("admin")).json)


def test_admin_pages_have_a_csp_and_render_only_safe_links(client, app):
    from registry.domain.model import Organisation
    with app.app_context():
        store = get_store()
        with store.unit_of_work("legacy") as uow:  # stored before links were checked
            uow.add(Organisation(key="evil", name="Evil", website="javascript:alert(document.domain)"))
            uow.add(Organisation(key="good", name="Good", website="https://good.example/"))
            uow.commit()
    _login(client, "viewer")
    evil = client.get("/admin/organisations/evil")
    csp = evil.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "object-src 'none'" in csp and "unsafe-inline" not in \
        csp.split("script-src")[1].split(";")[0]
    assert 'href="javascript:' not in evil.text and "javascript:alert" in evil.text  # shown as text
    assert 'href="https://good.example/"' in client.get("/admin/organisations/good").text
    assert client.get("/p/").headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_links_are_refused_on_input_unless_http_https_or_mailto(client):
    editor = _basic("editor")
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil",
                "http://", "java\tscript:x"):
        response = client.post("/api/v1/organisations", json={"key": "o", "name": "O", "website": bad},
                               headers=editor)
        assert response.status_code == 400 and response.json["field"] == "website", bad
    for good in ("https://example.com", "http://example.com/x?y=1", "mailto:privacy@example.com"):
        key = f"o{abs(hash(good)) % 10000}"
        assert client.post("/api/v1/organisations", json={"key": key, "name": "O", "website": good},
                           headers=editor).status_code == 201, good


def test_absolute_urls_never_come_from_the_host_header(app):
    from registry.public import external_url
    with app.test_request_context("/p/", headers={"Host": "evil.example"}):
        assert "evil.example" not in external_url("public.index")
    app.config["PUBLIC_BASE_URL"] = "https://registry.example.org"
    with app.test_request_context("/p/", headers={"Host": "evil.example"}):
        assert external_url("public.index").startswith("https://registry.example.org/")


def test_openapi_document_is_valid_and_describes_every_kind(client):
    from openapi_spec_validator import validate
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    schemas = document["components"]["schemas"]
    for name in ("Organisation", "Engagement", "Collection", "Category", "Purpose", "SubjectGroup", "Safeguard"):
        assert name in schemas
    assert schemas["Engagement"]["properties"]["public"]["type"] == "boolean"
    assert f'"maximum": {2 ** 63 - 1}' in json.dumps(schemas["Organisation"]["properties"]["notice_days"])
    assert schemas["Organisation"]["additionalProperties"] is False


def test_api_answers_match_the_openapi_document(client):
    """Objects the API returns validate against the published schemas; refused ones do not."""
    import jsonschema
    document = client.get("/api/v1/openapi.json").json
    editor = _basic("editor")
    bodies = {"categories": {"key": "account", "name": "Account", "flags": ["payment"]},
              "organisations": {"key": "acme", "name": "Acme", "country": "DE", "certifications": ["dpf-eu"]},
              "subject-groups": {"key": "customers", "name": "Customers", "residence": ["DE"], "individuals": 10},
              "purposes": {"key": "billing", "name": "Billing", "legal_basis": "contract"}}
    for slug, body in bodies.items():
        created = client.post(f"/api/v1/{slug}", json=body, headers=editor)
        assert created.status_code == 201, created.json
        schema = document["paths"][f"/api/v1/{slug}"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        resolver_doc = dict(schema, components=document["components"])
        jsonschema.validate(created.json, resolver_doc)
        jsonschema.validate(body, resolver_doc)
    bad = {"key": "x", "name": "X", "publisher": "false"}
    schema = dict(document["paths"]["/api/v1/organisations"]["post"]["requestBody"]["content"]
                  ["application/json"]["schema"], components=document["components"])
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
    assert client.post("/api/v1/organisations", json=bad, headers=editor).status_code == 400


def test_every_inline_script_on_the_sankey_page_carries_the_csp_nonce(client, app):
    import re
    from registry.services.exchange import seed
    with app.app_context():
        seed(get_store())
    _login(client, "viewer")
    page = client.get("/graph/where?category=biometric&on=2026-11-22")
    assert page.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    inline = [tag for tag in re.findall(r"<script[^>]*>", page.text) if "src=" not in tag]
    assert inline, "the Sankey's own script is on the page"
    assert all(f'nonce="{nonce}"' in tag for tag in inline), inline
