"""The ``registry`` command: init, seed, serve, demo, users, export, import, assess.

Errors end the command with one readable line on stderr and a non-zero exit.
"""

import functools
import json
import sys

import click

from . import create_app
from .db import get_store
from .domain.errors import DomainError


def _command(fn):
    """Run ``fn`` inside an app context, turning domain errors into one-line failures."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            app = create_app()
            with app.app_context():
                return fn(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        except OSError as exc:
            raise click.ClickException(str(exc)) from None
    return wrapped


@click.group()
def main():
    """Sub-processor and data-flow registry."""


@main.command()
@_command
def init():
    """Create or migrate the store's schema."""
    store = get_store()
    store.init_schema()
    click.echo("registry schema is ready")


@main.command()
@click.option("--demo/--no-demo", default=True, help="Also load the fictional demo group.")
@_command
def seed(demo):
    """Load the seed organisations (idempotent: only missing objects are added)."""
    from .services.exchange import seed as run_seed
    store = get_store()
    store.init_schema()
    click.echo(f"seeded {run_seed(store, include_demo=demo)} new objects")


def _serve(host, port):
    from flask import current_app
    from werkzeug.serving import run_simple
    click.echo(f"serving the registry on http://{host}:{port}/ (Ctrl-C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@_command
def serve(host, port):
    """Serve the app with Werkzeug's threaded server (use gunicorn behind a proxy in production)."""
    get_store().init_schema()
    _serve(host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@_command
def demo(host, port):
    """Init, seed with the demo group, print a one-time admin login, and serve."""
    from .services.exchange import seed as run_seed
    from .services.users import create_user, one_time_password
    store = get_store()
    store.init_schema()
    added = run_seed(store, include_demo=True)
    password = one_time_password()
    create_user(store, "admin", password, "admin", replace=True, actor="registry demo")
    click.echo(f"seeded {added} new objects")
    click.echo(f"one-time admin login: admin / {password}  (a new password is set at every demo start)")
    _serve(host, port)


@main.group()
def users():
    """Manage admin-area users."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), default="viewer", show_default=True)
@click.option("--password", help="Read from a prompt when omitted; use --generate for a random one.")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@_command
def users_create(username, role, password, generate):
    """Create a user."""
    from .services.users import create_user, one_time_password
    store = get_store()
    store.init_schema()
    if generate:
        password = one_time_password()
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    create_user(store, username, password, role, actor="registry users create")
    click.echo(f"created {role} {username}" + (f" with password {password}" if generate else ""))


@users.command("list")
@_command
def users_list():
    """List users and roles."""
    for user in get_store().list_users():
        click.echo(f"{user.username}\t{user.role}")


@main.command("export")
@_command
def export_cmd():
    """Write the whole registry as JSON on stdout."""
    from .services.exchange import dumps, export_registry
    click.echo(dumps(export_registry(get_store())), nl=False)


@main.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_command
def import_cmd(file):
    """Import an export file into the store (all or nothing)."""
    from .services.exchange import import_registry
    try:
        document = json.load(file)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file.name} is not JSON: {exc.msg} at line {exc.lineno}") from None
    store = get_store()
    store.init_schema()
    click.echo(f"imported {import_registry(store, 'import', document)} objects")


@main.command()
@_command
def assess():
    """Assess one hop: a JSON request on stdin, the findings as JSON on stdout."""
    from .services.assessment import assess_json
    try:
        data = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"stdin is not JSON: {exc.msg} at line {exc.lineno}") from None
    click.echo(json.dumps(assess_json(data), indent=2))
