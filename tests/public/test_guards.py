"""Public forms without cookies: signed form tokens (400 when missing, forged or expired)
and per-client rate limits (429, as a page or as JSON)."""

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from registry.public.guard import issue_token
from registry.services.publication import public_ref

REF = public_ref("acme", "acme-newco")
OBJECTION = {"name": "Dana", "contact": "dana@beta.example", "reason": "No."}


def _subscribe_token(client):
    page = client.get("/p/acme/subprocessors").text
    return re.search(r'id="subscribe-form_token" name="form_token" type="hidden" value="([^"]+)"', page).group(1)


def _token_for(app, *args):
    with app.test_request_context():
        return issue_token(*args)


@pytest.mark.parametrize("token", [None, "", "garbage", "WyJzdWJzY3JpYmUiLCJhY21lIiwiIl0.AAAAAA.forgedsignature"])
def test_subscribe_without_a_valid_token_is_400(client, acme, smtp, token):
    data = {"email": "reader@example.com"}
    if token is not None:
        data["form_token"] = token
    response = client.post("/p/acme/subscribe", data=data)
    assert response.status_code == 400
    assert "reload the page" in response.text
    assert "Set-Cookie" not in response.headers
    assert acme.list("subscription") == [] and smtp.messages == []


def test_tokens_are_bound_to_purpose_publisher_and_engagement(client, app, acme):
    wrong = [_token_for(app, "object", "acme", REF),  # an objection token on the subscribe form
             _token_for(app, "subscribe", "other-publisher"),
             _token_for(app, "subscribe", "acme", REF)]
    for token in wrong:
        response = client.post("/p/acme/subscribe", data={"email": "reader@example.com", "form_token": token})
        assert response.status_code == 400 and "not issued by this page" in response.text
    other = public_ref("acme", "acme-cloudco")
    response = client.post("/p/acme/objections", data=dict(OBJECTION, ref=REF,
                                                           form_token=_token_for(app, "object", "acme", other)))
    assert response.status_code == 400 and acme.list("objection") == []
    response = client.post("/p/acme/objections", data=dict(OBJECTION, ref=REF))
    assert response.status_code == 400 and "without its security token" in response.text


def test_a_token_signed_with_another_secret_is_refused(client, app, acme):
    app.config["SECRET_KEY"], real = "another-secret", app.config["SECRET_KEY"]
    token = _token_for(app, "subscribe", "acme")
    app.config["SECRET_KEY"] = real
    response = client.post("/p/acme/subscribe", data={"email": "reader@example.com", "form_token": token})
    assert response.status_code == 400


def test_an_expired_token_is_refused(client, app, acme, monkeypatch):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 3 * 3600)
    token = _token_for(app, "subscribe", "acme")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    response = client.post("/p/acme/subscribe", data={"email": "reader@example.com", "form_token": token})
    assert response.status_code == 400 and "This form has expired" in response.text
    as_json = client.post("/p/acme/subscribe", data={"email": "reader@example.com", "form_token": token},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 400 and "expired" in as_json.json["error"]


def test_form_posts_are_rate_limited_per_client(client, app, acme, smtp):
    app.config["PUBLIC_FORM_LIMIT"] = (3, 600)
    token = _subscribe_token(client)
    for n in range(3):
        response = client.post("/p/acme/subscribe", data={"email": f"r{n}@example.com", "form_token": token})
        assert response.status_code == 200
    response = client.post("/p/acme/subscribe", data={"email": "r9@example.com", "form_token": token})
    assert response.status_code == 429
    assert "Too many form submissions from your network: at most 3 in 10 minutes" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert "Set-Cookie" not in response.headers
    as_json = client.post("/p/acme/objections", data=dict(OBJECTION, ref=REF, form_token="x"),
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.json["status"] == 429
    assert "too many form submissions" in as_json.json["error"].lower()
    # another client is not affected
    other = client.post("/p/acme/subscribe", data={"email": "o@example.com", "form_token": token},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    assert len(acme.list("subscription")) == 4


def test_reads_are_rate_limited_and_json_clients_get_json(client, app, acme):
    app.config["PUBLIC_READ_LIMIT"] = "2/60"
    assert client.get("/p/acme/subprocessors.json").status_code == 200
    assert client.get("/p/acme/subprocessors").status_code == 200
    response = client.get("/p/acme/subprocessors.json")
    assert response.status_code == 429 and response.mimetype == "application/json"
    assert response.json["error"].startswith("Too many requests") and response.headers["Retry-After"]
    page = client.get("/p/acme/subprocessors")
    assert page.status_code == 429 and "Too many requests from your network" in page.text
    assert "Set-Cookie" not in page.headers


def test_the_client_limit_forgets_hits_once_the_window_has_passed(client, app, acme):
    app.config["PUBLIC_READ_LIMIT"] = "2/1"
    assert [client.get("/p/").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.2)
    assert client.get("/p/").status_code == 200
