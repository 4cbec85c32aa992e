"""Objections to planned sub-processors: before and after the deadline, and the DPO's views."""

import re

from registry.public.guard import issue_token
from registry.services.publication import public_ref

REF = public_ref("acme", "acme-newco")
OBJECTION = {"name": "Dana Customer", "organisation": "Beta Bank", "contact": "dana@beta.example",
             "reason": "NewCo stores data in a place our regulator has not approved."}


def _token(html, ref=REF):
    return re.search(rf'id="{ref}-form_token" name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def post_objection(client, data=OBJECTION, ref=REF, token=None):
    if token is None:
        token = _token(client.get("/p/acme/subprocessors").text, ref)
    return client.post("/p/acme/objections", data=dict(data, ref=ref, form_token=token))


def test_objection_before_the_deadline_is_recorded(client, acme, clock):
    clock.set("2030-03-31")  # the last day to object
    response = post_objection(client)
    assert response.status_code == 201
    assert "Your objection to NewCo was received" in response.text
    assert "Set-Cookie" not in response.headers
    [objection] = acme.list("objection")
    assert (objection.engagement, objection.name, objection.organisation, objection.contact) == \
        ("acme-newco", "Dana Customer", "Beta Bank", "dana@beta.example")
    assert objection.reason == OBJECTION["reason"] and objection.created_at
    assert acme.audit_log(kind="objection")[0].actor == "public"


def test_objection_after_the_deadline_is_refused_clearly(client, acme, clock):
    token = _token(client.get("/p/acme/subprocessors").text)
    clock.set("2030-04-01")
    page = client.get("/p/acme/subprocessors").text
    assert "The period for objections has ended." in page and f'id="{REF}-form_token"' not in page
    response = post_objection(client, token=token)
    assert response.status_code == 409
    assert "The period for objecting to NewCo ended on 2030-03-31" in response.text
    assert acme.list("objection") == []
    as_json = client.post("/p/acme/objections", data=dict(OBJECTION, ref=REF, form_token=token),
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and "ended on 2030-03-31" in as_json.json["error"]


def test_missing_fields_are_shown_next_to_them(client, acme):
    response = post_objection(client, data={"name": "", "contact": "", "reason": ""})
    assert response.status_code == 400
    assert "Enter your name." in response.text and "Say why you object." in response.text
    assert '<details class="object" open>' in response.text
    assert acme.list("objection") == []


def test_cannot_object_to_an_active_or_unknown_engagement(client, acme):
    for ref in (public_ref("acme", "acme-cloudco"), "e-000000000000"):
        with client.application.test_request_context():
            token = issue_token("object", "acme", ref)
        response = client.post("/p/acme/objections", data=dict(OBJECTION, ref=ref, form_token=token))
        assert response.status_code in (404, 409), ref
    assert acme.list("objection") == []


def test_dpo_sees_objections_on_the_engagement_and_in_the_list(client, auth, acme):
    post_objection(client)
    auth.login("viewer")
    page = client.get("/admin/engagements/acme-newco")
    assert "Dana Customer" in page.text and "Beta Bank" in page.text and "regulator has not approved" in page.text
    listing = client.get("/admin/objections")
    assert listing.status_code == 200
    assert "Dana Customer" in listing.text and "dana@beta.example" in listing.text
    assert "acme-newco" in listing.text and "2030-03-31" in listing.text
    assert 'href="/admin/objections"' in listing.text  # in the admin navigation
    assert "Dana Customer" not in client.get("/admin/objections?publisher=other").text


def test_objection_list_needs_sign_in(client, acme):
    response = client.get("/admin/objections")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
