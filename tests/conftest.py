"""Shared fixtures in the style of Flask's tutorial: app, client, runner, auth."""

import re

import pytest
from click.testing import CliRunner

from registry import create_app
from registry.cli import main as cli_main
from registry.db import get_store
from registry.services.users import create_user

pytest_plugins = ["tests.neo4j_harness"]

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    """An app on a fresh embedded store, with users viewer, editor and admin."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "SQLITE_PATH": str(tmp_path / "registry.sqlite3")})
    with app.app_context():
        store = get_store()
        store.init_schema()
        for role in ("viewer", "editor", "admin"):
            create_user(store, role, PASSWORD, role)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app, monkeypatch):
    """Invoke the ``registry`` command against the app's store: runner.invoke([...])."""
    monkeypatch.setenv("REGISTRY_SQLITE_PATH", app.config["SQLITE_PATH"])
    monkeypatch.setenv("REGISTRY_SECRET_KEY", "test-secret")

    class Runner:
        def invoke(self, args, input=None):
            return CliRunner().invoke(cli_main, args, input=input, catch_exceptions=False)

    return Runner()


def csrf_from(html):
    """The CSRF token of the first form in ``html``."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username="editor", password=PASSWORD):
        page = self.client.get("/login")
        return self.client.post("/login", data={"username": username, "password": password,
                                                "csrf_token": csrf_from(page.text)})

    def post_form(self, form_url, data, action=None):
        """GET ``form_url`` for its CSRF token, then POST ``data`` to ``action`` (default: same URL)."""
        page = self.client.get(form_url)
        return self.client.post(action or form_url, data=dict(data, csrf_token=csrf_from(page.text)))


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def store(app):
    """The app's store, inside an app context."""
    with app.app_context():
        yield get_store()
