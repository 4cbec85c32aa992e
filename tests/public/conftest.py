"""Fixtures for the public pages: a small publisher built through the services, a clock,
and a real SMTP server (aiosmtpd) on a free loopback port."""

import email
import email.policy
import re
import socket
import threading
import time
from contextlib import ExitStack

import pytest
from aiosmtpd.controller import Controller

from registry.clock import frozen
from registry.services import objects, publication

SECRET = "ZZ-TOP-SECRET-7741"
TODAY = "2030-03-01"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every delivered message, parsed."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpts, m in self.messages if address in rcpts]

    def wait_for(self, count, timeout=5):
        """The messages once at least ``count`` arrived (smtplib returns after the server's reply)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._lock.wait(0.05)
        return self.messages

    def clear(self):
        self.messages.clear()


@pytest.fixture
def smtp(app):
    """A real SMTP server; the app is configured to send to it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SENDER="privacy@acme.example",
                      MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp(app):
    """Mail configured to a port where nothing listens."""
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=free_port())


@pytest.fixture
def clock():
    """Set the registry's date through the one clock: clock.set("2030-04-01"). Starts at TODAY."""
    class Clock:
        def __init__(self):
            self.stack = ExitStack()
            self.set(TODAY)

        def set(self, value):
            self.stack.enter_context(frozen(value))

    c = Clock()
    try:
        yield c
    finally:
        c.stack.close()


def link(text, kind):
    """The confirm or unsubscribe link in a mail body, as a path."""
    match = re.search(rf"https?://[^/\s]+(/p/subscriptions/{kind}/[A-Za-z0-9_.\-]+)", text)
    assert match, f"no {kind} link in: {text}"
    return match.group(1)


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def acme(store, clock):
    """Publisher acme with active, planned, non-public and ended engagements; secrets planted."""
    return build_acme(store)


@pytest.fixture
def neo4j_public_app(neo4j_server, clock):
    """(app on the real Neo4j test server holding acme, Inbox of a real SMTP server)."""
    from registry import create_app
    from registry.db import get_store
    with neo4j_server.driver() as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_server.database)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "STORE": "neo4j", "NEO4J_URI": neo4j_server.uri,
                      "NEO4J_USER": neo4j_server.user, "NEO4J_PASSWORD": neo4j_server.password,
                      "NEO4J_DATABASE": neo4j_server.database})
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=controller.port, MAIL_SENDER="privacy@acme.example")
    try:
        with app.app_context():
            store = get_store()
            store.init_schema()
            build_acme(store)
        yield app, inbox
    finally:
        controller.stop()
        app.extensions["registry.backend"].close()


def build_acme(store):
    """Build acme's registry in ``store`` through the services (see ``acme``)."""
    create = lambda kind, data: objects.create(store, "dpo", kind, data)  # noqa: E731
    for key, name in (("account", "Account data"), ("account.email", "Email address"),
                      ("support", "Support tickets"), ("health", "Health data")):
        create("category", {"key": key, "name": name})
    create("purpose", {"key": "hosting", "name": "Running the service", "legal_basis": "contract"})
    create("organisation", {"key": "acme", "name": "Acme", "legal_name": "Acme GmbH", "country": "DE",
                            "publisher": True, "notice_days": 30, "privacy_contact": "dpo@acme.example",
                            "provenance": [{"source": "doc.txt", "quote": f"quote {SECRET}-provenance"}]})
    for key, name, legal, country in (("cloudco", "CloudCo", "CloudCo Inc.", "US"),
                                      ("helpdesk", "HelpDesk", "HelpDesk Ltd", "GB"),
                                      ("shadow", f"Shadow {SECRET}-vendor", "", "FR"),
                                      ("gone", "GoneVendor", "", "NL"),
                                      ("newco", "NewCo", "NewCo SAS", "FR")):
        create("organisation", {"key": key, "name": name, "legal_name": legal, "country": country})
    create("organisation", {"key": "private-co", "name": "Private Co", "publisher": False})
    publication.record_initial_list(store, "dpo", "acme", "2029-06-01", [{
        "key": "acme-cloudco", "exporter": "acme", "importer": "cloudco", "service": "Cloud hosting",
        "purposes": ["hosting"], "importer_role": "sub-processor", "categories": ["account"],
        "store_countries": ["US"], "access_countries": ["IN"], "status": "active", "public": True,
        "effective_date": "2029-01-01",
        "safeguards": [{"code": "scc:3", "document": f"https://docs.example/{SECRET}-evidence.pdf",
                        "signed_on": "2029-01-01", "note": f"note {SECRET}-note"}, {"code": "dpf"}],
        "internal_notes": f"internal {SECRET}-notes", "retention": f"{SECRET}-retention",
        "provenance": [{"source": "x.txt", "quote": f"{SECRET}-quote"}]}, {
        "key": "acme-helpdesk", "exporter": "acme", "importer": "helpdesk", "service": "Customer support",
        "importer_role": "processor", "categories": ["support"], "store_countries": ["GB"],
        "status": "active", "public": True, "safeguards": ["uk-idta"]}, {
        "key": "acme-shadow", "exporter": "acme", "importer": "shadow", "service": f"Hidden {SECRET}-service",
        "categories": ["health"], "store_countries": ["FR"], "status": "active", "public": False}, {
        "key": "acme-gone", "exporter": "acme", "importer": "gone", "service": f"Old {SECRET}-ended",
        "categories": ["account"], "store_countries": ["NL"], "status": "ended", "public": True,
        "end_date": "2029-06-01"}])
    create("engagement", {
        "key": "acme-newco", "exporter": "acme", "importer": "newco", "service": "Analytics",
        "categories": ["account.email"], "store_countries": ["FR"], "status": "planned", "public": True,
        "effective_date": "2030-04-15", "safeguards": [{"code": "scc:2", "document": f"https://x/{SECRET}-doc2"}]})
    create("engagement", {
        "key": "private-cloudco", "exporter": "private-co", "importer": "cloudco", "service": "Hosting",
        "categories": ["account"], "status": "active", "public": True})
    return store


@pytest.fixture
def early_start(store, acme, clock):
    """The planned NewCo engagement activated early by an admin, with a secret reason."""
    eng = store.get("engagement", "acme-newco")
    data = eng.to_dict()
    data.update(status="active", early_start_reason=f"urgent {SECRET}-early")
    return objects.update(store, "admin", "engagement", "acme-newco", data, eng.version)
