"""Subscriptions over a real SMTP server: double opt-in, notifications, unsubscribing, limits."""

import re

import pytest

from registry.public.guard import new_limiter
from registry.services import objects

from .conftest import body, link


def _token(html):
    pattern = r'id="subscribe-form_token" name="form_token" type="hidden" value="([^"]+)"'
    return re.search(pattern, html).group(1)


def subscribe(client, address, org="acme", headers=None):
    page = client.get(f"/p/{org}/subprocessors")
    return client.post(f"/p/{org}/subscribe", data={"email": address, "form_token": _token(page.text)},
                       headers=headers or {})


def test_double_opt_in(client, acme, smtp):
    response = subscribe(client, "Reader@Example.COM")
    assert response.status_code == 200
    assert "will receive an email with a link to confirm" in response.text
    assert "Set-Cookie" not in response.headers
    [sub] = acme.list("subscription")
    assert (sub.email, sub.publisher, sub.confirmed) == ("reader@example.com", "acme", False)
    [(rcpts, message)] = smtp.wait_for(1)
    assert rcpts == ["reader@example.com"]
    assert message["From"] == "privacy@acme.example"
    assert message["Subject"] == "Confirm your subscription to Acme's sub-processor changes"
    text = body(message)
    confirm_path, unsubscribe_path = link(text, "confirm"), link(text, "unsubscribe")
    assert message["List-Unsubscribe"] == f"<http://localhost{unsubscribe_path}>"
    # following the link shows a button; only the POST confirms (mail scanners follow links)
    page = client.get(confirm_path)
    assert page.status_code == 200 and "Confirm subscription" in page.text
    assert acme.get("subscription", sub.key).confirmed is False
    done = client.post(confirm_path)
    assert done.status_code == 200 and "will be told of every change" in done.text
    assert "Set-Cookie" not in done.headers
    stored = acme.get("subscription", sub.key)
    assert stored.confirmed is True and stored.confirmed_at


def test_forged_and_expired_confirmation_links_are_refused(client, acme, smtp, monkeypatch):
    subscribe(client, "reader@example.com")
    path = link(body(smtp.wait_for(1)[0][1]), "confirm")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.post(forged).status_code == 400
    unsubscribe_path = link(body(smtp.messages[0][1]), "unsubscribe")
    token = unsubscribe_path.rsplit("/", 1)[1]
    response = client.post(f"/p/subscriptions/confirm/{token}")  # a token for another purpose
    assert response.status_code == 400 and "not valid" in response.text
    from registry.services import subscriptions
    monkeypatch.setattr(subscriptions, "CONFIRM_MAX_AGE", -1)
    expired = client.post(path)
    assert expired.status_code == 400 and "expired" in expired.text
    assert acme.list("subscription")[0].confirmed is False


def _confirmed(client, smtp, address):
    before = len(smtp.messages)
    subscribe(client, address)
    message = smtp.wait_for(before + 1)[-1][1]
    client.post(link(body(message), "confirm"))
    return message


def test_confirmed_subscribers_are_told_of_each_change(client, acme, smtp, clock):
    _confirmed(client, smtp, "one@example.com")
    _confirmed(client, smtp, "two@example.com")
    subscribe(client, "unconfirmed@example.com")
    smtp.wait_for(3)
    smtp.clear()
    clock.set("2030-03-02")
    eng = acme.get("engagement", "acme-cloudco")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["US", "JP"]), eng.version)
    messages = smtp.wait_for(2)
    assert sorted(r[0] for r, _ in messages) == ["one@example.com", "two@example.com"]
    message = smtp.to("one@example.com")[0]
    assert message["Subject"] == "Acme: sub-processor list changed"
    text = body(message)
    assert "- 2030-03-02 · New location: CloudCo now stores data in Japan\n" \
           "  (takes effect 2030-04-02; objections until 2030-04-01)" in text.replace("\r\n", "\n")
    assert "http://localhost/p/acme/subprocessors" in text
    assert link(text, "unsubscribe") and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not smtp.to("unconfirmed@example.com")


def test_changes_of_other_publishers_and_private_edits_send_nothing(client, acme, smtp, clock):
    _confirmed(client, smtp, "one@example.com")
    smtp.clear()
    eng = acme.get("engagement", "acme-shadow")  # not public
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["CN"]), eng.version)
    eng = acme.get("engagement", "private-cloudco")  # not a publisher
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["CN"]), eng.version)
    assert smtp.wait_for(1, timeout=0.5) == []


def test_unsubscribe(client, acme, smtp, clock):
    message = _confirmed(client, smtp, "one@example.com")
    path = link(body(message), "unsubscribe")
    page = client.get(path)
    assert page.status_code == 200 and "Press the button to stop emails to one@example.com" in page.text
    assert len(acme.list("subscription")) == 1
    done = client.post(path)
    assert done.status_code == 200 and "will receive no more emails" in done.text
    assert "Set-Cookie" not in done.headers
    assert acme.list("subscription") == []
    again = client.post(path)
    assert again.status_code == 200 and "not subscribed" in again.text
    smtp.clear()
    eng = acme.get("engagement", "acme-cloudco")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), store_countries=["US", "JP"]), eng.version)
    assert smtp.wait_for(1, timeout=0.5) == []


def test_one_click_unsubscribe_from_the_mail_header(client, acme, smtp):
    message = _confirmed(client, smtp, "one@example.com")
    url = message["List-Unsubscribe"].strip("<>")
    response = client.post(url.replace("http://localhost", ""), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and acme.list("subscription") == []


def test_a_confirmed_address_gets_the_same_answer_and_no_mail(client, acme, smtp):
    _confirmed(client, smtp, "one@example.com")
    smtp.clear()
    response = subscribe(client, "one@example.com")
    assert response.status_code == 200 and "If this address is not yet subscribed" in response.text
    assert smtp.wait_for(1, timeout=0.5) == []


def test_invalid_address_is_shown_next_to_the_field(client, acme, smtp):
    response = subscribe(client, "not an address")
    assert response.status_code == 400
    pattern = r'<div class="field has-error">\s*<label for="email">.*?Enter a valid email address'
    assert re.search(pattern, response.text, re.S)
    assert acme.list("subscription") == []


def test_per_address_limit_is_durable_and_answers_429(client, app, acme, smtp):
    app.config.update(SUBSCRIBE_ADDRESS_LIMIT=2)
    for _ in range(2):
        assert subscribe(client, "flood@example.com").status_code == 200
    app.extensions["registry.public.limiter"] = new_limiter()  # a restart
    response = subscribe(client, "FLOOD@example.com")
    assert response.status_code == 429
    assert "too many subscription requests for this address" in response.text.lower()
    assert "Set-Cookie" not in response.headers
    assert len(smtp.wait_for(2)) == 2
    as_json = subscribe(client, "flood@example.com", headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and "at most 2" in as_json.json["error"]
    assert subscribe(client, "other@example.com").status_code == 200


def test_failed_smtp_keeps_the_request_and_says_so(client, acme, dead_smtp, caplog):
    response = subscribe(client, "reader@example.com")
    assert response.status_code == 503
    assert "Your request is saved, but the confirmation email could not be sent" in response.text
    assert len(acme.list("subscription")) == 1
    assert "SMTP connection" in caplog.text


def test_failed_notification_keeps_the_change_and_tells_the_admin(client, auth, app, acme, smtp, clock):
    _confirmed(client, smtp, "one@example.com")
    app.config.update(MAIL_PORT=1)  # nothing listens there
    auth.login("editor")
    page = client.get("/admin/engagements/acme-helpdesk/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    eng = acme.get("engagement", "acme-helpdesk")
    response = client.post("/admin/engagements/acme-helpdesk/edit", data={
        "csrf_token": token, "version": str(eng.version), "key": eng.key, "exporter": "acme",
        "importer": "helpdesk", "service": eng.service, "importer_role": eng.importer_role,
        "categories": eng.categories, "store_countries": ["GB", "IE"], "safeguards": "uk-idta", "status": "active",
        "public": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert acme.get("engagement", "acme-helpdesk").store_countries == ["GB", "IE"]
    assert "The change is saved and published, but 1 notification email(s)" in response.text
    assert any(c.action == "new-location" and c.vendor == "HelpDesk" for c in acme.list("change"))


@pytest.mark.parametrize("org", ["private-co", "nobody"])
def test_cannot_subscribe_to_a_non_publisher(client, acme, org):
    response = client.post(f"/p/{org}/subscribe", data={"email": "x@example.com", "form_token": "x"})
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


def test_links_in_mails_use_the_public_base_url(client, app, acme, smtp):
    app.config["PUBLIC_BASE_URL"] = "https://privacy.acme.example/"
    subscribe(client, "reader@example.com")
    text = body(smtp.wait_for(1)[0][1])
    assert "https://privacy.acme.example/p/subscriptions/confirm/" in text
    assert "https://privacy.acme.example/p/subscriptions/unsubscribe/" in text


def test_subscribers_are_told_when_a_planned_date_moves(client, acme, smtp, clock):
    _confirmed(client, smtp, "one@example.com")
    smtp.clear()
    clock.set("2030-03-10")
    eng = acme.get("engagement", "acme-newco")
    objects.update(acme, "dpo", "engagement", eng.key, dict(eng.to_dict(), effective_date="2030-05-02"), eng.version)
    text = body(smtp.wait_for(1)[0][1]).replace("\r\n", "\n")
    assert "- 2030-03-01 · Announced: NewCo is planned as a sub-processor from 2030-05-02\n" \
           "  (takes effect 2030-05-02; objections until 2030-03-31)" in text
