"""The registry's commands, registered on ``app.cli`` by ``init_app``.

``registry`` (the console script) is a thin Flask command group around ``create_app``,
so ``registry init`` and ``flask --app registry init`` run the same command. Errors end
the command with one readable line on stderr and a non-zero exit.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .db import get_store
from .domain.errors import DomainError
from .progress import on_terminal


def _command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``fn`` inside the app's context, turning domain errors into one-line failures."""
    @functools.wraps(fn)
    @with_appcontext
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from .services.vendors import ImportRefused
        try:
            return fn(*args, **kwargs)
        except ImportRefused as exc:  # a file with several problems: one line each
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"{len(exc.problems)} problem(s); nothing was written", err=True)
            raise click.exceptions.Exit(1) from None
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        except OSError as exc:
            raise click.ClickException(str(exc)) from None
    return wrapped


main = FlaskGroup(name="registry", create_app=lambda: create_app(), add_version_option=False,
                  help="Sub-processor and data-flow registry.")


@click.command()
@_command
def init():
    """Create or migrate the store's schema."""
    store = get_store()
    store.init_schema()
    click.echo("registry schema is ready")


@click.command()
@click.option("--demo/--no-demo", default=True, help="Also load the fictional demo group.")
@_command
def seed(demo):
    """Load the seed organisations (idempotent: only missing objects are added)."""
    from .services.exchange import seed as run_seed
    store = get_store()
    store.init_schema()
    click.echo(f"seeded {run_seed(store, include_demo=demo)} new objects")


def _serve(host: str, port: int) -> None:
    from werkzeug.serving import run_simple
    click.echo(f"serving the registry on http://{host}:{port}/ (Ctrl-C to stop)")
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@_command
def serve(host, port):
    """Serve the app with Werkzeug's threaded server (use gunicorn behind a proxy in production)."""
    get_store().init_schema()
    _serve(host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@_command
def demo(host: str, port: int) -> None:
    """Init, seed with the demo group, create an admin login once, and serve.

    The admin password is printed only when the demo creates the user; later starts
    keep it. Links in mails point at the served address unless REGISTRY_PUBLIC_BASE_URL
    says otherwise.
    """
    from .services.exchange import seed as run_seed
    from .services.users import create_user, one_time_password
    store = get_store()
    store.init_schema()
    added = run_seed(store, include_demo=True)
    click.echo(f"seeded {added} new objects")
    if store.get_user("admin") is None:
        password = one_time_password()
        create_user(store, "admin", password, "admin", actor="registry demo")
        click.echo(f"admin login, shown once: admin / {password}")
    else:
        click.echo("sign in as admin with the password printed when the demo first ran "
                   "(reset it with: registry users password admin --generate)")
    if not current_app.config.get("PUBLIC_BASE_URL"):
        current_app.config["PUBLIC_BASE_URL"] = f"http://{host}:{port}"
    _serve(host, port)


@click.group()
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


@click.command("export")
@_command
def export_cmd():
    """Write the whole registry as JSON on stdout."""
    from .services.exchange import dumps, export_registry
    click.echo(dumps(export_registry(get_store(), progress=on_terminal)), nl=False)


@click.command("import")
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
    click.echo(f"imported {import_registry(store, 'import', document, progress=on_terminal)} objects")


@click.command()
@_command
def assess():
    """Assess one hop: a JSON request on stdin, the findings as JSON on stdout."""
    from .services.assessment import assess_json
    try:
        data = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"stdin is not JSON: {exc.msg} at line {exc.lineno}") from None
    click.echo(json.dumps(assess_json(data), indent=2))


@users.command("password")
@click.argument("username")
@click.option("--password", help="Read from a prompt when omitted; use --generate for a random one.")
@click.option("--generate", is_flag=True, help="Generate a random password and print it once.")
@_command
def users_password(username: str, password: str | None, generate: bool) -> None:
    """Set a new password for an existing user (their sessions end)."""
    from .services.users import create_user, one_time_password
    store = get_store()
    user = store.get_user(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    if generate:
        password = one_time_password()
    elif not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    create_user(store, username, password, user.role, replace=True, actor="registry users password")
    click.echo(f"new password for {username}" + (f": {password}" if generate else " set"))


# These modules' commands use _command above, so they are imported after it.
from .cli_vendors import fides, vendors  # noqa: E402
from .tokens_cli import tokens  # noqa: E402

COMMANDS = (init, seed, serve, demo, users, tokens, export_cmd, import_cmd, assess, vendors, fides)


def init_app(app: Flask) -> None:
    """Register the registry's commands on ``app.cli``."""
    for command in COMMANDS:
        app.cli.add_command(command)
