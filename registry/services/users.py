"""Users of the admin area: creation, password checks and roles.

Passwords are hashed with Werkzeug's scrypt-based ``generate_password_hash``.
"""

import re
import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import ValidationError
from ..domain.records import ROLES, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


def create_user(store, username, password, role="viewer", replace=False, actor="system"):
    """Create (or, with ``replace``, reset) a user; returns it. ValidationError on bad input.

    The audit log records ``actor`` as the one who did it (never the password or its hash).
    """
    if not USERNAME_RE.match(username or ""):
        raise ValidationError("a username is 2-64 letters, digits, or . _ @ -", field="username")
    if role not in ROLES:
        raise ValidationError(f"role must be one of: {', '.join(ROLES)}", field="role")
    if len(password or "") < 10:
        raise ValidationError("a password needs at least 10 characters", field="password")
    if store.get_user(username) and not replace:
        raise ValidationError(f"user {username!r} already exists", field="username")
    user = User(username, generate_password_hash(password), role)
    store.save_user(user, actor)
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
