"""The sub-processor and data-flow registry: a Flask app over a graph of data flows."""

import os
import secrets
from pathlib import Path

from flask import Flask

from .resources import resource_dir
from .settings import DEFAULTS


def _secret_key(instance_path):
    """The configured secret, or one generated once and kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(test_config=None):
    """Build the app. Configuration: DEFAULTS, then ``instance/config.py``, then
    ``REGISTRY_*`` environment variables (``REGISTRY_STORE``...), then ``NEO4J_*`` ones,
    then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(resource_dir("templates")), static_folder="static")
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("REGISTRY")
        for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
            if os.environ.get(name):
                app.config[name] = os.environ[name]
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLITE_PATH"):
        app.config["SQLITE_PATH"] = os.path.join(app.instance_path, "registry.sqlite3")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    from . import auth, cli, db, errors, web
    db.init_app(app)
    cli.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    from .public import handlers
    handlers.init_app(app)
    return app
