"""Objections over a real SMTP server: confirmed by the objector's mailed link, then sent to the
publisher's privacy contact with the change it concerns, a receipt to the objector, and the
DPO's workflow in the admin area. Refused after the deadline, with the date."""

import re

import pytest

from registry.domain.errors import ValidationError
from registry.public.guard import issue_token
from registry.services import objects
from registry.services.publication import public_ref

from .conftest import body

REF = public_ref("acme", "acme-newco")
OBJECTION = {"name": "Dana Customer", "organisation": "Beta Bank", "contact": "Dana@Beta.example",
             "reason": "NewCo stores data in a place our regulator has not approved."}


def _token(html, ref=REF):
    return re.search(rf'id="{ref}-form_token" name="form_token" type="hidden" value="([^"]+)"', html).group(1)


def post_objection(client, data=OBJECTION, ref=REF, token=None, headers=None):
    if token is None:
        token = _token(client.get("/p/acme/subprocessors").text, ref)
    return client.post("/p/acme/objections", data=dict(data, ref=ref, form_token=token), headers=headers or {})


def confirm_link(message):
    match = re.search(r"https?://[^/\s]+(/p/objections/confirm/[A-Za-z0-9_.\-]+)", body(message))
    assert match, body(message)
    return match.group(1)


def test_objection_is_confirmed_by_mail_then_sent_to_the_publisher_with_a_receipt(client, acme, smtp, clock):
    clock.set("2030-03-31")  # the last day to object
    response = post_objection(client)
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    assert "open the link in it to confirm" in response.text
    [objection] = acme.list("objection")
    assert (objection.engagement, objection.name, objection.organisation, objection.contact, objection.status) == \
        ("acme-newco", "Dana Customer", "Beta Bank", "dana@beta.example", "unconfirmed")
    change = acme.get("change", objection.change)
    assert (change.action, change.objection_deadline) == ("announced", "2030-03-31")
    [(rcpts, message)] = smtp.wait_for(1)
    assert rcpts == ["dana@beta.example"] and "Confirm your objection" in message["Subject"]
    assert "NewCo is planned as a sub-processor from 2030-04-15" in body(message)
    path = confirm_link(message)
    page = client.get(path)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200 and "Confirm objection" in page.text
    assert acme.get("objection", objection.key).status == "unconfirmed"
    done = client.post(path)
    assert done.status_code == 200 and "confirmed and sent on" in done.text and "Set-Cookie" not in done.headers
    stored = acme.get("objection", objection.key)
    assert stored.status == "open" and stored.confirmed_at.startswith("2030-03-31")
    messages = smtp.wait_for(3)
    to_publisher = smtp.to("dpo@acme.example")
    receipt = [m for m in smtp.to("dana@beta.example") if "received" in m["Subject"]]
    assert len(messages) == 3 and len(to_publisher) == 1 and len(receipt) == 1
    text = body(to_publisher[0])
    assert "Objection to a sub-processor change: NewCo" == to_publisher[0]["Subject"]
    assert "Dana Customer, Beta Bank" in text and "regulator has not approved" in text
    assert "announced 2030-03-01" in text and "objections until 2030-03-31" in text
    assert to_publisher[0]["Reply-To"] == "dana@beta.example"
    assert objection.key in body(receipt[0]) and "dpo@acme.example" in body(receipt[0])
    assert client.post(path).status_code == 200  # confirming again sends nothing more
    assert len(smtp.wait_for(4, timeout=0.5)) == 3
    assert acme.audit_log(kind="objection")[0].actor == "public"


def test_objection_after_the_deadline_is_refused_with_the_date(client, acme, smtp, clock):
    token = _token(client.get("/p/acme/subprocessors").text)
    clock.set("2030-04-01")
    page = client.get("/p/acme/subprocessors").text
    assert "The period for objections has ended." in page and f'id="{REF}-form_token"' not in page
    response = post_objection(client, token=token)
    assert response.status_code == 409
    assert "The period for objecting to NewCo ended on 2030-03-31" in response.text
    as_json = post_objection(client, token=token, headers={"Accept": "application/json"})
    assert as_json.status_code == 409 and "ended on 2030-03-31" in as_json.json["error"]
    assert acme.list("objection") == [] and smtp.wait_for(1, timeout=0.3) == []


def test_missing_fields_and_a_bad_address_are_shown_next_to_them(client, acme, smtp):
    response = post_objection(client, data={"name": "", "contact": "", "reason": ""})
    assert response.status_code == 400
    assert "Enter your name." in response.text and "Say why you object." in response.text
    assert '<details class="object" open>' in response.text
    bad = post_objection(client, data=dict(OBJECTION, contact="not an address"))
    assert bad.status_code == 400 and "Enter a valid email address." in bad.text
    assert acme.list("objection") == []


def test_cannot_object_to_a_change_not_open_for_objection(client, acme, smtp):
    for ref in (public_ref("acme", "acme-cloudco"), "e-000000000000"):
        with client.application.test_request_context():
            token = issue_token("object", "acme", ref)
        response = client.post("/p/acme/objections", data=dict(OBJECTION, ref=ref, form_token=token))
        assert response.status_code in (404, 409), ref
    assert acme.list("objection") == []


def test_a_material_change_of_an_active_vendor_is_open_for_objection(client, acme, smtp, clock):
    clock.set("2030-03-05")
    eng = acme.get("engagement", "acme-cloudco")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["US", "CN"]), eng.version)
    ref = public_ref("acme", "acme-cloudco")
    response = post_objection(client, ref=ref)
    assert response.status_code == 201
    [objection] = acme.list("objection")
    change = acme.get("change", objection.change)
    assert (change.action, change.objection_deadline, change.effective_date) == \
        ("new-location", "2030-04-04", "2030-04-05")


def _confirmed_objection(client, acme, smtp):
    post_objection(client)
    client.post(confirm_link(smtp.wait_for(1)[0][1]))
    smtp.wait_for(3)
    smtp.clear()
    return acme.list("objection")[0]


def test_dpo_sees_objections_with_status_and_dates_and_answers_them(client, auth, acme, smtp):
    objection = _confirmed_objection(client, acme, smtp)
    auth.login("viewer")
    page = client.get("/admin/engagements/acme-newco")
    assert "Dana Customer" in page.text and "regulator has not approved" in page.text
    listing = client.get("/admin/objections")
    assert listing.status_code == 200
    for text in ("Dana Customer", "dana@beta.example", "acme-newco", "2030-03-31", "announced 2030-03-01", "open"):
        assert text in listing.text, text
    assert 'href="/admin/objections"' in listing.text  # in the admin navigation
    assert "Dana Customer" not in client.get("/admin/objections?publisher=other").text
    assert "Dana Customer" not in client.get("/admin/objections?status=upheld").text
    client.post("/logout")
    auth.login("editor")
    page = client.get("/admin/objections").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/objections/{objection.key}/status",
                           data={"csrf_token": token, "status": "upheld", "version": objection.version})
    assert response.status_code == 302
    stored = acme.get("objection", objection.key)
    assert stored.status == "upheld" and stored.status_changed_at
    [(rcpts, message)] = smtp.wait_for(1)
    assert rcpts == ["dana@beta.example"] and message["Subject"].endswith(": upheld")


def test_objection_list_needs_sign_in(client, acme):
    response = client.get("/admin/objections")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_failed_mail_keeps_the_objection_and_says_so(client, acme, dead_smtp):
    response = post_objection(client)
    assert response.status_code == 503 and "email to confirm it could not be sent" in response.text
    assert [o.status for o in acme.list("objection")] == ["unconfirmed"]


def test_the_privacy_contact_must_be_an_email_address(acme):
    org = acme.get("organisation", "acme")
    with pytest.raises(ValidationError) as err:
        objects.update(acme, "dpo", "organisation", "acme", dict(org.to_dict(), privacy_contact="call us"), org.version)
    assert err.value.field == "privacy_contact"
    assert acme.get("organisation", "acme").privacy_contact == "dpo@acme.example"


def test_without_a_privacy_contact_the_objector_still_gets_a_receipt(client, acme, smtp, caplog):
    org = acme.get("organisation", "acme")
    objects.update(acme, "dpo", "organisation", "acme", dict(org.to_dict(), privacy_contact=""), org.version)
    post_objection(client)
    client.post(confirm_link(smtp.wait_for(1)[0][1]))
    messages = smtp.wait_for(2)
    assert len(messages) == 2 and "received" in messages[1][1]["Subject"]
    assert "has no privacy contact address" in caplog.text
