"""``registry vendors import|export`` (vendor-list CSV) and ``registry fides export|import``.

Problems end the command with one readable line each on stderr and exit status 1;
nothing is written then.
"""

from __future__ import annotations

import json

import click

from .cli import _command
from .db import get_store


@click.group()
def vendors() -> None:
    """A publisher's vendor list as CSV: import (first list or sync) and export."""


@vendors.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--publisher", required=True, help="Key of the organisation whose list this is.")
@click.option("--as-of", "as_of", help="Date of the list (YYYY-MM-DD; default today). A first list is "
                                       "recorded as of this date.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@_command
def vendors_import(file, publisher: str, as_of: str | None, dry_run: bool) -> None:
    """Import FILE.csv as PUBLISHER's vendor list (see the README for the columns)."""
    from .services.vendors import import_vendors
    store = get_store()
    store.init_schema()
    plan = import_vendors(store, "registry vendors import", publisher, file.read(), as_of, dry_run=dry_run)
    for line in plan.lines():
        click.echo(line)
    click.echo("dry run: nothing written" if dry_run else "imported")


@vendors.command("export")
@click.option("--publisher", required=True, help="Key of the organisation whose list to write.")
@_command
def vendors_export(publisher: str) -> None:
    """Write PUBLISHER's vendor list as CSV on stdout (the format `vendors import` reads)."""
    from .services.vendors import export_vendors
    click.echo(export_vendors(get_store(), publisher), nl=False)


@click.group()
def fides() -> None:
    """The registry as a Fides manifest (fideslang), out and in."""


@fides.command("export")
@_command
def fides_export() -> None:
    """Write the registry as a Fides manifest (YAML) on stdout."""
    from .services.fides import dumps, export_manifest
    click.echo(dumps(export_manifest(get_store())), nl=False)


@fides.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--dry-run", is_flag=True, help="Check the manifest and count what it adds; write nothing.")
@_command
def fides_import(file, dry_run: bool) -> None:
    """Import a Fides manifest (YAML or JSON): systems, data categories, uses and subjects."""
    from .services.fides import import_manifest, loads
    store = get_store()
    store.init_schema()
    counts = import_manifest(store, "registry fides import", loads(file.read(), file.name), dry_run=dry_run)
    click.echo(json.dumps(counts, sort_keys=True))
