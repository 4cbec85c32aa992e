"""Regression tests for every defect of issue 12's hostile-input run, on both stores.

Each test sends what once caused a 500 or stored a wrongly typed value, and checks the
answer is a 4xx naming the field (or a working page) and that nothing wrong was stored.
"""

import json
import re

import pytest

from registry import create_app
from registry.db import get_store
from registry.domain.errors import ValidationError
from registry.domain.model import Engagement, Organisation
from registry.services.exchange import dumps, export_registry
from registry.services.users import create_token, create_user
from tests.conftest import PASSWORD, csrf_from


TOKENS = {}  # role -> API token of the current test's app (a hash lookup, not a password hash per call)


def basic(user="admin"):
    """Credentials for ``user``: its API token."""
    return {"Authorization": f"Bearer {TOKENS[user]}"}


@pytest.fixture(params=["sqlite", "neo4j"])
def app_on(request, tmp_path):
    """An app on each store, with users viewer, editor and admin and a small registry."""
    if request.param == "sqlite":
        config = {"SQLITE_PATH": str(tmp_path / "registry.sqlite3")}
    else:
        server = request.getfixturevalue("neo4j_server")
        with server.driver() as driver:
            driver.execute_query("MATCH (n) DETACH DELETE n", database_=server.database)
        config = {"STORE": "neo4j", "NEO4J_URI": server.uri, "NEO4J_USER": server.user,
                  "NEO4J_PASSWORD": server.password, "NEO4J_DATABASE": server.database}
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})
    with app.app_context():
        store = get_store()
        store.init_schema()
        for role in ("viewer", "editor", "admin"):
            create_user(store, role, PASSWORD, role)
            TOKENS[role] = create_token(store, role, "tests", role)[1]
    client = app.test_client()
    for path, body in (("categories", {"key": "account", "name": "Account"}),
                       ("subject-groups", {"key": "customers", "name": "Customers", "individuals": 5000}),
                       ("organisations", {"key": "acme", "name": "Acme", "country": "DE", "publisher": True}),
                       ("organisations", {"key": "vendor", "name": "Vendor", "country": "US"}),
                       ("collections", {"key": "signup", "organisation": "acme", "subject_group": "customers",
                                        "categories": ["account"]}),
                       ("engagements", {"key": "acme-vendor", "exporter": "acme", "importer": "vendor",
                                        "categories": ["account"], "status": "active",
                                        "effective_date": "2026-01-01"})):
        response = client.post(f"/api/v1/{path}", json=body, headers=basic())
        assert response.status_code == 201, response.json
    yield app
    app.extensions["registry.backend"].close()


def login(client, username="viewer"):
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302


def _raw(client, method, url, text):
    return client.open(url, method=method, data=text, content_type="application/json", headers=basic())


BAD_BODIES = [
    ("collections", {"key": "c2", "organisation": "acme", "subject_group": "customers", "categories": [[]]},
     "categories"),
    ("organisations", {"key": "o2", "name": "O", "description": 1.5}, "description"),
    ("organisations", {"key": "o2", "name": "O", "legal_name": {"a": 1}}, "legal_name"),
    ("organisations", {"key": "o2", "name": "O", "certifications": "dpf-eu"}, "certifications"),
    ("organisations", {"key": "o2", "name": "O", "notice_days": 2 ** 64}, "notice_days"),
    ("organisations", {"key": "o2", "name": "O", "notice_days": True}, "notice_days"),
    ("organisations", {"key": "o2\n", "name": "O"}, "key"),
    ("organisations", {"key": "o2", "name": "O", "website": "javascript:alert(1)"}, "website"),
    ("organisations", {"key": "o2", "name": "Evil\r\nBcc: x@example.com"}, "name"),
    ("engagements", {"key": "e2", "exporter": "acme", "importer": "vendor", "categories": ["account"],
                     "public": "false"}, "public"),
    ("engagements", {"key": "e2", "exporter": "acme", "importer": "vendor", "categories": ["account"],
                     "safeguards": [{"code": "scc", "document": "javascript:alert(1)"}]}, "safeguards"),
    ("engagements", {"key": "e2", "exporter": "acme", "importer": "vendor", "categories": ["account"],
                     "store_countries": {"US": True}}, "store_countries"),
    ("subject-groups", {"key": "g2", "name": "G", "individuals": 2 ** 70}, "individuals"),
]


def test_wrongly_typed_bodies_are_refused_naming_the_field(app_on):
    client = app_on.test_client()
    before = client.get("/api/v1/export", headers=basic()).json
    for path, body, field in BAD_BODIES:
        response = client.post(f"/api/v1/{path}", json=body, headers=basic())
        assert response.status_code == 400, (body, response.json)
        assert response.json["field"] == field, body
    assert client.get("/api/v1/export", headers=basic()).json == before


RAW_BODIES = [
    ('{"key": "o3", "name": "O", "notice_days": NaN}', "notice_days"),
    ('{"key": "o3", "name": "O", "notice_days": Infinity}', "notice_days"),
    ('{"key": "o3", "name": "Bad \\ud800 name"}', "name"),
    ('{"key": "o3", "name": "O", "legal_name": "\\udfff"}', "legal_name"),
    ('{"key": "o3", "name": "O", "notice_days": 1' + "0" * 30 + '}', "notice_days"),
]


def test_nan_surrogates_and_huge_numbers_are_refused(app_on):
    client = app_on.test_client()
    for text, field in RAW_BODIES:
        response = _raw(client, "POST", "/api/v1/organisations", text)
        assert response.status_code == 400 and response.json["field"] == field, text


def test_updates_are_checked_as_strictly(app_on):
    client = app_on.test_client()
    current = client.get("/api/v1/engagements/acme-vendor", headers=basic()).json
    response = client.put("/api/v1/engagements/acme-vendor", headers=basic(),
                          json=dict(current, public="false"))
    assert response.status_code == 400 and response.json["field"] == "public"
    bad_version = client.put("/api/v1/engagements/acme-vendor", headers=basic(), json=dict(current, version="1x"))
    assert bad_version.status_code == 400 and bad_version.json["field"] == "version"
    bool_version = client.put("/api/v1/engagements/acme-vendor", headers=basic(), json=dict(current, version=True))
    assert bool_version.status_code == 400 and bool_version.json["field"] == "version"
    assert client.get("/api/v1/engagements/acme-vendor", headers=basic()).json == current


def test_api_delete_with_a_bad_version_is_a_400(app_on):
    client = app_on.test_client()
    for version in ("abc", "", "-1", "1e3", str(2 ** 64)):
        response = client.delete(f"/api/v1/organisations/vendor?version={version}", headers=basic())
        assert response.status_code == 400 and response.json["field"] == "version", version
    assert client.get("/api/v1/organisations/vendor", headers=basic()).status_code == 200


def test_deep_json_on_the_anonymous_assessment_is_a_400(app_on):
    client = app_on.test_client()
    deep = '{"on": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/assess", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.json["field"] == "body"
    also_deep = client.post("/api/v1/organisations", data="[" * 100_000, content_type="application/json",
                            headers=basic())
    assert also_deep.status_code == 400


def test_limits_and_offsets_must_be_whole_numbers(app_on):
    client = app_on.test_client()
    for url in ("/api/v1/audit?limit=-1", "/api/v1/audit?offset=x", "/api/v1/organisations?limit=-5",
                f"/api/v1/audit?offset={2 ** 70}"):
        response = client.get(url, headers=basic())
        assert response.status_code == 400, url


def test_keys_and_usernames_ending_in_a_newline_are_refused(app_on):
    with pytest.raises(ValidationError):
        Organisation(key="acme\n", name="Acme").validate()
    with app_on.app_context():
        with pytest.raises(ValidationError) as refused:
            create_user(get_store(), "mallory\n", PASSWORD, "viewer")
        assert refused.value.field == "username"


def _store_directly(app, obj):
    """Write ``obj`` past the services' checks, as data from an older version would be."""
    with app.app_context():
        store = get_store()
        current = store.find(obj.KIND, obj.key)
        with store.unit_of_work("legacy") as uow:
            if current is None:
                uow.add(obj)
            else:
                uow.update(obj, current.version)
            uow.commit()


def test_an_unknown_safeguard_code_stored_earlier_breaks_no_page(app_on):
    with app_on.app_context():
        engagement = get_store().get("engagement", "acme-vendor")
    engagement.safeguards = [{"code": "scc_2"}]
    _store_directly(app_on, engagement)
    client = app_on.test_client()
    login(client)
    for url in ("/admin/organisations/acme", "/admin/organisations/vendor", "/admin/engagements/acme-vendor",
                "/graph/where?category=account&on=2026-11-22", "/graph/gaps", "/p/acme/subprocessors"):
        assert client.get(url).status_code == 200, url
    for url in ("/api/v1/gaps", "/api/v1/paths?category=account&on=2026-11-22", "/api/v1/engagements/acme-vendor"):
        assert client.get(url, headers=basic("viewer")).status_code == 200, url


def test_subject_group_pages_with_individuals_set(app_on):
    client = app_on.test_client()
    login(client)
    assert client.get("/admin/subject-groups/customers").status_code == 200


def test_gaps_on_a_garbage_date_is_a_400(app_on):
    client = app_on.test_client()
    login(client)
    assert client.get("/graph/gaps?on=garbage").status_code == 400


def test_a_lone_surrogate_never_reaches_the_store_so_backups_keep_working(app_on):
    client = app_on.test_client()
    refused = _raw(client, "POST", "/api/v1/organisations", '{"key": "o4", "name": "O", "legal_name": "x\\ud800"}')
    assert refused.status_code == 400 and refused.json["field"] == "legal_name"
    with app_on.app_context():
        dumps(export_registry(get_store())).encode("utf-8")


def test_a_legacy_name_with_a_line_break_does_not_break_the_subscribe_form(app_on):
    with app_on.app_context():
        acme = get_store().get("organisation", "acme")
    acme.name = "Acme\r\nBcc: victim@example.com"
    _store_directly(app_on, acme)
    client = app_on.test_client()
    page = client.get("/p/acme/subprocessors")
    assert page.status_code == 200
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page.text) or \
        re.search(r'value="([^"]+)"[^>]*name="form_token"', page.text)
    response = client.post("/p/acme/subscribe", data={"email": "reader@example.com", "form_token": token.group(1)})
    assert response.status_code != 500 and "Traceback" not in response.text  # 503: no mail server here


def test_import_refuses_what_the_api_refuses(app_on, tmp_path):
    with app_on.app_context():
        document = export_registry(get_store())
    document["objects"]["organisation"].append({"key": "bad", "name": "B", "publisher": "false"})
    for kind in list(document["objects"]):
        document["objects"][kind] = [o for o in document["objects"][kind] if o["key"] != "acme-vendor"]
    from registry.services.exchange import parse_document
    with pytest.raises(ValidationError) as refused:
        parse_document(document)
    assert refused.value.field == "objects.organisation[2].publisher"


def test_the_stores_refuse_an_object_the_schema_refuses():
    bad = Engagement(key="e", exporter="a", importer="b", categories=[["x"]])
    with pytest.raises(ValidationError) as refused:
        bad.validate()
    assert refused.value.field == "categories"
    assert "categories[0]" in refused.value.message
    json.dumps(refused.value.to_dict())


def test_admin_delete_with_a_bad_or_missing_version_is_a_400(app_on):
    client = app_on.test_client()
    login(client, "editor")
    token = csrf_from(client.get("/admin/organisations/vendor").text)
    for version in ("abc", "", "1.5", str(2 ** 70)):
        response = client.post("/admin/organisations/vendor/delete", data={"version": version, "csrf_token": token})
        assert response.status_code == 400, version
    assert client.get("/api/v1/organisations/vendor", headers=basic()).status_code == 200


def test_every_kind_has_a_schema_from_its_dataclass():
    """A field added with a bare ``list`` or an unknown type fails here, not on a user's write."""
    from registry.domain.model import KINDS
    from registry.domain.schemas import schema_for
    for cls in KINDS.values():
        fields_in_schema = set(schema_for(cls).model_fields)
        assert fields_in_schema == set(cls.__dataclass_fields__), cls.KIND


@pytest.mark.parametrize("multiline", [False, True])
def test_text_refuses_exactly_the_control_and_surrogate_characters(multiline):
    """text_problem's regular expressions against Unicode's categories, for every code point:
    Cs (surrogates) and Cc (controls; tabs and line breaks pass in free text) are refused."""
    import unicodedata

    from registry.domain.schemas import text_problem

    every = [chr(point) for point in range(0x110000)]
    category = unicodedata.category
    refused = [c for c in every if category(c) == "Cs"
               or (category(c) == "Cc" and not (multiline and c in "\n\r\t"))]
    assert len(refused) == 2048 + (62 if multiline else 65)
    banned = set(refused)
    assert text_problem("".join(c for c in every if c not in banned), multiline) is None
    for char in refused:
        expected = "surrogate" if category(char) == "Cs" else "control character"
        assert expected in (text_problem(f"ok{char}ok", multiline) or "")
