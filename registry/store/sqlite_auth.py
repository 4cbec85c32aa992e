"""Sign-in sessions, API tokens and rate-limit counters for the SQLite store.

Mixed into ``SQLiteStore``; the tables come from its migration 3. Rate counters live
in the database file, so every worker process of one registry counts together and a
restart does not reset them.
"""

import json
import random
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from ..domain.records import ApiToken
from .base import utcnow

# One hit in this many also deletes expired counters, so the table stays small.
_PRUNE_ONE_IN = 200

_HIT_SQL = """
INSERT INTO rate_counters (name, expires_at, hits) VALUES (:name, :now + :window, :amount)
ON CONFLICT (name) DO UPDATE SET
  hits = CASE WHEN expires_at <= :now THEN :amount ELSE hits + :amount END,
  expires_at = CASE WHEN expires_at <= :now THEN :now + :window ELSE expires_at END
RETURNING hits, expires_at
"""


def _token(row):
    return ApiToken(row["id"], row["username"], row["name"], row["token_hash"], row["created_at"])


class SQLiteAuth:
    """Session keys, API tokens and rate counters over the ``user_sessions``, ``api_tokens``
    and ``rate_counters`` tables."""

    conn: sqlite3.Connection  # supplied by SQLiteStore
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

    # -- sessions -------------------------------------------------------------
    def session_key(self, username: str) -> str | None:
        """The user's current session key (None before the first sign-in)."""
        row = self.conn.execute("SELECT session_key FROM user_sessions WHERE username = ?",
                                (username,)).fetchone()
        return row["session_key"] if row else None

    def set_session_key(self, username: str, key: str) -> None:
        """Replace the user's session key: every session signed with the old one ends."""
        self.conn.execute("INSERT INTO user_sessions (username, session_key) VALUES (?, ?) "
                          "ON CONFLICT (username) DO UPDATE SET session_key = excluded.session_key",
                          (username, key))

    # -- API tokens -----------------------------------------------------------
    def save_token(self, token: ApiToken, actor: str = "system") -> None:
        """Store a new token (its hash) with an audit record naming ``actor``."""
        with self._transaction() as conn:
            conn.execute("INSERT INTO api_tokens (id, username, name, token_hash, created_at) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (token.id, token.username, token.name, token.token_hash, token.created_at))
            self._audit_token(conn, actor, "create", None, token)

    def find_token(self, token_hash: str) -> ApiToken | None:
        """The token whose hash is ``token_hash``, or None."""
        row = self.conn.execute("SELECT * FROM api_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
        return _token(row) if row else None

    def list_tokens(self, username: str | None = None) -> list[ApiToken]:
        """Tokens (of ``username``, or everyone's), newest first."""
        sql, args = "SELECT * FROM api_tokens", []
        if username is not None:
            sql, args = sql + " WHERE username = ?", [username]
        return [_token(r) for r in self.conn.execute(sql + " ORDER BY created_at DESC, id", args)]

    def delete_token(self, token_id: str, actor: str = "system") -> ApiToken | None:
        """Revoke a token; returns it, or None if there was none with ``token_id``."""
        with self._transaction() as conn:
            row = conn.execute("SELECT * FROM api_tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM api_tokens WHERE id = ?", (token_id,))
            self._audit_token(conn, actor, "delete", _token(row), None)
            return _token(row)

    def _audit_token(self, conn, actor, action, before, after):
        def shown(token):
            return {"id": token.id, "username": token.username, "name": token.name} if token else None
        token = before or after
        conn.execute("INSERT INTO audit (at, actor, action, kind, key, before, after) VALUES (?, ?, ?, 'token', ?, ?, ?)",
                     (utcnow(), actor, action, token.id,
                      json.dumps(shown(before)) if before else None, json.dumps(shown(after)) if after else None))

    # -- rate limits ----------------------------------------------------------
    def hit_counter(self, name: str, window: int, now: int, amount: int = 1) -> tuple[int, int]:
        """Add ``amount`` hits to counter ``name``; returns (hits in its window, when it ends).

        A window opens at the first hit after the last one ended and lasts ``window``
        milliseconds (``now`` and the answer are Unix milliseconds). ``amount=0`` only
        reads. One statement, so concurrent hits from several processes all count.
        """
        row = self.conn.execute(_HIT_SQL, {"name": name, "now": now, "window": window,
                                           "amount": amount}).fetchone()
        if random.randrange(_PRUNE_ONE_IN) == 0:
            self.conn.execute("DELETE FROM rate_counters WHERE expires_at <= ?", (now,))
        return row["hits"], row["expires_at"]
