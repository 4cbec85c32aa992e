"""Users of the admin area: creation, password checks, roles, sessions and API tokens.

Passwords are hashed with Werkzeug's scrypt-based ``generate_password_hash``: slow on
purpose, since people choose them. API tokens are 256 random bits, so a plain SHA-256
of the token is as safe to keep and costs microseconds per request instead of a
password hash. Each user has a session key that signed-in sessions carry; replacing it
(sign-out, password change) ends every session made with the old one.
"""

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..domain.errors import NotFound, ValidationError
from ..domain.records import ROLES, ApiToken, User
from ..domain.schemas import text_problem

USERNAME_RE = re.compile(r"[A-Za-z0-9_.@-]{2,64}")
TOKEN_PREFIX = "rgt_"
TOKEN_NAME_MAX = 80


def create_user(store, username, password, role="viewer", replace=False, actor="system"):
    """Create (or, with ``replace``, reset) a user; returns it. ValidationError on bad input.

    The audit log records ``actor`` as the one who did it (never the password or its hash).
    """
    # fullmatch: a pattern ending in "$" also accepts "name\n", which no one could sign in as.
    if not isinstance(username, str) or not USERNAME_RE.fullmatch(username):
        raise ValidationError("a username is 2-64 letters, digits, or . _ @ -", field="username")
    if role not in ROLES:
        raise ValidationError(f"role must be one of: {', '.join(ROLES)}", field="role")
    if len(password or "") < 10:
        raise ValidationError("a password needs at least 10 characters", field="password")
    if store.get_user(username) and not replace:
        raise ValidationError(f"user {username!r} already exists", field="username")
    if not isinstance(password, str) or text_problem(password):
        raise ValidationError("a password cannot hold control characters", field="password")
    user = User(username, generate_password_hash(password), role)
    store.save_user(user, actor)
    if replace:
        new_session_key(store, username)  # a new password ends the sessions made with the old one
    return user


@lru_cache(maxsize=1)
def _dummy_hash():
    return generate_password_hash(secrets.token_hex(16))


def authenticate(store, username, password):
    """The User if the password matches, else None (same answer for unknown users)."""
    user = store.get_user(username or "")
    if user is None:
        check_password_hash(_dummy_hash(), password or "")  # keep timing similar for unknown users
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def one_time_password():
    """A random password for a freshly created account, printed once."""
    return secrets.token_urlsafe(12)


def session_key(store, username: str) -> str:
    """The user's session key, made on first use (sessions carry it; see the module doc)."""
    return store.session_key(username) or new_session_key(store, username)


def new_session_key(store, username: str) -> str:
    """Replace the user's session key, ending all of their signed-in sessions; returns the new one."""
    key = secrets.token_urlsafe(16)
    store.set_session_key(username, key)
    return key


def session_valid(store, username: str, key: str) -> bool:
    """Whether ``key`` is the user's current session key."""
    current = store.session_key(username)
    return bool(current and key) and hmac.compare_digest(current, key)


def token_hash(secret: str) -> str:
    """The stored form of an API token: SHA-256 of its text, in hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(store, username: str, name: str, actor: str) -> tuple[ApiToken, str]:
    """A new API token for ``username`` named ``name``; returns (record, secret).

    The secret is shown once and never stored. ValidationError on a bad name, NotFound
    for an unknown user.
    """
    name = (name or "").strip()
    if not name or len(name) > TOKEN_NAME_MAX or text_problem(name):
        raise ValidationError(f"a token needs a name of 1-{TOKEN_NAME_MAX} characters on one line", field="name")
    if store.get_user(username) is None:
        raise NotFound(f"no user {username!r}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(secrets.token_hex(6), username, name, token_hash(secret), clock.now_iso())
    store.save_token(token, actor)
    return token, secret


def token_user(store, secret: str) -> User | None:
    """The User an API token acts for, or None if the token is unknown or revoked."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = store.find_token(token_hash(secret))
    return store.get_user(token.username) if token else None


def revoke_token(store, token_id: str, actor: str, owner: str | None = None) -> ApiToken:
    """Revoke token ``token_id`` (only ``owner``'s, when given); NotFound if there is none."""
    tokens = {t.id: t for t in store.list_tokens(owner)}
    if token_id not in tokens:
        raise NotFound(f"no API token {token_id!r}")
    store.delete_token(token_id, actor)
    return tokens[token_id]


def revoke_user_tokens(store, username: str, actor: str) -> int:
    """Revoke every API token of ``username`` (for a disabled account); returns how many."""
    tokens = store.list_tokens(username)
    for token in tokens:
        store.delete_token(token.id, actor)
    return len(tokens)
