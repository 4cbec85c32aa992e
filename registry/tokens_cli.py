"""``registry tokens``: API tokens for scripts, from the command line."""

import click

from .cli import _command
from .db import get_store


@click.group()
def tokens():
    """Manage API tokens (sent as "Authorization: Bearer TOKEN")."""


@tokens.command("create")
@click.argument("username")
@click.argument("name")
@_command
def tokens_create(username: str, name: str) -> None:
    """Make a token for USERNAME named NAME; it is printed once, only its hash is kept."""
    from .services.users import create_token
    store = get_store()
    store.init_schema()
    token, secret = create_token(store, username, name, "registry tokens create")
    click.echo(f"token {token.id} for {username} ({name}), shown once:\n{secret}")


@tokens.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@_command
def tokens_list(username: str | None) -> None:
    """List tokens: id, owner, name, when made (never the token)."""
    for token in get_store().list_tokens(username):
        click.echo(f"{token.id}\t{token.username}\t{token.name}\t{token.created_at}")


@tokens.command("revoke")
@click.argument("token_id")
@_command
def tokens_revoke(token_id: str) -> None:
    """Revoke the token with TOKEN_ID (see "registry tokens list")."""
    from .services.users import revoke_token
    token = revoke_token(get_store(), token_id, "registry tokens revoke")
    click.echo(f"revoked token {token.id} of {token.username} ({token.name})")
