"""Sign-in sessions, API tokens and rate-limit counters for the Neo4j store.

Mixed into ``Neo4jStore`` (it supplies ``_read`` and ``_write``). A session key is a
property of the ``:User`` node; tokens are ``:ApiToken`` nodes holding only the hash of
their secret; counters are ``:RateCounter`` nodes, shared by every app process.
"""

import json
import random
from collections.abc import Callable
from typing import Any

from .. import cypher
from ..domain.records import ApiToken
from .base import utcnow
from .neo4j_tx import rows as _rows

_PRUNE_ONE_IN = 200


def _shown(token):
    return {"id": token.id, "username": token.username, "name": token.name} if token else None


def _audit(tx, actor, action, before, after):
    token = before or after
    _rows(tx, cypher.query("audit/append"), at=utcnow(), actor=actor, action=action, kind="token", key=token.id,
          before=json.dumps(_shown(before)) if before else None, after=json.dumps(_shown(after)) if after else None)


def _save_token(tx, token, actor):
    _rows(tx, cypher.query("user/token_save"), id=token.id, username=token.username, name=token.name,
          token_hash=token.token_hash, created_at=token.created_at)
    _audit(tx, actor, "create", None, token)


def _delete_token(tx, token_id, actor):
    rows = _rows(tx, cypher.query("user/token_delete"), id=token_id)
    if not rows:
        return None
    token = ApiToken(**rows[0])
    _audit(tx, actor, "delete", token, None)
    return token


class Neo4jAuth:
    """Session keys, API tokens and rate counters (cypher/user/*, cypher/ratelimit/*)."""

    _read: Callable[..., Any]  # supplied by Neo4jStore
    _write: Callable[..., Any]

    def session_key(self, username: str) -> str | None:
        """The user's current session key (None before the first sign-in)."""
        rows = self._read(_rows, cypher.query("user/session_get"), username=username)
        return rows[0]["session_key"] if rows else None

    def set_session_key(self, username: str, key: str) -> None:
        """Replace the user's session key: every session signed with the old one ends."""
        self._write(_rows, cypher.query("user/session_set"), username=username, session_key=key)

    def save_token(self, token: ApiToken, actor: str = "system") -> None:
        """Store a new token (its hash) with an audit record naming ``actor``."""
        self._write(_save_token, token, actor)

    def find_token(self, token_hash: str) -> ApiToken | None:
        """The token whose hash is ``token_hash``, or None."""
        rows = self._read(_rows, cypher.query("user/token_find"), token_hash=token_hash)
        return ApiToken(**rows[0]) if rows else None

    def list_tokens(self, username: str | None = None) -> list[ApiToken]:
        """Tokens (of ``username``, or everyone's), newest first."""
        return [ApiToken(**r) for r in self._read(_rows, cypher.query("user/token_list"), username=username)]

    def delete_token(self, token_id: str, actor: str = "system") -> ApiToken | None:
        """Revoke a token; returns it, or None if there was none with ``token_id``."""
        return self._write(_delete_token, token_id, actor)

    def hit_counter(self, name: str, window: int, now: int, amount: int = 1) -> tuple[int, int]:
        """Add ``amount`` hits to counter ``name``; returns (hits in its window, when it ends).

        As in the SQLite store: a window of ``window`` milliseconds opens at the first hit
        after the last one ended (``now`` and the answer are Unix milliseconds).
        """
        rows = self._write(_rows, cypher.query("ratelimit/hit"), name=name, now=now, window=window, amount=amount)
        if random.randrange(_PRUNE_ONE_IN) == 0:
            self._write(_rows, cypher.query("ratelimit/prune"), now=now)
        return rows[0]["hits"], rows[0]["expires_at"]
